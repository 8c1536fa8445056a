"""Who may create and change an invoice, and who may follow its conversation.

Normally the supplier's users write invoices and the buyer's staff decide on them. While the
buyer has switched its supplier portal off, the buyer's staff (buyer_user or buyer_admin) may
also write them on the supplier's behalf, and the supplier keeps invoicing only what is still
owed: orders still to invoice, their own lines, no more than remains on each. Whoever created
an invoice keeps editing and submitting it, whatever the switch says later.

The two sides learn of the switch differently: the buyer's side from the organisation read
model (writing on the supplier's behalf can wait for the event), the supplier's side from its
token (``Principal.is_restricted``, restated by the gateway on every request), so a supplier is
held to what remains from the moment the switch moves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from invoicing.domain.errors import BeyondWhatRemains, NotAllowed, PurchaseOrderNotFound
from invoicing.domain.lines import InvoiceLine
from invoicing.domain.read_models import INVOICEABLE_STATUSES, OrganisationSettings, PurchaseOrder
from invoicing.domain.status import Status

if TYPE_CHECKING:
    from invoicing.domain.model import Invoice

SUPPLIER_ONLY = "only the supplier's users may do this with an invoice"
ZERO = Decimal(0)


def ensure_may_create(*, by_buyer: bool, portal: OrganisationSettings) -> None:
    """Suppliers create invoices whatever the switch (``ensure_only_what_remains`` bounds those
    of a restricted one); the buyer's staff only while the portal is off."""
    if by_buyer and portal.supplier_portal_enabled:
        raise NotAllowed(
            "only the supplier's users create invoices; the buyer's staff may create them"
            " only while the supplier portal is switched off"
        )


def ensure_may_change(invoice: Invoice, *, by_buyer: bool) -> None:
    """Edit and submit: the side that created the invoice."""
    if by_buyer:
        if not invoice.created_by_buyer:
            raise NotAllowed(SUPPLIER_ONLY)
        return
    if invoice.created_by_buyer:
        raise NotAllowed(
            "the buyer created this invoice on the supplier's behalf; only the buyer's staff may change it"
        )


def ensure_may_cancel(invoice: Invoice, *, by_buyer: bool) -> None:
    """Buyers cancel any invoice of theirs (the status machine says when); suppliers as for edits."""
    if not by_buyer:
        ensure_may_change(invoice, by_buyer=False)


def still_to_invoice(po: PurchaseOrder, claimed: Mapping[UUID, Decimal]) -> bool:
    """Whether a restricted supplier still sees ``po``: open, with something left on a line.

    ``claimed`` is what the order's live invoices bill per line (as ``remaining_quantities``
    takes it): an order they cover is fully invoiced whatever their status, decided or not."""
    return po.status in INVOICEABLE_STATUSES and any(left > 0 for left in po.remaining_quantities(claimed).values())


def ensure_still_to_invoice(po: PurchaseOrder, claimed: Mapping[UUID, Decimal]) -> None:
    """A restricted supplier creating an invoice: an order it no longer sees is not found."""
    if not still_to_invoice(po, claimed):
        raise PurchaseOrderNotFound()


def ensure_only_what_remains(po: PurchaseOrder, lines: Sequence[InvoiceLine], claimed: Mapping[UUID, Decimal]) -> None:
    """A restricted supplier's invoice bills the order's lines only, together no more than remains
    on each (ordered minus ``claimed``, what the order's other live invoices bill).

    Every line beyond it is named (``lines.<index>.quantity``, or ``.purchase_order_line_id``
    for a new item), so the supplier corrects them all at once."""
    po.ensure_invoiceable()
    remaining = po.remaining_quantities(claimed)
    billed: dict[UUID, Decimal] = {}
    errors = []
    for index, line in enumerate(lines):
        if line.purchase_order_line_id is None:
            message = "new items cannot be invoiced while the buyer's supplier portal is switched off"
            errors.append({"field": f"lines.{index}.purchase_order_line_id", "message": message})
            continue
        billed[line.purchase_order_line_id] = billed.get(line.purchase_order_line_id, ZERO) + line.quantity
        left = remaining.get(line.purchase_order_line_id, ZERO)
        if billed[line.purchase_order_line_id] > left:
            message = f"at most {_plain(left)} remains to invoice on this purchase order line"
            errors.append({"field": f"lines.{index}.quantity", "message": message})
    if errors:
        raise BeyondWhatRemains(errors)


def _plain(quantity: Decimal) -> str:
    """A quantity as a person writes it: "6", "2.5" (never "6.000" or "1E+1")."""
    return format(quantity.normalize(), "f")


def may_follow_conversation(invoice: Invoice, *, by_buyer: bool) -> bool:
    """Comments and attachments of a draft belong to the side writing it: a supplier's draft
    is its own until submitted; a draft the buyer wrote is shared with its supplier."""
    return not (by_buyer and invoice.status == Status.draft and not invoice.created_by_buyer)


def ensure_may_record_payments(*, is_admin: bool) -> None:
    """Payments move the buyer's money: its admins record them, not every buyer user."""
    if not is_admin:
        raise NotAllowed("only a buyer admin records payments on an invoice")
