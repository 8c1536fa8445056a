"""The invoice's whole state as the events of ``invoicing.invoice.v1`` carry it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.contracts.invoicing import InvoiceLineState, InvoiceSnapshot, PaymentState
from shared.fields import values_of

if TYPE_CHECKING:
    from invoicing.domain.model import Invoice
    from invoicing.domain.payments import Payment


def payment_state(payment: Payment) -> PaymentState:
    return PaymentState(payment_id=payment.payment_id, amount=payment.amount, paid_at=payment.paid_at)


def invoice_state(invoice: Invoice) -> dict[str, Any]:
    """Fields every invoice event shares: consumers rebuild their read model from any one of them."""
    return values_of(
        InvoiceSnapshot.model_fields,
        invoice,
        invoice_id=invoice.id,
        lines=[InvoiceLineState(**vars(line)) for line in invoice.lines],
        payments=[payment_state(p) for p in invoice.payments],
    )
