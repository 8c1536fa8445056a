"""Purchase orders: the list, one order (lines, terms, acknowledge, exports, comments, files)."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.adapters.gateway_api import GatewayApi
from web.entrypoints import collaboration
from web.entrypoints.collaboration import Collaboration
from web.entrypoints.deps import Api, CheckedForm, CurrentSession
from web.entrypoints.downloads import as_download
from web.entrypoints.rendering import ORDER_STATUS_WORDS, render

router = APIRouter(tags=["purchase orders"])

PAGE_SIZE = 25
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
    status = status if status in ORDER_STATUS_WORDS else ""
    number = number.strip()[:50]
    params = {"limit": PAGE_SIZE, "status": status, "supplier_id": _uuid_or_empty(supplier_id), "number": number}
    page = await api.get("/purchase-orders", params | {"cursor": cursor})
    filters = {k: v for k, v in params.items() if k != "limit" and v}
    return render(
        request,
        "orders.html",
        orders=page["items"],
        next_cursor=page.get("next_cursor"),
        filters=filters,
        status=status,
        supplier_id=params["supplier_id"],
        number=number,
        first_page=bool(cursor),
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
    document = f"/purchase-orders/{order_id}"
    order, talk, invoices = await asyncio.gather(
        api.get(document), collaboration.load(api, document), api.get("/invoices", {"purchase_order_id": order_id})
    )
    for name, value in changes.items():
        setattr(talk, name, value)
    return render(
        request,
        "order.html",
        status_code=status_code,
        order=order,
        talk=talk,
        invoices=invoices["items"],
        unprocessed=unprocessed(order),
        can_invoice=can_invoice(order),
        done=request.query_params.get("done", ""),
    )


@router.get("/purchase-orders/{order_id}", response_class=HTMLResponse)
async def order_page(request: Request, session: CurrentSession, api: Api, order_id: UUID) -> HTMLResponse:
    return await _order_page(request, api, order_id)


@router.post("/purchase-orders/{order_id}/acknowledge")
async def acknowledge(order_id: UUID, session: CurrentSession, api: Api, form: CheckedForm) -> Response:
    await api.post(f"/purchase-orders/{order_id}/acknowledge")
    return RedirectResponse(f"/purchase-orders/{order_id}?done=acknowledged", status_code=303)


@router.post("/purchase-orders/{order_id}/comments", response_class=HTMLResponse)
async def comment(request: Request, order_id: UUID, session: CurrentSession, api: Api, form: CheckedForm) -> Response:
    errors, text = await collaboration.add_comment(api, f"/purchase-orders/{order_id}", form)
    if errors:
        return await _order_page(request, api, order_id, status_code=422, comment_errors=errors, comment_text=text)
    return RedirectResponse(f"/purchase-orders/{order_id}?done=commented#comments", status_code=303)


@router.post("/purchase-orders/{order_id}/attachments", response_class=HTMLResponse)
async def attach(request: Request, order_id: UUID, session: CurrentSession, api: Api, form: CheckedForm) -> Response:
    limit = request.app.state.settings.max_upload_bytes
    errors = await collaboration.add_attachment(api, f"/purchase-orders/{order_id}", form, limit)
    if errors:
        return await _order_page(request, api, order_id, status_code=422, attachment_errors=errors)
    return RedirectResponse(f"/purchase-orders/{order_id}?done=attached#attachments", status_code=303)


@router.get("/purchase-orders/{order_id}/attachments/{attachment_id}")
async def attachment(order_id: UUID, attachment_id: UUID, session: CurrentSession, api: Api) -> Response:
    download = await api.download(f"/purchase-orders/{order_id}/attachments/{attachment_id}")
    return as_download(download, "attachment")


@router.get("/purchase-orders/{order_id}/export.{fmt}")
async def export(order_id: UUID, fmt: str, session: CurrentSession, api: Api) -> Response:
    if fmt not in ("pdf", "xlsx"):
        return RedirectResponse(f"/purchase-orders/{order_id}", status_code=303)
    download = await api.download(f"/purchase-orders/{order_id}/export", {"format": fmt})
    return as_download(download, f"purchase-order.{fmt}")


__all__ = ["Collaboration", "router"]
