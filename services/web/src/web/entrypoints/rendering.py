"""Templates and the words people read: one layout, a filter per kind of value, status words."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from shared.contracts.matching import REASON_WORDS
from shared.documents import payment_terms_text
from shared.taxes import TaxBand, rate_text, tax_summary
from web.adapters.gateway_api import ApiProblem, GatewayApi
from web.domain.accounts import switch_action
from web.domain.lines import PricedAmounts

if TYPE_CHECKING:
    from web.entrypoints.supplier_choice import SupplierFilter

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"

INVOICE_STATUS_WORDS = {
    "draft": "Draft",
    "matching": "Matching",
    "pending": "Pending",
    "approved": "Approved",
    "rejected": "Rejected",
    "canceled": "Canceled",
    "partly_paid": "Partly paid",
    "paid": "Paid",
}
ORDER_STATUS_WORDS = {
    "draft": "Draft",
    "sent": "Sent",
    "acknowledged": "Acknowledged",
    "partially_invoiced": "Partly invoiced",
    "fully_invoiced": "Fully invoiced",
    "canceled": "Canceled",
    "closed": "Closed",
}
RFP_STATUS_WORDS = {
    "draft": "Draft",
    "published": "Open",
    "closed": "Closed",
    "awarded": "Awarded",
    "canceled": "Canceled",
}
PROPOSAL_STATUS_WORDS = {"draft": "Draft", "submitted": "Submitted", "rejected": "Declined"}


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def money(value: Any) -> str:
    """``"1234.5"`` → ``"1,234.50"``; what is not a number is shown as it came."""
    if value is None or value == "":
        return ""
    if (amount := _number(value)) is None:
        return str(value)
    return f"{amount:,.2f}" if amount == amount.quantize(Decimal("0.01")) else f"{amount:,}"


def quantity(value: Any) -> str:
    if value is None or value == "":
        return ""
    if (amount := _number(value)) is None:
        return str(value)
    text = format(amount.normalize(), "f") if amount == amount.to_integral() else format(amount, "f").rstrip("0")
    return text.rstrip(".") or "0"


def payment_terms(days: Any) -> str:
    """Payment terms as documents state them ("30 days net"); not known: empty."""
    return payment_terms_text(days if isinstance(days, int) else None) or ""


def rate(value: Any) -> str:
    """A tax rate as people write it (``20 %``); empty or not a number: as it came."""
    if value is None or value == "":
        return ""
    if (amount := _number(value)) is None:
        return str(value)
    return rate_text(amount)


def negative(value: Any) -> bool:
    """An amount below zero (a credited invoice the buyer overpaid); what is not a number is not."""
    amount = _number(value)
    return amount is not None and amount < 0


def nonzero(value: Any) -> bool:
    amount = _number(value)
    return amount is not None and amount != 0


def absolute(value: Any) -> Any:
    """The amount without its sign, as a decimal; what is not a number as it came."""
    amount = _number(value)
    return abs(amount) if amount is not None else value


def tax_bands(document: Mapping[str, Any]) -> list[TaxBand]:
    """The tax per rate of an order's or an invoice's lines as the API answered them."""
    lines = [
        PricedAmounts(*(Decimal(str(line[name])) for name in ("net_amount", "tax_rate", "tax_amount")))
        for line in document.get("lines") or []
        if "tax_rate" in line
    ]
    return tax_summary(lines, str(document.get("currency") or "EUR"))


def day(value: Any) -> str:
    """An ISO date or time as a date people read (``15 Jun 2027``)."""
    if not value:
        return ""
    try:
        parsed = datetime.fromisoformat(str(value)) if "T" in str(value) else date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{parsed.day} {parsed:%b %Y}"


def moment(value: Any) -> str:
    if not value:
        return ""
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{parsed.day} {parsed:%b %Y, %H:%M} UTC"


def file_size(value: Any) -> str:
    """``512`` → ``512 bytes``, ``2048`` → ``2.0 KB``, ``3145728`` → ``3.0 MB``."""
    size = int(value or 0)
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def changed_line(line: dict[str, Any]) -> bool:
    """A line of a verdict's line report that differs from the order (highlighted)."""
    return bool(
        line.get("quantity_changed")
        or line.get("price_changed")
        or line.get("new_item")
        or line.get("tax_rate_changed")
        or not_all_received(line)
    )


templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
# The templates do not change while the process runs: no file check on every page.
templates.env.auto_reload = False
templates.env.filters.update(
    money=money,
    quantity=quantity,
    rate=rate,
    day=day,
    moment=moment,
    file_size=file_size,
    absolute=absolute,
    payment_terms=payment_terms,
)


def not_all_received(line: dict[str, Any]) -> bool:
    """A line of a verdict's line report that invoices more than its receipts leave (three-way matching)."""
    received = _number(line.get("received_quantity"))
    if received is None or line.get("not_invoiced") or line.get("new_item"):
        return False
    invoiced, before = _number(line.get("invoiced_quantity")), _number(line.get("previously_invoiced_quantity"))
    return invoiced is not None and before is not None and invoiced > received - before


def tolerance_basis(matching: dict[str, Any]) -> str:
    """What set a verdict's tolerance limit, for the buyer: "5 %", "the amount 100.00 EUR" or, both
    being set, which of them was the stricter. (A verdict's rate reads 0 where the amount alone
    was set; the limit then equals the amount.)"""
    rate, amount, limit = (
        _number(matching.get(name)) for name in ("tolerance_rate", "tolerance_amount", "tolerance_limit")
    )
    currency = matching.get("currency", "")
    if amount is None or limit is None:
        return "" if rate is None else f"{quantity(rate)} %"
    if limit == amount and rate:
        return f"the amount {money(amount)} {currency}, stricter than {quantity(rate)} %"
    if limit == amount:
        return f"the amount {money(amount)} {currency}"
    return f"{quantity(rate)} %, stricter than the amount {money(amount)} {currency}"


templates.env.tests.update(
    changed_line=changed_line, negative=negative, nonzero=nonzero, not_all_received=not_all_received
)
templates.env.globals.update(
    INVOICE_STATUS_WORDS=INVOICE_STATUS_WORDS,
    ORDER_STATUS_WORDS=ORDER_STATUS_WORDS,
    RFP_STATUS_WORDS=RFP_STATUS_WORDS,
    PROPOSAL_STATUS_WORDS=PROPOSAL_STATUS_WORDS,
    REASON_WORDS=REASON_WORDS,
    tax_bands=tax_bands,
    tolerance_basis=tolerance_basis,
)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    session = getattr(request.state, "session", None)
    context.setdefault("session", session)
    context.setdefault("csrf_token", session.csrf_token if session else getattr(request.state, "anonymous_csrf", ""))
    context.setdefault("path", request.url.path)
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    return response


PAGE_SIZE = 25


def uuid_or_empty(value: str) -> str:
    """A filter's id from the address as the API takes it, or nothing where it is not an id."""
    try:
        return str(UUID(value)) if value else ""
    except ValueError:
        return ""


def panel(request: Request, partial: str, title: str, **context: Any) -> HTMLResponse:
    """A part of a page that the page asks for once it is shown (htmx): the part alone; asked for
    by a person without JavaScript (a link in its place), a page around it."""
    if request.headers.get("hx-request"):
        return render(request, partial, **context)
    return render(request, "panel.html", partial=partial, title=title, on="conversation", **context)


async def list_page(
    request: Request,
    api: GatewayApi,
    *,
    path: str,
    template: str,
    words: dict[str, str],
    status: str,
    cursor: str,
    supplier_filter: SupplierFilter | None = None,
    **filters: str,
) -> HTMLResponse:
    """One page of a list, filtered by status (one of ``words``, else none) and ``filters``, and
    narrowed by the buyer's ``supplier_filter`` on a list that has one: while what was typed there
    names no one supplier, the page asks nothing and offers the suppliers to choose from."""
    status = status if status in words else ""
    extra: dict[str, Any] = {}
    if supplier_filter is not None:
        filters = {"supplier_id": supplier_filter.supplier_id} | filters
        extra["supplier_filter"] = supplier_filter
    page: dict[str, Any] = {"items": []}
    if not (supplier_filter and supplier_filter.unresolved):
        page = await api.get(path, {"limit": PAGE_SIZE, "status": status, "cursor": cursor, **filters})
    shown = {name: value for name, value in ({"status": status} | filters).items() if value}
    context: dict[str, Any] = (
        extra
        | filters
        | {
            "items": page["items"],
            "next_cursor": page.get("next_cursor"),
            "filters": shown,
            "status": status,
            "first_page": bool(cursor),
        }
    )
    return render(request, template, **context)


class FormErrors:
    """What the API refused in a form: a message per field (shown next to it) and one for the form."""

    def __init__(self, problem: ApiProblem | None = None, *, message: str | None = None) -> None:
        self.fields: dict[str, str] = problem.field_errors() if problem else {}
        self.message = message or (problem.detail or problem.title if problem else None)

    def __bool__(self) -> bool:
        return bool(self.fields or self.message)

    def get(self, name: str) -> str | None:
        return self.fields.get(name)

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, message)


async def post_one_field(
    api: GatewayApi, path: str, field: str, value: str, *, sent: str | None = None, sentences: bool = False
) -> FormErrors:
    """Post a form of one field (``sent``, else ``value`` as typed) and answer what the API refused
    of it: its errors by field, else its detail next to ``field`` (as a sentence, and that alone,
    with ``sentences``). Empty: it was taken."""
    try:
        await api.post(path, {field: value if sent is None else sent})
    except ApiProblem as problem:
        if not problem.about_the_input:
            raise
        errors = FormErrors(problem)
        if not errors.fields:
            detail = problem.detail or problem.title
            errors.add(field, sentence(detail) if sentences else detail)
        if sentences:
            errors.message = None
        return errors
    return FormErrors()


def marked_below(what: str) -> str:
    """What a form says at its top when the messages are beside its fields (``what``: "invoice")."""
    return f"The {what} has a few things to fix; they are marked below."


# A supplier's access to the portal, as the buyer reads it.
PORTAL_STATUS_WORDS = {"not_invited": "Not invited", "active": "Active", "inactive": "Deactivated"}
ROLE_WORDS = {"buyer_admin": "Buyer admin", "buyer_user": "Buyer user", "supplier": "Supplier"}
CUSTOM_FIELD_TYPE_WORDS = {"text": "Text", "number": "Number", "date": "Date", "choice": "Choice"}
templates.env.globals.update(
    PORTAL_STATUS_WORDS=PORTAL_STATUS_WORDS, ROLE_WORDS=ROLE_WORDS, CUSTOM_FIELD_TYPE_WORDS=CUSTOM_FIELD_TYPE_WORDS
)


def sentence(text: str) -> str:
    """An API's message (``"only a buyer admin may do this"``) as a sentence people read."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


# A proposal once its request was awarded: the winner's, and the others'.
PROPOSAL_STATUS_WORDS.update(awarded="Awarded", lost="Not chosen")


def refusal_message(problem: ApiProblem) -> str:
    """An action the API refused (already canceled, not the person's to decide), said on the page."""
    return "That could not be done. " + sentence(problem.detail or problem.title)


def as_sentences(errors: FormErrors, subjects: dict[str, str] | None = None) -> FormErrors:
    """``errors`` with the API's messages as sentences. A field's message that is the end of a
    sentence (``"is required"``) starts with the field's name people read, from ``subjects``."""
    for name, message in errors.fields.items():
        subject = (subjects or {}).get(name)
        if subject and message.startswith(("is ", "must ")):
            message = f"{subject} {message}"
        errors.fields[name] = sentence(message)
    if errors.message:
        errors.message = sentence(errors.message)
    return errors


# Accounts: a switch offered on a row of the users' and colleagues' lists (none on one's own).
templates.env.globals.update(account_switch_action=switch_action)
