"""Use cases of goods receipts: the buyer records and reverses them; both sides read them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID, uuid4

from orders.domain.model import PurchaseOrder
from orders.domain.receipts import GoodsReceipt, ReceiptLineInput, clean_note
from orders.service.commands import now
from orders.service.unit_of_work import UnitOfWork
from shared.auth import Principal


async def record_receipt(
    uow: UnitOfWork,
    caller: Principal,
    order_id: UUID,
    *,
    received_on: date,
    lines: Sequence[ReceiptLineInput],
    note: str | None,
) -> tuple[PurchaseOrder, GoodsReceipt]:
    """Any buyer user of the order's tenant records what arrived (the goods-in desk is rarely the
    order's initiator)."""
    async with uow:
        # Locked: receipts of one order are numbered and counted one at a time.
        order = await uow.purchase_orders.get(order_id, scope=caller, for_update=True)
        caller.require_buyer()
        receipt = order.record_receipt(
            receipt_id=uuid4(),
            sequence=await uow.receipts.count(order.id) + 1,
            received_on=received_on,
            lines=lines,
            note=clean_note(note),
            recorded_by=caller.user_id,
            now=now(),
        )
        await uow.receipts.add(receipt)
        await uow.save(order)
        await uow.commit()
    return order, receipt


async def reverse_receipt(
    uow: UnitOfWork, caller: Principal, order_id: UUID, receipt_id: UUID
) -> tuple[PurchaseOrder, GoodsReceipt]:
    async with uow:
        order = await uow.purchase_orders.get(order_id, scope=caller, for_update=True)
        caller.require_buyer()
        receipt = order.reverse_receipt(
            await uow.receipts.get(order.id, receipt_id), reversed_by=caller.user_id, now=now()
        )
        await uow.receipts.update(receipt)
        await uow.save(order)
        await uow.commit()
    return order, receipt


async def list_receipts(uow: UnitOfWork, caller: Principal, order_id: UUID) -> tuple[PurchaseOrder, list[GoodsReceipt]]:
    """The order's receipts, oldest first, for whoever may see the order (the supplier its own)."""
    async with uow:
        order = await uow.purchase_orders.get(order_id, scope=caller)
        return order, await uow.receipts.of_purchase_order(order.id)
