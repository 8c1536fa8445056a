"""What orders keeps of other services' data: suppliers, buyer organisations, users and invoices.

Plain Python. All are whole-state copies from events; a copy replaces the stored one only when
it is newer (its revision; a user's ``updated_at``, as user events carry no revision), so a
redelivered or reordered old event cannot move anything back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
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
    # Days from an invoice's issue date to its due date; None: the organisation's default.
    payment_terms_days: int | None = None
    # The supplier as documents name it (it keeps them in its profile).
    legal_name: str | None = None
    address: str | None = None
    tax_id: str | None = None

    @property
    def terms(self) -> SupplierTerms:
        return SupplierTerms(self.minimum_order_amount, self.lead_time_days)


@dataclass(frozen=True)
class OrganisationRecord:
    """A buyer organisation (tenant) as the gateway announces it: its name, legal details and
    contact go on the orders, and its default payment terms where the supplier has none."""

    tenant_id: UUID
    name: str
    supplier_portal_enabled: bool
    revision: int
    default_payment_terms_days: int = 30
    # The default of a new order's ``match_against_receipts``.
    three_way_matching: bool = False
    legal_name: str | None = None
    address: str | None = None
    tax_id: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None


@dataclass(frozen=True)
class UserRecord:
    """A portal user as the gateway announces it: an order names its initiator by name and email."""

    user_id: UUID
    tenant_id: UUID | None
    name: str
    email: str
    updated_at: datetime


def payment_terms_days(supplier_days: int | None, organisation_default: int | None) -> int | None:
    """The terms an order states: the supplier's own, else its buyer's default (None: neither known)."""
    return supplier_days if supplier_days is not None else organisation_default


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
