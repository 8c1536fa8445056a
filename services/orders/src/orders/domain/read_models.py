"""What orders keeps of other services' data: suppliers, buyer organisations and invoices.

Plain Python. Both are whole-state copies from events; a copy replaces the stored one only when
its revision is newer, so a redelivered or reordered old event cannot move anything back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from orders.domain.terms import SupplierTerms
from shared.contracts.invoicing import InvoiceKind, billing_sign

ZERO = Decimal(0)


@dataclass(frozen=True)
class SupplierRecord:
    supplier_id: UUID
    tenant_id: UUID
    name: str
    currency: str
    portal_status: str
    revision: int
    # The supplier's terms (its portal profile); unknown terms warn about nothing.
    minimum_order_amount: Decimal | None = None
    lead_time_days: int | None = None

    @property
    def terms(self) -> SupplierTerms:
        return SupplierTerms(self.minimum_order_amount, self.lead_time_days)


@dataclass(frozen=True)
class OrganisationRecord:
    """A buyer organisation (tenant) as the gateway announces it: its name goes on the orders."""

    tenant_id: UUID
    name: str
    supplier_portal_enabled: bool
    revision: int


@dataclass(frozen=True)
class InvoicedLine:
    """One invoice line as orders sees it: which PO line it bills, and how much of it."""

    purchase_order_line_id: UUID | None
    quantity: Decimal


@dataclass(frozen=True)
class InvoiceRecord:
    invoice_id: UUID
    tenant_id: UUID
    purchase_order_id: UUID
    status: str
    revision: int
    lines: tuple[InvoicedLine, ...]
    kind: InvoiceKind = "invoice"

    @property
    def sign(self) -> int:
        """A live invoice bills its lines (+1), an approved credit note gives them back (-1); drafts,
        rejected and canceled documents count for nothing (``billing_sign``)."""
        return billing_sign(self.kind, self.status)


def invoiced_quantities(invoices: Iterable[InvoiceRecord]) -> dict[UUID, Decimal]:
    """Per PO line, the quantity billed by the live invoices less what approved credit notes gave
    back; new items (no PO line) count nowhere."""
    totals: dict[UUID, Decimal] = {}
    for invoice in invoices:
        if not invoice.sign:
            continue
        for line in invoice.lines:
            if line.purchase_order_line_id is not None:
                totals[line.purchase_order_line_id] = (
                    totals.get(line.purchase_order_line_id, ZERO) + invoice.sign * line.quantity
                )
    return totals


def remaining_quantity(ordered: Decimal, invoiced: Decimal) -> Decimal:
    """What is left to invoice; an over-invoiced line has nothing left, never a negative amount."""
    return max(ordered - invoiced, ZERO)
