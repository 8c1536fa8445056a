"""The buyer's purchase order editor: a new order, a draft, a change of a sent order (the supplier
is emailed what changed); the net per line and the total as one types, the supplier's currency
once one is chosen. Registered before the order's own pages: ``/purchase-orders/new`` is no order."""

from __future__ import annotations

import asyncio
import re
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from web.adapters.gateway_api import ApiProblem, GatewayApi
from web.domain.order_editor import OrderEditor, lines_may_change
from web.domain.sessions import WebSession
from web.entrypoints.deps import Api, CheckedForm, CurrentSession
from web.entrypoints.editors import editor_refusal, line_button, next_step, own_checks
from web.entrypoints.order_pages import CHANGEABLE, may_manage
from web.entrypoints.rendering import FormErrors, render, uuid_or_empty
from web.entrypoints.supplier_choice import active, all_suppliers

router = APIRouter(tags=["purchase orders"])

# The fields the editor shows a message beside; what the API refuses elsewhere is said at the top.
EDITOR_FIELDS = re.compile(
    r"supplier_id|currency|delivery_date|delivery_address|lines|lines\.\d+\.(description|sku|unit|quantity|unit_price)"
)


@router.get("/purchase-orders/new", response_class=HTMLResponse)
async def new_order(request: Request, session: CurrentSession, api: Api, supplier_id: str = "") -> Response:
    if not session.is_buyer:
        return RedirectResponse("/purchase-orders", status_code=303)
    suppliers, settings = await asyncio.gather(all_suppliers(api), api.get("/settings"))
    suppliers = active(suppliers)
    chosen = next((s for s in suppliers if str(s["id"]) == supplier_id), None)
    # A new order matches against receipts as the organisation says, until the buyer says otherwise.
    three_way = bool(settings.get("three_way_matching"))
    editor = (
        OrderEditor.new(str(chosen["id"]), str(chosen["currency"]), match_against_receipts=three_way)
        if chosen
        else OrderEditor.new(match_against_receipts=three_way)
    )
    return _editor_page(request, editor=editor, suppliers=suppliers, action="/purchase-orders/new")


@router.get("/purchase-orders/editor/totals", response_class=HTMLResponse)
async def editor_totals(request: Request, session: CurrentSession) -> HTMLResponse:
    """The net per line and the totals of the lines as typed so far (htmx asks while the person types)."""
    editor = OrderEditor.from_form(request.query_params)
    editor.currency = editor.currency[:3]
    return render(request, "partials/invoice_totals.html", editor=editor, totals=editor.totals(), oob=True)


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
        totals=editor.totals(),
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

    if not locked and (edited := line_button(action, editor, editor.with_new_line)) is not None:
        editor = edited
        return again()
    editor = editor.without_untouched_lines()
    errors = own_checks(editor.problems(had_delivery_date=bool(order and order.get("delivery_date"))), "order")
    if errors:
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
        return await next_step(api, page, "submit", done="sent", refused="send")
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
