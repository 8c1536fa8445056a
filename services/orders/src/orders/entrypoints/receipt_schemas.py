"""Request and response bodies of goods receipts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from orders.domain.model import PurchaseOrder
from orders.domain.receipts import NOTE_MAX_LENGTH, QUANTITY_DECIMALS, GoodsReceipt, ReceiptLineInput
from orders.entrypoints.schemas import plain_decimal
from shared.contracts.base import DecimalStr

RECEIPT_NUMBER_DOC = (
    "the order's number, \"-GR\" and the receipt's place among the order's receipts, reversed ones "
    'included: "PO-000042-GR1", "PO-000042-GR2"'
)


class ReceiptLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purchase_order_line_id: UUID
    quantity: Decimal = Field(
        gt=0,
        max_digits=18,
        decimal_places=QUANTITY_DECIMALS,
        description="what arrived of the line; with the receipts before it, at most the ordered quantity",
    )

    @field_validator("quantity")
    @classmethod
    def _plain_notation(cls, value: Decimal) -> Decimal:
        return plain_decimal(value)

    def to_domain(self) -> ReceiptLineInput:
        return ReceiptLineInput(self.purchase_order_line_id, self.quantity)


class GoodsReceiptCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    received_on: date = Field(description="the day the goods arrived; not after today (UTC)")
    lines: list[ReceiptLineIn] = Field(
        min_length=1, max_length=500, description="each a line of the order, at most once"
    )
    note: str | None = Field(None, max_length=NOTE_MAX_LENGTH, description="trimmed; empty is none")


class ReceiptLineOut(BaseModel):
    purchase_order_line_id: UUID
    line_no: int | None = Field(None, description="the order line's number")
    description: str | None = Field(None, description="the order line's description")
    quantity: DecimalStr


class GoodsReceiptOut(BaseModel):
    id: UUID
    purchase_order_id: UUID
    number: str = Field(description=RECEIPT_NUMBER_DOC)
    received_on: date
    note: str | None
    status: Literal["recorded", "reversed"] = Field(description="a reversed receipt no longer counts as received")
    lines: list[ReceiptLineOut]
    recorded_by: UUID
    recorded_at: datetime
    reversed_by: UUID | None
    reversed_at: datetime | None

    @classmethod
    def of(cls, receipt: GoodsReceipt, order: PurchaseOrder) -> GoodsReceiptOut:
        order_lines = {line.id: line for line in order.lines}
        lines = []
        for line in receipt.lines:
            order_line = order_lines.get(line.purchase_order_line_id)
            lines.append(
                ReceiptLineOut(
                    purchase_order_line_id=line.purchase_order_line_id,
                    line_no=order_line.line_no if order_line else None,
                    description=order_line.description if order_line else None,
                    quantity=line.quantity,
                )
            )
        return cls(
            id=receipt.id,
            purchase_order_id=receipt.purchase_order_id,
            number=receipt.number,
            received_on=receipt.received_on,
            note=receipt.note,
            status=receipt.status,
            lines=lines,
            recorded_by=receipt.recorded_by,
            recorded_at=receipt.recorded_at,
            reversed_by=receipt.reversed_by,
            reversed_at=receipt.reversed_at,
        )


class GoodsReceiptList(BaseModel):
    items: list[GoodsReceiptOut] = Field(description="oldest first, reversed ones included")
