"""Emails when the buyer ends a document the supplier works on: a purchase order canceled or
closed, an invoice canceled.

The supplier hears only of documents it has seen, and only of what the buyer did: an order
canceled before it was ever sent, or an invoice the supplier canceled itself, is no news to it.
Each email names the buyer organisation and the document's number, and links the document's page.
"""

from __future__ import annotations

from notifier.domain.headers import subject_name
from notifier.domain.messages import EmailDraft, document_word
from notifier.domain.pages import invoice_page, purchase_order_page
from notifier.domain.read_models import SupplierContact
from shared.contracts.invoicing import InvoiceCanceled
from shared.contracts.orders import PurchaseOrderCanceled, PurchaseOrderClosed


def supplier_saw(po: PurchaseOrderCanceled | PurchaseOrderClosed) -> bool:
    """Whether the order ever reached the supplier (it was sent); a draft never did."""
    return po.submitted_at is not None


def purchase_order_ended(
    po: PurchaseOrderCanceled | PurchaseOrderClosed, supplier: SupplierContact, buyer_name: str
) -> EmailDraft:
    ending = "canceled" if isinstance(po, PurchaseOrderCanceled) else "closed"
    return EmailDraft(
        template=f"purchase_order_{ending}",
        recipient=supplier.email,
        subject=f"Purchase order {po.number} from {subject_name(buyer_name)} was {ending}",
        context={"po": po, "supplier_name": supplier.name, "buyer_name": buyer_name},
        page=purchase_order_page(po.purchase_order_id),
    )


def buyer_canceled(invoice: InvoiceCanceled) -> bool:
    """Whether the buyer canceled the invoice; the supplier knows of its own cancellations, and
    an event that does not say who canceled tells nobody."""
    return invoice.canceled_by == "buyer"


def invoice_canceled(invoice: InvoiceCanceled, supplier: SupplierContact, buyer_name: str) -> EmailDraft:
    return EmailDraft(
        template="invoice_canceled",
        recipient=supplier.email,
        subject=(
            f"{document_word(invoice).capitalize()} {invoice.number} for PO {invoice.purchase_order_number}"
            f" was canceled by {subject_name(buyer_name)}"
        ),
        context={"invoice": invoice, "supplier_name": supplier.name, "buyer_name": buyer_name},
        page=invoice_page(invoice.invoice_id),
    )
