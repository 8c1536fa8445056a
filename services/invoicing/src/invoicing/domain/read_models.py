"""What invoicing knows of other services, from their events: the purchase order (orders) and
what it leaves to be invoiced, and the buyer organisation's settings (the gateway's
``OrganisationSettingsChanged``) with the one transition that has consequences here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from invoicing.domain.errors import PurchaseOrderNotInvoiceable
from invoicing.domain.payment_terms import DEFAULT_PAYMENT_TERMS_DAYS

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
    tax_rate: Decimal = ZERO


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


@dataclass(frozen=True)
class OrganisationSettings:
    tenant_id: UUID
    name: str | None = None
    # An organisation not heard of yet behaves like the gateway's defaults: no issue date
    # required, supplier portal on. Refusing suppliers on a missing event would lock them out.
    invoice_issue_date_required: bool = False
    supplier_portal_enabled: bool = True
    default_payment_terms_days: int = DEFAULT_PAYMENT_TERMS_DAYS
    revision: int = 0
    # The buyer as its invoices name it (the recipient).
    legal_name: str | None = None
    address: str | None = None
    tax_id: str | None = None

    @classmethod
    def unknown(cls, tenant_id: UUID) -> OrganisationSettings:
        return cls(tenant_id=tenant_id)

    @property
    def legal_details(self) -> tuple[str | None, str | None, str | None]:
        """(legal name, address, tax ID): the buyer as an invoice's recipient."""
        return self.legal_name, self.address, self.tax_id


def switches_portal_off(before: OrganisationSettings | None, after: OrganisationSettings) -> bool:
    """True when ``after`` turns the supplier portal off that was on (or unknown, hence on) before.

    Only the transition counts: a repeated "off" must not delete drafts the buyer made meanwhile
    (those are created by the buyer and never deleted anyway, but the rule stays exact).
    """
    was_on = before.supplier_portal_enabled if before is not None else True
    return was_on and not after.supplier_portal_enabled
