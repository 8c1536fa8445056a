"""Purchase orders: the list, one order (lines, terms, exports, comments, files), the supplier's
acknowledgement, and the buyer's work: the line editor (a new order, a draft, a change of a sent
order), sending, and canceling or closing after a confirmation."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Collection
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from web.adapters.gateway_api import ApiProblem, GatewayApi
from web.domain.order_editor import OrderEditor, lines_may_change
from web.domain.sessions import WebSession
from web.entrypoints import collaboration
from web.entrypoints.deps import Api, CheckedForm, CurrentSession
from web.entrypoints.downloads import as_download
from web.entrypoints.rendering import (
    ORDER_STATUS_WORDS,
    FormErrors,
    editor_refusal,
    list_page,
    money,
    panel,
    render,
    sentence,
    uuid_or_empty,
)
from web.entrypoints.supplier_filter import supplier_filter

router = APIRouter(tags=["purchase orders"])

# Orders a supplier can still invoice (the API refuses the others anyway).
INVOICEABLE = {"sent", "acknowledged", "partially_invoiced"}
# Orders the buyer may still change: a draft quietly, an open one with an email to the supplier.
CHANGEABLE = {"draft", "sent", "acknowledged", "partially_invoiced"}
FINAL = {"canceled", "closed"}
# The fields the editor shows a message beside; what the API refuses elsewhere is said at the top.
EDITOR_FIELDS = re.compile(
    r"supplier_id|currency|delivery_date|lines|lines\.\d+\.(description|sku|unit|quantity|unit_price)"
)
# The suppliers a select offers are read in pages of the API's largest size, up to this many pages.
SUPPLIER_PAGES = 10
DONE_MESSAGES = {
    "acknowledged": "You acknowledged this order. The buyer can see it.",
    "commented": "Your comment was added.",
    "attached": "The file was attached.",
    "saved": "The draft was saved. The supplier sees nothing of it until you send it.",
    "sent": "The order was sent. The supplier receives it by email, with the PDF, and sees it in the portal.",
    "changed": "The order was changed. The supplier was emailed what changed.",
    "unchanged": "Nothing was changed: the order is as it was.",
    "canceled": "The order was canceled.",
    "closed": "The order was closed.",
    "awarded": "This draft order was made from the winning proposal. Check it, add a delivery date, then send it.",
}
PROBLEM_MESSAGES = {
    "send": "The order was saved as a draft but could not be sent. Check it and send it again.",
}
# What canceling and closing do, said before the person confirms.
CONFIRMATIONS = {
    "cancel": {
        "heading": "Cancel this order?",
        "button": "Yes, cancel the order",
        "draft": "The draft is discarded as canceled. It was never sent, so the supplier knows nothing of it.",
        "sent": "The order ends: the supplier sees it as canceled in the portal (no email is sent). An invoice "
        "submitted against it from now on is held for your approval instead of being approved on its own. "
        "This cannot be undone.",
    },
    "close": {
        "heading": "Close this order?",
        "button": "Yes, close the order",
        "sent": "The order is complete: nothing more is expected on it. The supplier sees it as closed in the "
        "portal (no email is sent). An invoice submitted against it from now on is held for your approval "
        "instead of being approved on its own. This cannot be undone.",
    },
}


@router.get("/purchase-orders", response_class=HTMLResponse)
async def order_list(
    request: Request,
    session: CurrentSession,
    api: Api,
    status: str = "",
    supplier_id: str = "",
    supplier: str = "",
    number: str = "",
    cursor: str = "",
) -> HTMLResponse:
    chosen = await supplier_filter(api, session, supplier_id, supplier)
    return await list_page(
        request,
        api,
        path="/purchase-orders",
        template="orders.html",
        words=ORDER_STATUS_WORDS,
        status=status,
        cursor=cursor,
        matches_nothing=chosen.unresolved,
        extra={"supplier_filter": chosen},
        supplier_id=chosen.supplier_id,
        number=number.strip()[:50],
    )


def unprocessed(order: dict[str, Any]) -> bool:
    return order.get("status") == "sent" and not order.get("acknowledged_at")


def can_invoice(order: dict[str, Any]) -> bool:
    remaining = any(float(line.get("remaining_quantity") or 0) > 0 for line in order.get("lines", []))
    return order.get("status") in INVOICEABLE and remaining


def may_manage(session: WebSession, order: dict[str, Any]) -> bool:
    """Editing, sending, canceling and closing: the order's initiator and the buyer's admins (as the API rules)."""
    return session.is_buyer and (
        session.role == "buyer_admin" or str(order.get("initiator_id")) == str(session.user_id)
    )


async def all_suppliers(api: GatewayApi) -> list[dict[str, Any]]:
    """Every supplier of the organisation, by name."""
    suppliers: list[dict[str, Any]] = []
    cursor = ""
    for _ in range(SUPPLIER_PAGES):
        page = await api.get("/suppliers", {"limit": 200, "cursor": cursor})
        suppliers += page["items"]
        cursor = page.get("next_cursor") or ""
        if not cursor:
            break
    return sorted(suppliers, key=lambda s: str(s.get("name") or "").casefold())


def active(suppliers: list[dict[str, Any]], *, keep: Collection[str] = ()) -> list[dict[str, Any]]:
    """The suppliers an order or a request can go to: those whose portal the buyer did not switch
    off (deactivated); ``keep``, chosen already, stay whatever their state."""
    return [s for s in suppliers if s.get("portal_status") != "inactive" or str(s["id"]) in keep]


async def _order_page(
    request: Request,
    api: GatewayApi,
    order_id: UUID,
    *,
    status_code: int = 200,
    refusal: str = "",
    **changes: Any,
) -> HTMLResponse:
    """The order; its invoices, comments and files follow once it is shown, unless a refusal of a
    comment or a file is to be shown with them now."""
    document = f"/purchase-orders/{order_id}"
    session: WebSession = request.state.session
    # The buyer's staff invoice on a supplier's behalf only while the supplier portal is off.
    settings = api.get("/settings") if session.is_buyer else _no_settings()
    order, talk, organisation = await asyncio.gather(
        api.get(document), collaboration.refused(api, document, changes), settings
    )
    manager = may_manage(session, order)
    confirm = request.query_params.get("confirm", "")
    return render(
        request,
        "order.html",
        status_code=status_code,
        order=order,
        talk=talk,
        unprocessed=unprocessed(order),
        can_invoice=can_invoice(order),
        on_behalf=session.is_buyer and organisation.get("supplier_portal_enabled") is False,
        manager=manager,
        changeable=manager and order["status"] in CHANGEABLE,
        cancelable=manager and order["status"] in CHANGEABLE,
        closable=manager and order["status"] not in FINAL and order["status"] != "draft",
        confirm=_confirmation(confirm, order) if manager else None,
        done=DONE_MESSAGES.get(request.query_params.get("done", ""), ""),
        problem=refusal or PROBLEM_MESSAGES.get(request.query_params.get("problem", ""), ""),
    )


async def _no_settings() -> dict[str, Any]:
    return {}


def _confirmation(action: str, order: dict[str, Any]) -> dict[str, str] | None:
    words = CONFIRMATIONS.get(action)
    if words is None or order["status"] in FINAL:
        return None
    what = words.get("draft" if order["status"] == "draft" else "sent")
    return {"action": action, "heading": words["heading"], "button": words["button"], "what": what} if what else None


@router.get("/purchase-orders/new", response_class=HTMLResponse)
async def new_order(request: Request, session: CurrentSession, api: Api, supplier_id: str = "") -> Response:
    if not session.is_buyer:
        return RedirectResponse("/purchase-orders", status_code=303)
    suppliers = active(await all_suppliers(api))
    chosen = next((s for s in suppliers if str(s["id"]) == supplier_id), None)
    editor = OrderEditor.new(str(chosen["id"]), str(chosen["currency"])) if chosen else OrderEditor.new()
    return _editor_page(request, editor=editor, suppliers=suppliers, action="/purchase-orders/new")


@router.get("/purchase-orders/editor/totals", response_class=HTMLResponse)
async def editor_totals(request: Request, session: CurrentSession) -> HTMLResponse:
    """The net per line and the net total of the lines as typed so far (htmx asks while the person types)."""
    editor = OrderEditor.from_form(request.query_params)
    editor.currency = editor.currency[:3]
    return render(request, "partials/invoice_totals.html", editor=editor, net_total=_total(editor), oob=True)


@router.get("/purchase-orders/editor/currency", response_class=HTMLResponse)
async def editor_currency(request: Request, session: CurrentSession, api: Api, supplier_id: str = "") -> HTMLResponse:
    """The currency field once a supplier is chosen: the supplier's currency (htmx asks on the change)."""
    supplier = await _supplier(api, supplier_id)
    currency = str(supplier["currency"]) if supplier else ""
    editor = OrderEditor(supplier_id=supplier_id, currency=currency)
    return render(
        request, "partials/order_currency.html", editor=editor, supplier_currency=currency, errors=FormErrors()
    )


async def _supplier(api: GatewayApi, supplier_id: str) -> dict[str, Any] | None:
    if not uuid_or_empty(supplier_id):
        return None
    try:
        found: dict[str, Any] = await api.get(f"/suppliers/{supplier_id}")
    except ApiProblem as problem:
        if problem.status == 404:
            return None
        raise
    return found


def _total(editor: OrderEditor) -> str:
    total = editor.net_total()
    return money(total) if total is not None else ""


def _editor_page(
    request: Request,
    *,
    editor: OrderEditor,
    action: str,
    suppliers: list[dict[str, Any]] | None = None,
    order: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    supplier_currency = next(
        (str(s["currency"]) for s in suppliers or [] if str(s["id"]) == editor.supplier_id), editor.currency
    )
    return render(
        request,
        "order_form.html",
        status_code=status_code,
        editor=editor,
        suppliers=suppliers or [],
        order=order,
        action=action,
        errors=errors or FormErrors(),
        lines_locked=order is not None and not lines_may_change(order),
        supplier_currency=supplier_currency,
        net_total=_total(editor),
    )


async def _save(request: Request, api: GatewayApi, form: FormData, *, order: dict[str, Any] | None) -> Response:
    """One press of a button of the editor: change the lines, or save (and send)."""
    known_lines = {str(line["id"]) for line in order["lines"]} if order else set()
    editor = OrderEditor.from_form(form, known_lines)
    action = str(form.get("action") or "save")
    action_url = f"/purchase-orders/{order['id']}/edit" if order else "/purchase-orders/new"
    locked = order is not None and not lines_may_change(order)
    if order is not None:
        # Supplier and currency are the order's; an order's change takes neither.
        editor.supplier_id, editor.currency = str(order["supplier_id"]), str(order["currency"])
        if locked:
            editor.lines = OrderEditor.from_order(order).lines
    suppliers = [] if order else active(await all_suppliers(api))
    if order is None and not editor.currency:
        editor.currency = next((str(s["currency"]) for s in suppliers if str(s["id"]) == editor.supplier_id), "")

    def again(errors: FormErrors | None = None, status_code: int = 200) -> HTMLResponse:
        page = _editor_page(request, editor=editor, action=action_url, suppliers=suppliers, order=order, errors=errors)
        page.status_code = status_code
        return page

    if action == "add_line" and not locked:
        editor = editor.with_new_line()
        return again()
    if action.startswith("remove-") and not locked:
        index = action.removeprefix("remove-")
        editor = editor.without_line(int(index)) if index.isdigit() else editor
        return again()
    editor = editor.without_untouched_lines()
    errors = FormErrors()
    for name, message in editor.problems(had_delivery_date=bool(order and order.get("delivery_date"))).items():
        errors.add(name, message)
    if errors:
        errors.message = "The order has a few things to fix; they are marked below."
        if not editor.lines:
            editor = editor.with_new_line()
        return again(errors, 422)
    try:
        if order is None:
            saved = await api.post("/purchase-orders", editor.create_body())
        else:
            saved = await api.patch(f"/purchase-orders/{order['id']}", editor.change_body(lines_may_change=not locked))
    except ApiProblem as problem:
        if not problem.about_the_input:
            raise
        return again(editor_refusal(problem, EDITOR_FIELDS, "order"), 422)
    page = f"/purchase-orders/{saved['id']}"
    if order is not None and order["status"] != "draft":
        done = "changed" if saved.get("revision") != order.get("revision") else "unchanged"
        return RedirectResponse(f"{page}?done={done}", status_code=303)
    if action == "send":
        try:
            await api.post(f"{page}/submit")
        except ApiProblem as problem:
            if not problem.about_the_input:
                raise
            return RedirectResponse(f"{page}?problem=send", status_code=303)
        return RedirectResponse(f"{page}?done=sent", status_code=303)
    return RedirectResponse(f"{page}?done=saved", status_code=303)


@router.post("/purchase-orders/new", response_class=HTMLResponse)
async def create_order(request: Request, session: CurrentSession, api: Api, form: CheckedForm) -> Response:
    return await _save(request, api, form, order=None)


async def _changeable(api: GatewayApi, session: WebSession, order_id: UUID) -> dict[str, Any] | None:
    """The order, when the person may change it now; None sends them back to its page."""
    order: dict[str, Any] = await api.get(f"/purchase-orders/{order_id}")
    return order if may_manage(session, order) and order["status"] in CHANGEABLE else None


@router.get("/purchase-orders/{order_id}/edit", response_class=HTMLResponse)
async def edit_order(request: Request, session: CurrentSession, api: Api, order_id: UUID) -> Response:
    order = await _changeable(api, session, order_id)
    if order is None:
        return RedirectResponse(f"/purchase-orders/{order_id}", status_code=303)
    editor = OrderEditor.from_order(order)
    return _editor_page(request, editor=editor, action=f"/purchase-orders/{order_id}/edit", order=order)


@router.post("/purchase-orders/{order_id}/edit", response_class=HTMLResponse)
async def save_order(
    request: Request, session: CurrentSession, api: Api, form: CheckedForm, order_id: UUID
) -> Response:
    order = await _changeable(api, session, order_id)
    if order is None:
        return RedirectResponse(f"/purchase-orders/{order_id}", status_code=303)
    return await _save(request, api, form, order=order)


@router.get("/purchase-orders/{order_id}", response_class=HTMLResponse)
async def order_page(request: Request, session: CurrentSession, api: Api, order_id: UUID) -> HTMLResponse:
    return await _order_page(request, api, order_id)


@router.get("/purchase-orders/{order_id}/invoices", response_class=HTMLResponse)
async def order_invoices(request: Request, session: CurrentSession, api: Api, order_id: UUID) -> HTMLResponse:
    invoices = await api.get("/invoices", {"purchase_order_id": order_id})
    base = f"/purchase-orders/{order_id}"
    return panel(
        request, "partials/order_invoices.html", "Invoices of the order", base=base, invoices=invoices["items"]
    )


@router.post("/purchase-orders/{order_id}/acknowledge")
async def acknowledge(order_id: UUID, session: CurrentSession, api: Api, form: CheckedForm) -> Response:
    await api.post(f"/purchase-orders/{order_id}/acknowledge")
    return RedirectResponse(f"/purchase-orders/{order_id}?done=acknowledged", status_code=303)


async def _act(request: Request, api: GatewayApi, order_id: UUID, action: str, done: str) -> Response:
    """Send, cancel or close; a refusal (already canceled, not the person's to decide) is said on the page."""
    try:
        await api.post(f"/purchase-orders/{order_id}/{action}")
    except ApiProblem as problem:
        if not problem.about_the_input:
            raise
        return await _order_page(request, api, order_id, status_code=problem.status, refusal=_refusal(problem))
    return RedirectResponse(f"/purchase-orders/{order_id}?done={done}", status_code=303)


def _refusal(problem: ApiProblem) -> str:
    return "That could not be done. " + sentence(problem.detail or problem.title)


@router.post("/purchase-orders/{order_id}/submit", response_class=HTMLResponse)
async def send(request: Request, order_id: UUID, session: CurrentSession, api: Api, form: CheckedForm) -> Response:
    return await _act(request, api, order_id, "submit", "sent")


@router.post("/purchase-orders/{order_id}/cancel", response_class=HTMLResponse)
async def cancel(request: Request, order_id: UUID, session: CurrentSession, api: Api, form: CheckedForm) -> Response:
    return await _act(request, api, order_id, "cancel", "canceled")


@router.post("/purchase-orders/{order_id}/close", response_class=HTMLResponse)
async def close(request: Request, order_id: UUID, session: CurrentSession, api: Api, form: CheckedForm) -> Response:
    return await _act(request, api, order_id, "close", "closed")


@router.get("/purchase-orders/{order_id}/export.{fmt}")
async def export(order_id: UUID, fmt: str, session: CurrentSession, api: Api) -> Response:
    if fmt not in ("pdf", "xlsx"):
        return RedirectResponse(f"/purchase-orders/{order_id}", status_code=303)
    download = await api.download(f"/purchase-orders/{order_id}/export", {"format": fmt})
    return as_download(download, f"purchase-order.{fmt}")


collaboration.add_routes(router, "/purchase-orders", _order_page)
