"""Builders of purchase orders in a given state, for the unit tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from orders.domain.lines import LineInput
from orders.domain.model import PurchaseOrder
from orders.domain.read_models import SupplierRecord

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)


def supplier(currency: str = "EUR") -> SupplierRecord:
    return SupplierRecord(
        supplier_id=uuid4(), tenant_id=uuid4(), name="Acme Tools", currency=currency, portal_status="active", revision=1
    )


def line(quantity: str = "10", unit_price: str = "5.00", description: str = "Bolts", tax_rate: str = "0") -> LineInput:
    return LineInput(
        description=description, quantity=Decimal(quantity), unit_price=Decimal(unit_price), tax_rate=Decimal(tax_rate)
    )


def draft(
    *lines: LineInput, currency: str = "EUR", initiator_id: UUID | None = None, delivery_address: str | None = None
) -> PurchaseOrder:
    return PurchaseOrder.draft(
        number="PO-000001",
        supplier=supplier(currency),
        currency=currency,
        delivery_date=date(2026, 6, 1),
        lines=list(lines) or [line()],
        initiator_id=initiator_id or uuid4(),
        now=NOW,
        delivery_address=delivery_address,
    )


def sent(*lines: LineInput) -> PurchaseOrder:
    order = draft(*lines)
    order.submit(NOW)
    order.events.clear()
    return order
