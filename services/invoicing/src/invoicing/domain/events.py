"""The invoice's whole state as the events of ``invoicing.invoice.v1`` carry it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.contracts.invoicing import InvoiceLineState, PaymentState

if TYPE_CHECKING:
    from invoicing.domain.model import Invoice
    from invoicing.domain.payments import Payment


def payment_state(payment: Payment) -> PaymentState:
    return PaymentState(payment_id=payment.payment_id, amount=payment.amount, paid_at=payment.paid_at)


def invoice_state(invoice: Invoice) -> dict[str, Any]:
    """Fields every invoice event shares: consumers rebuild their read model from any one of them."""
    return {
        "invoice_id": invoice.id,
        "tenant_id": invoice.tenant_id,
        "purchase_order_id": invoice.purchase_order_id,
        "purchase_order_number": invoice.purchase_order_number,
        "supplier_id": invoice.supplier_id,
        "number": invoice.number,
        "issue_date": invoice.issue_date,
        "currency": invoice.currency,
        "status": invoice.status,
        "submission": invoice.submission,
        "submitted_at": invoice.submitted_at,
        "net_total": invoice.net_total,
        "lines": [InvoiceLineState(**vars(line)) for line in invoice.lines],
        "approver_id": invoice.approver_id,
        "rejection_reason": invoice.rejection_reason,
        "paid_total": invoice.paid_total,
        "payments": [payment_state(p) for p in invoice.payments],
        "revision": invoice.revision,
        "initiator_id": invoice.initiator_id,
        "created_by_buyer": invoice.created_by_buyer,
    }
