"""HTTP API of the orders service: thin translation between JSON and the use cases."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from orders.adapters.pages import order_document
from orders.entrypoints.deps import Uow
from orders.entrypoints.schemas import (
    LineOut,
    NumberSearch,
    PurchaseOrderCreate,
    PurchaseOrderOut,
    PurchaseOrderPage,
    PurchaseOrderPatch,
    PurchaseOrderSummary,
    StatusFilter,
)
from orders.service import commands, queries
from shared import json_documents
from shared.pagination import CursorParam, LimitParam, decode_cursor, page_of
from shared.runtime import CurrentPrincipal
from shared.uploads import XLSX, download

router = APIRouter(prefix="/api/v1", tags=["purchase orders"])


@router.post("/purchase-orders", status_code=status.HTTP_201_CREATED, response_model=PurchaseOrderOut)
async def create_purchase_order(body: PurchaseOrderCreate, caller: CurrentPrincipal, uow: Uow) -> PurchaseOrderOut:
    order = await commands.create_purchase_order(
        uow,
        caller,
        supplier_id=body.supplier_id,
        currency=body.currency,
        delivery_date=body.delivery_date,
        lines=[line.to_domain() for line in body.lines],
        delivery_address=body.delivery_address,
        match_against_receipts=body.match_against_receipts,
    )
    return PurchaseOrderOut.of(order)


# Each order of a page is written by PostgreSQL as PurchaseOrderOut writes it (orders.adapters.pages).
ORDER_DOCUMENT = order_document(PurchaseOrderOut, LineOut)


@router.get("/purchase-orders", response_model=PurchaseOrderPage)
async def list_purchase_orders(
    caller: CurrentPrincipal,
    uow: Uow,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
    status: StatusFilter | None = None,
    supplier_id: UUID | None = None,
    open_only: Annotated[
        bool | None,
        Query(alias="open", description="true: only open orders (sent, acknowledged, partially invoiced)"),
    ] = None,
    number: Annotated[
        NumberSearch | None,
        Query(description='orders whose number holds this text, in any case ("0042" finds PO-000042)'),
    ] = None,
) -> Response:
    found = await queries.list_purchase_orders(
        uow,
        caller,
        ORDER_DOCUMENT,
        limit=limit + 1,
        after=decode_cursor(cursor),
        status=status,
        supplier_id=supplier_id,
        open_only=open_only,
        number=number,
    )
    documents, next_cursor = page_of(found, limit, lambda o: o.document)
    return Response(json_documents.page(documents, next_cursor), media_type="application/json")


# Declared before /purchase-orders/{order_id}, which would otherwise take "summary" for an id.
@router.get("/purchase-orders/summary", response_model=PurchaseOrderSummary)
async def summarize_purchase_orders(caller: CurrentPrincipal, uow: Uow) -> PurchaseOrderSummary:
    counts = await queries.summarize(uow, caller)
    return PurchaseOrderSummary(
        unprocessed_orders=counts.unprocessed_orders,
        open_orders=counts.open_orders,
        orders_by_status=counts.orders_by_status,
    )


@router.get("/purchase-orders/{order_id}", response_model=PurchaseOrderOut)
async def get_purchase_order(order_id: UUID, caller: CurrentPrincipal, uow: Uow) -> PurchaseOrderOut:
    return PurchaseOrderOut.of(await queries.get_purchase_order(uow, caller, order_id))


@router.patch("/purchase-orders/{order_id}", response_model=PurchaseOrderOut)
async def patch_purchase_order(
    order_id: UUID, body: PurchaseOrderPatch, caller: CurrentPrincipal, uow: Uow
) -> PurchaseOrderOut:
    order = await commands.revise(
        uow,
        caller,
        order_id,
        delivery_date=body.delivery_date,
        lines=[line.to_domain() for line in body.lines] if body.lines is not None else None,
        delivery_address=body.delivery_address,
        match_against_receipts=body.match_against_receipts,
    )
    return PurchaseOrderOut.of(order)


@router.post("/purchase-orders/{order_id}/submit", response_model=PurchaseOrderOut)
async def submit_purchase_order(order_id: UUID, caller: CurrentPrincipal, uow: Uow) -> PurchaseOrderOut:
    """Send the draft to the supplier: its initiator or a buyer admin, as for editing it (403 for others)."""
    return PurchaseOrderOut.of(await commands.submit(uow, caller, order_id))


@router.post("/purchase-orders/{order_id}/acknowledge", response_model=PurchaseOrderOut)
async def acknowledge_purchase_order(order_id: UUID, caller: CurrentPrincipal, uow: Uow) -> PurchaseOrderOut:
    """The supplier acknowledges the order as it stands: a sent order, or the buyer's change to an
    acknowledged one (``change_unacknowledged``); 409 when there is nothing new to acknowledge."""
    return PurchaseOrderOut.of(await commands.acknowledge(uow, caller, order_id))


@router.post("/purchase-orders/{order_id}/cancel", response_model=PurchaseOrderOut)
async def cancel_purchase_order(order_id: UUID, caller: CurrentPrincipal, uow: Uow) -> PurchaseOrderOut:
    return PurchaseOrderOut.of(await commands.cancel(uow, caller, order_id))


@router.post("/purchase-orders/{order_id}/close", response_model=PurchaseOrderOut)
async def close_purchase_order(order_id: UUID, caller: CurrentPrincipal, uow: Uow) -> PurchaseOrderOut:
    return PurchaseOrderOut.of(await commands.close(uow, caller, order_id))


@router.get(
    "/purchase-orders/{order_id}/export",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, XLSX: {}}, "description": "the purchase order as a document"}},
)
async def export_purchase_order(
    order_id: UUID,
    caller: CurrentPrincipal,
    uow: Uow,
    export_format: Annotated[str, Query(alias="format", description="pdf or xlsx")] = "pdf",
) -> Response:
    document = await queries.export_purchase_order(uow, caller, order_id, export_format)
    return download(document.filename, document.media_type, document.content)
