"""HTTP API of goods receipts: the buyer records and reverses them; both sides list them."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from orders.entrypoints.deps import Uow
from orders.entrypoints.receipt_schemas import GoodsReceiptCreate, GoodsReceiptList, GoodsReceiptOut
from orders.service import receipts
from shared.runtime import CurrentPrincipal

router = APIRouter(prefix="/api/v1/purchase-orders/{order_id}/receipts", tags=["goods receipts"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=GoodsReceiptOut)
async def record_goods_receipt(
    order_id: UUID, body: GoodsReceiptCreate, caller: CurrentPrincipal, uow: Uow
) -> GoodsReceiptOut:
    """A buyer user records what arrived of a sent, acknowledged or invoiced order (409 on a draft,
    canceled or closed one); each line's ``received_quantity`` grows by it (``GoodsReceiptRecorded``).
    A line may not be received beyond its ordered quantity (422 naming the line)."""
    order, receipt = await receipts.record_receipt(
        uow,
        caller,
        order_id,
        received_on=body.received_on,
        lines=[line.to_domain() for line in body.lines],
        note=body.note,
    )
    return GoodsReceiptOut.of(receipt, order)


@router.get("", response_model=GoodsReceiptList)
async def list_goods_receipts(order_id: UUID, caller: CurrentPrincipal, uow: Uow) -> GoodsReceiptList:
    order, found = await receipts.list_receipts(uow, caller, order_id)
    return GoodsReceiptList(items=[GoodsReceiptOut.of(receipt, order) for receipt in found])


@router.post("/{receipt_id}/reverse", response_model=GoodsReceiptOut)
async def reverse_goods_receipt(
    order_id: UUID, receipt_id: UUID, caller: CurrentPrincipal, uow: Uow
) -> GoodsReceiptOut:
    """The receipt no longer counts as received (``GoodsReceiptReversed``); 409 when it already is
    reversed, or the order is canceled or closed."""
    order, receipt = await receipts.reverse_receipt(uow, caller, order_id, receipt_id)
    return GoodsReceiptOut.of(receipt, order)
