"""Invoices: the list, the editor (new from an order, or a draft or rejected one changed), one
invoice (status that follows the matching, why it is held, payments, comments, files), and the
buyer's decision on a held one."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from web.adapters.gateway_api import ApiProblem, GatewayApi
from web.domain.invoice_editor import Editor
from web.domain.numbers import finite_decimal
from web.domain.sessions import WebSession
from web.entrypoints import collaboration, credit_note_pages
from web.entrypoints.deps import Api, CheckedForm, CurrentSession
from web.entrypoints.downloads import as_download, uploaded_file
from web.entrypoints.editors import line_button, next_step, own_checks
from web.entrypoints.rendering import (
    INVOICE_STATUS_WORDS,
    FormErrors,
    list_page,
    post_one_field,
    render,
)
from web.entrypoints.supplier_choice import supplier_filter

router = APIRouter(tags=["invoices"])

EDITABLE = {"draft", "rejected"}
KINDS = {"invoice", "credit_note"}
# Statuses that a verdict or a person will still change: the page keeps looking.
SETTLING = {"matching"}
DONE_MESSAGES = {
    "saved": "The invoice was saved as a draft.",
    "submitted": "The invoice was submitted. It is being checked against the order.",
    "approved": "The invoice was approved.",
    "rejected": "The invoice was rejected; the supplier was told why.",
    "commented": "Your comment was added.",
    "paid": "The payment was recorded.",
    "attached": "The file was attached.",
}
PROBLEM_MESSAGES = {
    "scan": "The invoice was saved as a draft, but the file was not attached: the portal takes PDF, images, "
    "XLSX, CSV or text up to 10 MB. Attach it below, then submit.",
    "submit": "The invoice was saved as a draft but could not be submitted. Check it and submit it again.",
}


@router.get("/invoices", response_class=HTMLResponse)
async def invoice_list(
    request: Request,
    session: CurrentSession,
    api: Api,
    status: str = "",
    supplier_id: str = "",
    supplier: str = "",
    overdue: str = "",
    kind: str = "",
    cursor: str = "",
) -> HTMLResponse:
    chosen = await supplier_filter(api, session, supplier_id, supplier)
    return await list_page(
        request,
        api,
        path="/invoices",
        template="invoices.html",
        words=INVOICE_STATUS_WORDS,
        status=status,
        cursor=cursor,
        supplier_filter=chosen,
        # Only "true" filters: any other value shows every invoice, as an unticked box does.
        overdue="true" if overdue == "true" else "",
        kind=kind if kind in KINDS else "",
    )


async def _issue_date_required(api: GatewayApi, session: WebSession, order: dict[str, Any]) -> bool:
    """Whether the order's buyer requires an issue date, as its settings say now (the buyer's own
    staff, invoicing on a supplier's behalf, read them directly)."""
    if session.is_buyer:
        return bool((await api.get("/settings")).get("invoice_issue_date_required"))
    me = await api.get("/me")
    for organisation in me.get("organisations") or []:
        if organisation.get("supplier_id") == str(order.get("supplier_id")):
            return bool(organisation.get("invoice_issue_date_required"))
    return False


def _editor_page(
    request: Request,
    *,
    issue_date_required: bool,
    editor: Editor,
    order: dict[str, Any],
    action: str,
    errors: FormErrors | None = None,
    invoice: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "invoice_form.html",
        status_code=status_code,
        editor=editor,
        order=order,
        invoice=invoice,
        action=action,
        errors=errors or FormErrors(),
        issue_date_required=issue_date_required,
        totals=editor.totals(),
    )


@router.get("/invoices/new", response_class=HTMLResponse)
async def new_invoice(request: Request, session: CurrentSession, api: Api, purchase_order_id: UUID) -> HTMLResponse:
    order = await api.get(f"/purchase-orders/{purchase_order_id}")
    return _editor_page(
        request,
        issue_date_required=await _issue_date_required(api, request.state.session, order),
        editor=Editor.from_order(order),
        order=order,
        action=f"/invoices/new?purchase_order_id={purchase_order_id}",
    )


@router.get("/invoices/editor/totals", response_class=HTMLResponse)
async def editor_totals(request: Request, session: CurrentSession, currency: str = "EUR") -> HTMLResponse:
    """The totals of the lines as typed so far (htmx asks while the person types)."""
    editor = Editor.from_form(request.query_params, currency[:3] or "EUR")
    # Each line's net goes with it (out of band): the page shows what the person typed, priced.
    return render(request, "partials/invoice_totals.html", totals=editor.totals(), editor=editor, oob=True)


async def _save(
    request: Request,
    api: GatewayApi,
    form: FormData,
    *,
    order: dict[str, Any],
    action_url: str,
    invoice: dict[str, Any] | None,
) -> Response:
    """One press of a button of the editor: change the lines, or save (and submit)."""
    editor = Editor.from_form(form, str(order.get("currency") or "EUR"), order)
    action = str(form.get("action") or "save")
    issue_date_required = await _issue_date_required(api, request.state.session, order)

    def again(errors: FormErrors | None = None, status_code: int = 200) -> HTMLResponse:
        return _editor_page(
            request,
            issue_date_required=issue_date_required,
            editor=editor,
            order=order,
            action=action_url,
            errors=errors,
            invoice=invoice,
            status_code=status_code,
        )

    if (edited := line_button(action, editor, editor.with_new_item)) is not None:
        editor = edited
        return again()
    errors = own_checks(editor.problems(issue_date_required=issue_date_required), "invoice")
    if errors:
        return again(errors, 422)
    try:
        if invoice is None:
            invoice = await api.post("/invoices", {"purchase_order_id": order["id"], **editor.api_body()})
        else:
            invoice = await api.patch(f"/invoices/{invoice['id']}", editor.api_body())
    except ApiProblem as problem:
        if not problem.about_the_input:
            raise
        return again(FormErrors(problem), 422)
    assert invoice is not None
    page = f"/invoices/{invoice['id']}"
    scan = uploaded_file(form, "scan")
    if scan is not None:
        errors = await collaboration.add_attachment(
            api, page, form, request.app.state.settings.max_upload_bytes, field_name="scan"
        )
        if errors:
            return RedirectResponse(f"{page}/edit?problem=scan", status_code=303)
    if action == "submit":
        return await _submit(api, page)
    return RedirectResponse(f"{page}?done=saved", status_code=303)


async def _submit(api: GatewayApi, page: str) -> Response:
    return await next_step(api, page, "submit", done="submitted", refused="submit")


@router.post("/invoices/new", response_class=HTMLResponse)
async def create_invoice(
    request: Request, session: CurrentSession, api: Api, form: CheckedForm, purchase_order_id: UUID
) -> Response:
    order = await api.get(f"/purchase-orders/{purchase_order_id}")
    action_url = f"/invoices/new?purchase_order_id={purchase_order_id}"
    return await _save(request, api, form, order=order, action_url=action_url, invoice=None)


async def _editable(api: GatewayApi, invoice_id: UUID) -> tuple[dict[str, Any], dict[str, Any]]:
    invoice = await api.get(f"/invoices/{invoice_id}")
    order = await api.get(f"/purchase-orders/{invoice['purchase_order_id']}")
    return invoice, order


@router.get("/invoices/{invoice_id}/edit", response_class=HTMLResponse)
async def edit_invoice(request: Request, session: CurrentSession, api: Api, invoice_id: UUID) -> Response:
    invoice, order = await _editable(api, invoice_id)
    if invoice["status"] not in EDITABLE:
        return RedirectResponse(f"/invoices/{invoice_id}", status_code=303)
    if invoice.get("kind") == "credit_note":
        return await credit_note_pages.edit_credit_note(request, api, invoice)
    problem = PROBLEM_MESSAGES.get(request.query_params.get("problem", ""))
    return _editor_page(
        request,
        issue_date_required=await _issue_date_required(api, request.state.session, order),
        editor=Editor.from_invoice(invoice, order),
        order=order,
        action=f"/invoices/{invoice_id}/edit",
        invoice=invoice,
        errors=FormErrors(message=problem) if problem else None,
    )


@router.post("/invoices/{invoice_id}/edit", response_class=HTMLResponse)
async def save_invoice(
    request: Request, session: CurrentSession, api: Api, form: CheckedForm, invoice_id: UUID
) -> Response:
    invoice, order = await _editable(api, invoice_id)
    if invoice["status"] not in EDITABLE:
        return RedirectResponse(f"/invoices/{invoice_id}", status_code=303)
    if invoice.get("kind") == "credit_note":
        return await credit_note_pages.save_credit_note(request, api, form, invoice)
    action_url = f"/invoices/{invoice_id}/edit"
    return await _save(request, api, form, order=order, action_url=action_url, invoice=invoice)


async def _invoice_page(
    request: Request, api: GatewayApi, invoice_id: UUID, *, status_code: int = 200, **changes: Any
) -> HTMLResponse:
    page = f"/invoices/{invoice_id}"
    invoice, talk = await asyncio.gather(api.get(page), collaboration.refused(api, page, changes))
    matching = invoice.get("matching") or {}
    credits, credited = await _credits(api, invoice)
    problem = PROBLEM_MESSAGES.get(request.query_params.get("problem", ""))
    return render(
        request,
        "invoice.html",
        status_code=status_code,
        invoice=invoice,
        talk=talk,
        matching=matching,
        editable=invoice["status"] in EDITABLE,
        settling=invoice["status"] in SETTLING,
        done=_done_message(request.query_params.get("done", ""), invoice["status"]),
        problem=problem,
        reject_errors=changes.get("reject_errors") or FormErrors(),
        reject_reason=changes.get("reject_reason", ""),
        payment_errors=changes.get("payment_errors") or FormErrors(),
        payment_amount=changes.get("payment_amount"),
        amount_due=amount_due(invoice),
        credit_notes=credits,
        credited=credited,
        may_credit=credit_note_pages.may_credit(invoice),
    )


async def _credits(api: GatewayApi, invoice: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """An invoice's credit notes (once it can have any), or a credit note's invoice."""
    if invoice.get("kind") == "credit_note":
        return [], await api.get(f"/invoices/{invoice['credited_invoice_id']}")
    if invoice.get("status") not in credit_note_pages.CREDITABLE:
        return [], None
    found = await api.get("/invoices", {"credited_invoice_id": invoice["id"], "limit": 100})
    return list(found.get("items", [])), None


def paid_amount(typed: str) -> Decimal | None:
    """The amount a person typed, or None. A comma is refused rather than guessed at: "1,250" is a
    thousand and more in one convention and one and a quarter in another."""
    return None if "," in typed else finite_decimal(typed)


def amount_due(invoice: dict[str, Any]) -> Decimal:
    """What remains to be paid: the invoice's balance due (never below nothing)."""
    return max(Decimal(str(invoice.get("balance_due") or "0")), Decimal("0"))


def _done_message(done: str, status: str) -> str:
    """What the last action did, while it is still news (a submit is old news once decided)."""
    if done == "submitted" and status not in SETTLING:
        return ""
    return DONE_MESSAGES.get(done, "")


@router.get("/invoices/{invoice_id}", response_class=HTMLResponse)
async def invoice_page(request: Request, session: CurrentSession, api: Api, invoice_id: UUID) -> HTMLResponse:
    return await _invoice_page(request, api, invoice_id)


@router.get("/invoices/{invoice_id}/status")
async def invoice_status(session: CurrentSession, api: Api, invoice_id: UUID, shown: str = "") -> Response:
    """Asked every second by an invoice page while it is being matched: nothing while the status
    is the one the page shows, a reload once it has changed."""
    invoice = await api.get(f"/invoices/{invoice_id}")
    if invoice["status"] == shown:
        return Response(status_code=204)
    return Response(status_code=200, headers={"HX-Refresh": "true"})


@router.post("/invoices/{invoice_id}/submit")
async def submit(request: Request, session: CurrentSession, api: Api, form: CheckedForm, invoice_id: UUID) -> Response:
    return await _submit(api, f"/invoices/{invoice_id}")


@router.post("/invoices/{invoice_id}/approve")
async def approve(session: CurrentSession, api: Api, form: CheckedForm, invoice_id: UUID) -> Response:
    await api.post(f"/invoices/{invoice_id}/approve")
    return RedirectResponse(f"/invoices/{invoice_id}?done=approved", status_code=303)


@router.post("/invoices/{invoice_id}/reject", response_class=HTMLResponse)
async def reject(request: Request, session: CurrentSession, api: Api, form: CheckedForm, invoice_id: UUID) -> Response:
    reason = str(form.get("reason") or "")
    errors = FormErrors()
    if not reason.strip():
        errors.add("reason", "Say why the invoice is rejected: the supplier reads it.")
    else:
        errors = await post_one_field(api, f"/invoices/{invoice_id}/reject", "reason", reason)
    if errors:
        return await _invoice_page(
            request, api, invoice_id, status_code=422, reject_errors=errors, reject_reason=reason
        )
    return RedirectResponse(f"/invoices/{invoice_id}?done=rejected", status_code=303)


@router.post("/invoices/{invoice_id}/payments", response_class=HTMLResponse)
async def record_payment(
    request: Request, session: CurrentSession, api: Api, form: CheckedForm, invoice_id: UUID
) -> Response:
    typed = str(form.get("amount") or "").strip()
    errors = FormErrors()
    amount = paid_amount(typed)
    if amount is None:
        errors.add("amount", "Enter the amount paid as a number with a point for decimals, for example 1250.50.")
    else:
        path = f"/invoices/{invoice_id}/payments"
        errors = await post_one_field(api, path, "amount", typed, sent=str(amount), sentences=True)
    if errors:
        return await _invoice_page(
            request, api, invoice_id, status_code=422, payment_errors=errors, payment_amount=typed
        )
    return RedirectResponse(f"/invoices/{invoice_id}?done=paid", status_code=303)


@router.get("/invoices/{invoice_id}/export.pdf")
async def export(invoice_id: UUID, session: CurrentSession, api: Api) -> Response:
    return as_download(await api.download(f"/invoices/{invoice_id}/export", {"format": "pdf"}), "invoice.pdf")


collaboration.add_routes(router, "/invoices", _invoice_page)
