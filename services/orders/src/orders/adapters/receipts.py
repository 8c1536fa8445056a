"""Stores the goods receipts of orders: added once, updated when reversed, listed per order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from orders.adapters.tables import goods_receipts
from orders.domain.errors import GoodsReceiptNotFound
from orders.domain.receipts import GoodsReceipt, ReceiptLine
from shared.fields import made_of, values_of


def _receipt(row: Row[Any]) -> GoodsReceipt:
    lines = tuple(
        ReceiptLine(purchase_order_line_id=UUID(line["purchase_order_line_id"]), quantity=Decimal(line["quantity"]))
        for line in row.lines
    )
    return made_of(GoodsReceipt, row, lines=lines)


def _row(receipt: GoodsReceipt) -> dict[str, Any]:
    lines = [
        {"purchase_order_line_id": str(line.purchase_order_line_id), "quantity": format(line.quantity, "f")}
        for line in receipt.lines
    ]
    return values_of(goods_receipts.c.keys(), receipt, lines=lines)


class GoodsReceiptBook:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def count(self, purchase_order_id: UUID) -> int:
        """How many receipts the order has, reversed ones included (the caller holds the order's lock)."""
        query = (
            select(func.count())
            .select_from(goods_receipts)
            .where(goods_receipts.c.purchase_order_id == purchase_order_id)
        )
        return int((await self._session.execute(query)).scalar_one())

    async def add(self, receipt: GoodsReceipt) -> None:
        await self._session.execute(goods_receipts.insert().values(_row(receipt)))

    async def update(self, receipt: GoodsReceipt) -> None:
        values = _row(receipt)
        await self._session.execute(update(goods_receipts).where(goods_receipts.c.id == receipt.id).values(values))

    async def get(self, purchase_order_id: UUID, receipt_id: UUID) -> GoodsReceipt:
        query = select(goods_receipts).where(
            goods_receipts.c.id == receipt_id, goods_receipts.c.purchase_order_id == purchase_order_id
        )
        row = (await self._session.execute(query)).first()
        if row is None:
            raise GoodsReceiptNotFound()
        return _receipt(row)

    async def of_purchase_order(self, purchase_order_id: UUID) -> list[GoodsReceipt]:
        """The order's receipts, oldest first."""
        query = (
            select(goods_receipts)
            .where(goods_receipts.c.purchase_order_id == purchase_order_id)
            .order_by(goods_receipts.c.recorded_at, goods_receipts.c.number)
        )
        return [_receipt(row) for row in (await self._session.execute(query)).all()]
