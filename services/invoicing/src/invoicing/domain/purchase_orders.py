"""The purchase order as invoicing knows it (a read model of the orders service's events),
and what it leaves to be invoiced."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from invoicing.domain.errors import PurchaseOrderNotInvoiceable

ZERO = Decimal(0)
# A supplier may bill against an order that was sent to it and still has something open.
INVOICEABLE_STATUSES = frozenset({"sent", "acknowledged", "partially_invoiced"})


@dataclass(frozen=True)
class PurchaseOrderLine:
    line_id: UUID
    line_no: int
    description: str
    quantity: Decimal
    unit_price: Decimal


@dataclass(frozen=True)
class PurchaseOrder:
    id: UUID
    tenant_id: UUID
    supplier_id: UUID
    number: str
    currency: str
    status: str
    initiator_id: UUID
    revision: int
    lines: tuple[PurchaseOrderLine, ...] = field(default_factory=tuple)

    def line(self, line_id: UUID) -> PurchaseOrderLine | None:
        return next((line for line in self.lines if line.line_id == line_id), None)

    def ensure_invoiceable(self) -> None:
        if self.status not in INVOICEABLE_STATUSES:
            state = self.status.replace("_", " ")
            raise PurchaseOrderNotInvoiceable(f"purchase order {self.number} is {state}; it takes no new invoices")

    def remaining_quantities(self, invoiced: Mapping[UUID, Decimal]) -> dict[UUID, Decimal]:
        """Per PO line: ordered minus what live invoices already bill, never below zero.

        ``invoiced`` sums the quantities of this PO's live invoices per PO line; lines
        invoiced beyond their quantity simply have nothing left.
        """
        return {line.line_id: max(line.quantity - invoiced.get(line.line_id, ZERO), ZERO) for line in self.lines}
