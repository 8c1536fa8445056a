"""Purchase orders: the list, one order (lines, terms, acknowledge, exports, comments, files)."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.adapters.gateway_api import GatewayApi
from web.entrypoints import collaboration
from web.entrypoints.deps import Api, CheckedForm, CurrentSession
from web.entrypoints.downloads import as_download
from web.entrypoints.rendering import ORDER_STATUS_WORDS, list_page, panel, render

router = APIRouter(tags=["purchase orders"])

# Orders a supplier can still invoice (the API refuses the others anyway).
INVOICEABLE = {"sent", "acknowledged", "partially_invoiced"}


@router.get("/purchase-orders", response_class=HTMLResponse)
async def order_list(
    request: Request,
    session: CurrentSession,
    api: Api,
    status: str = "",
    supplier_id: str = "",
    number: str = "",
    cursor: str = "",
) -> HTMLResponse:
    return await list_page(
        request,
        api,
        path="/purchase-orders",
        template="orders.html",
        words=ORDER_STATUS_WORDS,
        status=status,
        cursor=cursor,
        supplier_id=_uuid_or_empty(supplier_id),
        number=number.strip()[:50],
    )


def _uuid_or_empty(value: str) -> str:
    try:
        return str(UUID(value)) if value else ""
    except ValueError:
        return ""


def unprocessed(order: dict[str, Any]) -> bool:
    return order.get("status") == "sent" and not order.get("acknowledged_at")


def can_invoice(order: dict[str, Any]) -> bool:
    remaining = any(float(line.get("remaining_quantity") or 0) > 0 for line in order.get("lines", []))
    return order.get("status") in INVOICEABLE and remaining


async def _order_page(
    request: Request, api: GatewayApi, order_id: UUID, *, status_code: int = 200, **changes: Any
) -> HTMLResponse:
    """The order; its invoices, comments and files follow once it is shown, unless a refusal of a
    comment or a file is to be shown with them now."""
    document = f"/purchase-orders/{order_id}"
    order, talk = await asyncio.gather(api.get(document), collaboration.refused(api, document, changes))
    return render(
        request,
        "order.html",
        status_code=status_code,
        order=order,
        talk=talk,
        unprocessed=unprocessed(order),
        can_invoice=can_invoice(order),
        done=request.query_params.get("done", ""),
    )


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


@router.get("/purchase-orders/{order_id}/export.{fmt}")
async def export(order_id: UUID, fmt: str, session: CurrentSession, api: Api) -> Response:
    if fmt not in ("pdf", "xlsx"):
        return RedirectResponse(f"/purchase-orders/{order_id}", status_code=303)
    download = await api.download(f"/purchase-orders/{order_id}/export", {"format": fmt})
    return as_download(download, f"purchase-order.{fmt}")


collaboration.add_routes(router, "/purchase-orders", _order_page)
