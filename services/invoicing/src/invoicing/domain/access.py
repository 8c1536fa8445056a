"""Who may create and change an invoice, and who may follow its conversation.

Normally the supplier's users write invoices and the buyer's staff decide on them. While the
buyer has switched its supplier portal off, suppliers may not touch the buyer's invoices and
the buyer's staff (buyer_user or buyer_admin) write them on the supplier's behalf instead.
Whoever created an invoice keeps editing and submitting it, whatever the switch says later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from invoicing.domain.errors import NotAllowed, SupplierPortalSwitchedOff
from invoicing.domain.organisations import OrganisationSettings

if TYPE_CHECKING:
    from invoicing.domain.model import Invoice

SUPPLIER_ONLY = "only the supplier's users may do this with an invoice"


def ensure_may_create(*, by_buyer: bool, portal: OrganisationSettings) -> None:
    if by_buyer:
        if portal.supplier_portal_enabled:
            raise NotAllowed(
                "only the supplier's users create invoices; the buyer's staff may create them"
                " only while the supplier portal is switched off"
            )
    elif not portal.supplier_portal_enabled:
        raise SupplierPortalSwitchedOff()


def ensure_may_change(invoice: Invoice, *, by_buyer: bool, portal: OrganisationSettings) -> None:
    """Edit and submit: the side that created the invoice; a supplier only while the portal is on."""
    if by_buyer:
        if not invoice.created_by_buyer:
            raise NotAllowed(SUPPLIER_ONLY)
        return
    if not portal.supplier_portal_enabled:
        raise SupplierPortalSwitchedOff()
    if invoice.created_by_buyer:
        raise NotAllowed(
            "the buyer created this invoice on the supplier's behalf; only the buyer's staff may change it"
        )


def ensure_may_cancel(invoice: Invoice, *, by_buyer: bool, portal: OrganisationSettings) -> None:
    """Buyers cancel any invoice of theirs (the status machine says when); suppliers as for edits."""
    if not by_buyer:
        ensure_may_change(invoice, by_buyer=False, portal=portal)


def may_follow_conversation(invoice: Invoice, *, by_buyer: bool) -> bool:
    """Comments and attachments of a draft belong to the side writing it: a supplier's draft
    is its own until submitted; a draft the buyer wrote is shared with its supplier."""
    return not (by_buyer and invoice.status == "draft" and not invoice.created_by_buyer)
