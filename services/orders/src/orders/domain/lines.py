"""Purchase order lines: what the buyer asks for, priced in the order's currency.

A line's net amount is quantity × unit price rounded half-up to the currency's minor unit
(``shared.money.line_net``), its tax that net × its rate, rounded half-up (``shared.taxes``);
the order's totals are the sums of its lines'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from orders.domain.errors import InvalidPurchaseOrder
from orders.domain.read_models import ZERO, remaining_quantity
from shared.contracts.orders import PurchaseOrderLineState
from shared.fields import values_of
from shared.money import line_net
from shared.taxes import MAX_TAX_RATE, line_tax


@dataclass(frozen=True)
class LineInput:
    """A line as the buyer writes it, before it is numbered and priced."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    sku: str | None = None
    unit: str | None = None
    tax_rate: Decimal = ZERO
    # On a revision: the line this input revises (None: a new line, or matched by position).
    line_id: UUID | None = None


@dataclass
class PurchaseOrderLine:
    id: UUID
    line_no: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    net_amount: Decimal
    sku: str | None = None
    unit: str | None = None
    invoiced_quantity: Decimal = ZERO
    tax_rate: Decimal = ZERO
    tax_amount: Decimal = ZERO
    # What the goods receipts not reversed say arrived (``orders.domain.receipts``).
    received_quantity: Decimal = ZERO

    @property
    def remaining_quantity(self) -> Decimal:
        return remaining_quantity(self.quantity, self.invoiced_quantity)

    @property
    def fully_invoiced(self) -> bool:
        return self.invoiced_quantity >= self.quantity

    def state(self) -> dict[str, Any]:
        return values_of(PurchaseOrderLineState.model_fields, self, line_id=self.id)


def _invalid(index: int, field: str, message: str) -> InvalidPurchaseOrder:
    return InvalidPurchaseOrder(
        f"line {index + 1}: {message}", errors=[{"field": f"lines.{index}.{field}", "message": message}]
    )


def price_lines(inputs: Sequence[LineInput], currency: str) -> list[PurchaseOrderLine]:
    """Number the lines from 1 and price them; refuses an empty order and impossible amounts."""
    if not inputs:
        raise InvalidPurchaseOrder(
            "a purchase order needs at least one line", errors=[{"field": "lines", "message": "at least one line"}]
        )
    lines = []
    for index, spec in enumerate(inputs):
        if not spec.quantity.is_finite() or spec.quantity <= 0:
            raise _invalid(index, "quantity", "quantity must be greater than 0")
        if not spec.unit_price.is_finite() or spec.unit_price < 0:
            raise _invalid(index, "unit_price", "unit price must not be negative")
        if not spec.description.strip():
            raise _invalid(index, "description", "a line needs a description")
        if not spec.tax_rate.is_finite() or not ZERO <= spec.tax_rate <= MAX_TAX_RATE:
            raise _invalid(index, "tax_rate", f"a tax rate is a percentage from 0 to {MAX_TAX_RATE}")
        net_amount = line_net(spec.quantity, spec.unit_price, currency)
        lines.append(
            PurchaseOrderLine(
                id=uuid4(),
                line_no=index + 1,
                description=spec.description,
                quantity=spec.quantity,
                unit_price=spec.unit_price,
                net_amount=net_amount,
                sku=spec.sku,
                unit=spec.unit,
                tax_rate=spec.tax_rate,
                tax_amount=line_tax(net_amount, spec.tax_rate, currency),
            )
        )
    return lines
