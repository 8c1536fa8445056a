"""Goods receipts: what the buyer records as arrived of a purchase order on one day.

Plain Python. A receipt counts in its lines' ``received_quantity`` until it is reversed; a
reversed receipt stays (history) and counts for nothing. A receipt never takes a line beyond
what was ordered: the order is what the buyer agreed to take, so a delivery above it is sent
back (or the order is changed first), and a slip of the finger (100 for 10) cannot reach
three-way matching. Receipts are numbered per order: the order's number, "-GR" and the count
("PO-000042-GR1", "PO-000042-GR2"), so a receipt names its order wherever it is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from orders.domain.errors import InvalidGoodsReceipt
from orders.domain.lines import PurchaseOrderLine
from orders.domain.read_models import ZERO
from shared.contracts.orders import GoodsReceipt as GoodsReceiptState
from shared.contracts.orders import GoodsReceiptLine as GoodsReceiptLineState

ReceiptStatus = Literal["recorded", "reversed"]
# A quantity of a receipt has at most as many decimals as an order's line may have.
QUANTITY_DECIMALS = 4
NOTE_MAX_LENGTH = 1000


def receipt_number(order_number: str, sequence: int) -> str:
    """The receipt's number: its order's, then "-GR" and its place among the order's receipts."""
    return f"{order_number}-GR{sequence}"


@dataclass(frozen=True)
class ReceiptLineInput:
    purchase_order_line_id: UUID
    quantity: Decimal


@dataclass(frozen=True)
class ReceiptLine:
    purchase_order_line_id: UUID
    quantity: Decimal


@dataclass(frozen=True)
class GoodsReceipt:
    id: UUID
    purchase_order_id: UUID
    tenant_id: UUID
    number: str
    received_on: date
    lines: tuple[ReceiptLine, ...]
    recorded_by: UUID
    recorded_at: datetime
    note: str | None = None
    status: ReceiptStatus = "recorded"
    reversed_by: UUID | None = None
    reversed_at: datetime | None = None

    @property
    def counts(self) -> bool:
        return self.status == "recorded"

    def reversed(self, by: UUID, at: datetime) -> GoodsReceipt:
        return replace(self, status="reversed", reversed_by=by, reversed_at=at)

    def state(self) -> GoodsReceiptState:
        """The receipt as events carry it."""
        return GoodsReceiptState(
            receipt_id=self.id,
            number=self.number,
            received_on=self.received_on,
            note=self.note,
            lines=[
                GoodsReceiptLineState(purchase_order_line_id=x.purchase_order_line_id, quantity=x.quantity)
                for x in self.lines
            ],
            status=self.status,
            recorded_by=self.recorded_by,
            recorded_at=self.recorded_at,
            reversed_by=self.reversed_by,
            reversed_at=self.reversed_at,
        )


def received_quantities(receipts: Iterable[GoodsReceipt]) -> dict[UUID, Decimal]:
    """Per order line, what the receipts not reversed say arrived."""
    totals: dict[UUID, Decimal] = {}
    for receipt in receipts:
        if not receipt.counts:
            continue
        for line in receipt.lines:
            totals[line.purchase_order_line_id] = totals.get(line.purchase_order_line_id, ZERO) + line.quantity
    return totals


def clean_note(note: str | None) -> str | None:
    """A note trimmed; an empty one is none."""
    if note is None:
        return None
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidGoodsReceipt(
            f"a note has at most {NOTE_MAX_LENGTH} characters",
            errors=[{"field": "note", "message": f"at most {NOTE_MAX_LENGTH} characters"}],
        )
    return note or None


def _invalid(index: int, field: str, message: str) -> InvalidGoodsReceipt:
    return InvalidGoodsReceipt(
        f"line {index + 1}: {message}", errors=[{"field": f"lines.{index}.{field}", "message": message}]
    )


def _decimals(quantity: Decimal) -> int:
    exponent = quantity.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def checked_lines(
    order_lines: Sequence[PurchaseOrderLine], inputs: Sequence[ReceiptLineInput]
) -> tuple[ReceiptLine, ...]:
    """The receipt's lines once each names a line of the order once, with a quantity above zero
    that does not take the line beyond what was ordered."""
    if not inputs:
        raise InvalidGoodsReceipt(
            "a goods receipt needs at least one line", errors=[{"field": "lines", "message": "at least one line"}]
        )
    by_id = {line.id: line for line in order_lines}
    seen: set[UUID] = set()
    lines = []
    for index, spec in enumerate(inputs):
        line = by_id.get(spec.purchase_order_line_id)
        if line is None:
            raise _invalid(index, "purchase_order_line_id", "not a line of this purchase order")
        if spec.purchase_order_line_id in seen:
            raise _invalid(index, "purchase_order_line_id", f"line {line.line_no} of the order is named twice")
        seen.add(spec.purchase_order_line_id)
        quantity = spec.quantity
        if not quantity.is_finite() or quantity <= 0:
            raise _invalid(index, "quantity", "quantity must be greater than 0")
        if _decimals(quantity) > QUANTITY_DECIMALS:
            raise _invalid(index, "quantity", f"at most {QUANTITY_DECIMALS} decimals")
        to_receive = line.quantity - line.received_quantity
        if quantity > to_receive:
            raise _invalid(
                index,
                "quantity",
                f"line {line.line_no} of the order: {_plain(line.quantity)} ordered, "
                f"{_plain(line.received_quantity)} received; "
                f"at most {_plain(max(to_receive, ZERO))} more can be received",
            )
        lines.append(ReceiptLine(spec.purchase_order_line_id, quantity))
    return tuple(lines)


def _plain(value: Decimal) -> str:
    return format(value, "f")
