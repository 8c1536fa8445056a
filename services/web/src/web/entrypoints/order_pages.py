"""Purchase orders: the list, one order (lines, terms, exports, comments, files), the supplier's
acknowledgement, and the buyer's sending, canceling and closing (after a confirmation). The
buyer's line editor is ``order_editor_pages``."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.adapters.gateway_api import ApiProblem, GatewayApi
from web.domain.receipt_form import ReceiptForm
from web.domain.sessions import WebSession
from web.entrypoints import collaboration
from web.entrypoints.deps import Api, CheckedForm, CurrentSession
from web.entrypoints.downloads import as_download
from web.entrypoints.rendering import (
    ORDER_STATUS_WORDS,
    FormErrors,
    list_page,
    marked_below,
    panel,
    refusal_message,
    render,
    sentence,
)
from web.entrypoints.supplier_choice import supplier_filter

router = APIRouter(tags=["purchase orders"])

# Orders a supplier can still invoice (the API refuses the others anyway).
INVOICEABLE = {"sent", "acknowledged", "partially_invoiced"}
# Orders the buyer may still change: a draft quietly, an open one with an email to the supplier.
CHANGEABLE = {"draft", "sent", "acknowledged", "partially_invoiced"}
FINAL = {"canceled", "closed"}
# The fields of the "Record receipt" form that show a message beside them.
RECEIPT_FIELDS = re.compile(r"received_on|note|lines|lines\.\d+\.quantity")
# Orders whose goods the buyer records as received (and whose receipts it reverses).
RECEIVING = {"sent", "acknowledged", "partially_invoiced", "fully_invoiced"}
# What the page says after a receipt was recorded or reversed: the receipts come with it.
RECEIPT_OUTCOMES = {"received", "reversed"}
DONE_MESSAGES = {
    "acknowledged": "You acknowledged this order. The buyer can see it.",
    "changes_acknowledged": "You acknowledged the buyer's changes. The buyer can see it.",
    "commented": "Your comment was added.",
    "attached": "The file was attached.",
    "saved": "The draft was saved. The supplier sees nothing of it until you send it.",
    "sent": "The order was sent. The supplier receives it by email, with the PDF, and sees it in the portal.",
    "changed": "The order was changed. The supplier was emailed what changed.",
    "unchanged": "Nothing was changed: the order is as it was.",
    "canceled": "The order was canceled.",
    "closed": "The order was closed.",
    "received": "The goods receipt was recorded. The supplier sees it with the order.",
    "reversed": "The goods receipt was reversed: its goods no longer count as received.",
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
        "sent": "The order ends: the supplier sees it as canceled in the portal and is told by email. An invoice "
        "submitted against it from now on is held for your approval instead of being approved on its own. "
        "This cannot be undone.",
    },
    "close": {
        "heading": "Close this order?",
        "button": "Yes, close the order",
        "sent": "The order is complete: nothing more is expected on it. The supplier sees it as closed in the "
        "portal and is told by email. An invoice submitted against it from now on is held for your approval "
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
        supplier_filter=chosen,
        number=number.strip()[:50],
    )


def unprocessed(order: dict[str, Any]) -> bool:
    """New and not yet acknowledged, or changed by the buyer since the acknowledgement (as the
    API's summary counts them)."""
    new = order.get("status") == "sent" and not order.get("acknowledged_at")
    return new or bool(order.get("change_unacknowledged"))


def can_invoice(order: dict[str, Any]) -> bool:
    remaining = any(float(line.get("remaining_quantity") or 0) > 0 for line in order.get("lines", []))
    return order.get("status") in INVOICEABLE and remaining


def may_manage(session: WebSession, order: dict[str, Any]) -> bool:
    """Editing, sending, canceling and closing: the order's initiator and the buyer's admins (as the API rules)."""
    return session.is_buyer and (
        session.role == "buyer_admin" or str(order.get("initiator_id")) == str(session.user_id)
    )


async def _order_page(
    request: Request,
    api: GatewayApi,
    order_id: UUID,
    *,
    status_code: int = 200,
    refusal: str = "",
    receipt_form: ReceiptForm | None = None,
    receipt_errors: FormErrors | None = None,
    **changes: Any,
) -> HTMLResponse:
    """The order; its goods receipts, invoices, comments and files follow once it is shown. The
    receipts come with it when the page is about them: a refused "Record receipt" form
    (``receipt_form`` and ``receipt_errors``, shown again as typed), a reversal to confirm, or one
    just recorded or reversed; the comments and files when a refusal of one is to be shown."""
    document = f"/purchase-orders/{order_id}"
    session: WebSession = request.state.session
    reversing = request.query_params.get("reverse", "")
    done = request.query_params.get("done", "")
    about_receipts = receipt_form is not None or bool(reversing) or done in RECEIPT_OUTCOMES
    # The buyer's staff invoice on a supplier's behalf only while the supplier portal is off.
    settings = api.get("/settings") if session.is_buyer else _nothing()
    receipts = api.get(f"{document}/receipts") if about_receipts else _nothing()
    order, talk, organisation, receipts_found = await asyncio.gather(
        api.get(document), collaboration.refused(api, document, changes), settings, receipts
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
        done=DONE_MESSAGES.get(done, ""),
        problem=refusal or PROBLEM_MESSAGES.get(request.query_params.get("problem", ""), ""),
        receipts_shown=about_receipts,
        **(
            _receipts(session, order, receipts_found["items"], reversing, receipt_form, receipt_errors)
            if about_receipts
            else {}
        ),
    )


def _receipts(
    session: WebSession,
    order: dict[str, Any],
    receipts: list[dict[str, Any]],
    reversing: str,
    receipt_form: ReceiptForm | None = None,
    receipt_errors: FormErrors | None = None,
) -> dict[str, Any]:
    """What the goods receipts' part of an order shows: the receipts, and for the buyer the
    "Record receipt" form (prefilled, or as typed when refused) and the reversal to confirm."""
    receiving = session.is_buyer and order["status"] in RECEIVING
    return {
        "receipts": receipts,
        "receiving": receiving,
        "receipt_form": receipt_form or ReceiptForm.for_order(order, datetime.now(UTC).date()),
        "receipt_errors": receipt_errors or FormErrors(),
        "reverse_confirm": next(
            (r for r in receipts if receiving and r["id"] == reversing and r["status"] == "recorded"), None
        ),
    }


async def _nothing() -> dict[str, Any]:
    return {}


def _confirmation(action: str, order: dict[str, Any]) -> dict[str, str] | None:
    words = CONFIRMATIONS.get(action)
    if words is None or order["status"] in FINAL:
        return None
    what = words.get("draft" if order["status"] == "draft" else "sent")
    return {"action": action, "heading": words["heading"], "button": words["button"], "what": what} if what else None


@router.get("/purchase-orders/{order_id}", response_class=HTMLResponse)
async def order_page(request: Request, session: CurrentSession, api: Api, order_id: UUID) -> HTMLResponse:
    return await _order_page(request, api, order_id)


@router.get("/purchase-orders/{order_id}/receipts", response_class=HTMLResponse)
async def order_receipts(request: Request, session: CurrentSession, api: Api, order_id: UUID) -> HTMLResponse:
    """The goods receipts' part of an order, asked for once the order is shown (the order's lines
    make the "Record receipt" form)."""
    document = f"/purchase-orders/{order_id}"
    order, receipts = await asyncio.gather(api.get(document), api.get(f"{document}/receipts"))
    return panel(
        request,
        "partials/order_receipts.html",
        f"Goods receipts of order {order['number']}",
        base=document,
        order=order,
        **_receipts(session, order, receipts["items"], request.query_params.get("reverse", "")),
    )


@router.get("/purchase-orders/{order_id}/invoices", response_class=HTMLResponse)
async def order_invoices(request: Request, session: CurrentSession, api: Api, order_id: UUID) -> HTMLResponse:
    invoices = await api.get("/invoices", {"purchase_order_id": order_id})
    base = f"/purchase-orders/{order_id}"
    return panel(
        request, "partials/order_invoices.html", "Invoices of the order", base=base, invoices=invoices["items"]
    )


@router.post("/purchase-orders/{order_id}/acknowledge")
async def acknowledge(order_id: UUID, session: CurrentSession, api: Api, form: CheckedForm) -> Response:
    """The order, or the buyer's changes to it (the same API call acknowledges what is new)."""
    await api.post(f"/purchase-orders/{order_id}/acknowledge")
    done = "changes_acknowledged" if form.get("changes") else "acknowledged"
    return RedirectResponse(f"/purchase-orders/{order_id}?done={done}", status_code=303)


async def _act(request: Request, api: GatewayApi, order_id: UUID, action: str, done: str) -> Response:
    """Send, cancel or close; a refusal (already canceled, not the person's to decide) is said on the page."""
    try:
        await api.post(f"/purchase-orders/{order_id}/{action}")
    except ApiProblem as problem:
        if not problem.about_the_input:
            raise
        return await _order_page(request, api, order_id, status_code=problem.status, refusal=refusal_message(problem))
    return RedirectResponse(f"/purchase-orders/{order_id}?done={done}", status_code=303)


@router.post("/purchase-orders/{order_id}/submit", response_class=HTMLResponse)
async def send(request: Request, order_id: UUID, session: CurrentSession, api: Api, form: CheckedForm) -> Response:
    return await _act(request, api, order_id, "submit", "sent")


@router.post("/purchase-orders/{order_id}/cancel", response_class=HTMLResponse)
async def cancel(request: Request, order_id: UUID, session: CurrentSession, api: Api, form: CheckedForm) -> Response:
    return await _act(request, api, order_id, "cancel", "canceled")


@router.post("/purchase-orders/{order_id}/close", response_class=HTMLResponse)
async def close(request: Request, order_id: UUID, session: CurrentSession, api: Api, form: CheckedForm) -> Response:
    return await _act(request, api, order_id, "close", "closed")


@router.post("/purchase-orders/{order_id}/receipts", response_class=HTMLResponse)
async def record_receipt(
    request: Request, order_id: UUID, session: CurrentSession, api: Api, form: CheckedForm
) -> Response:
    """The buyer's "Record receipt": what arrived per line; what is refused is shown beside its field."""
    order = await api.get(f"/purchase-orders/{order_id}")
    receipt = ReceiptForm.from_form(form, order)
    found = receipt.problems()
    if found:
        errors = FormErrors(message=marked_below("receipt"))
        for name, message in found.items():
            errors.add(name, message)
        return await _order_page(request, api, order_id, status_code=422, receipt_form=receipt, receipt_errors=errors)
    try:
        await api.post(f"/purchase-orders/{order_id}/receipts", receipt.api_body())
    except ApiProblem as problem:
        if not problem.about_the_input:
            raise
        errors = FormErrors()
        for name, message in problem.field_errors().items():
            errors.add(receipt.form_field(name), sentence(message))
        beside = errors.fields and all(RECEIPT_FIELDS.fullmatch(name) for name in errors.fields)
        errors.message = marked_below("receipt") if beside else sentence(problem.detail or problem.title)
        return await _order_page(
            request, api, order_id, status_code=problem.status, receipt_form=receipt, receipt_errors=errors
        )
    return RedirectResponse(f"/purchase-orders/{order_id}?done=received#receipts", status_code=303)


@router.post("/purchase-orders/{order_id}/receipts/{receipt_id}/reverse", response_class=HTMLResponse)
async def reverse_receipt(
    request: Request, order_id: UUID, receipt_id: UUID, session: CurrentSession, api: Api, form: CheckedForm
) -> Response:
    try:
        await api.post(f"/purchase-orders/{order_id}/receipts/{receipt_id}/reverse")
    except ApiProblem as problem:
        if not problem.about_the_input:
            raise
        return await _order_page(request, api, order_id, status_code=problem.status, refusal=refusal_message(problem))
    return RedirectResponse(f"/purchase-orders/{order_id}?done=reversed#receipts", status_code=303)


@router.get("/purchase-orders/{order_id}/export.{fmt}")
async def export(order_id: UUID, fmt: str, session: CurrentSession, api: Api) -> Response:
    if fmt not in ("pdf", "xlsx"):
        return RedirectResponse(f"/purchase-orders/{order_id}", status_code=303)
    download = await api.download(f"/purchase-orders/{order_id}/export", {"format": fmt})
    return as_download(download, f"purchase-order.{fmt}")


collaboration.add_routes(router, "/purchase-orders", _order_page)
