"""Payments recorded against an approved invoice: never more than is left to pay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID, uuid4

from invoicing.domain.errors import InvalidInvoice, InvoiceStateConflict, PaymentExceedsTotal
from invoicing.domain.status import Status
from shared.money import round_money


@dataclass(frozen=True)
class Payment:
    payment_id: UUID
    amount: Decimal
    paid_at: datetime


def new_payment(amount: Decimal, *, balance_due: Decimal, currency: str, now: datetime) -> Payment:
    """A payment of ``amount`` when it fits in the ``balance_due``; refused otherwise."""
    if not amount.is_finite() or amount <= 0 or round_money(amount, currency) != amount:
        raise InvalidInvoice(
            "a payment is a positive amount in the currency's minor unit",
            errors=[{"field": "amount", "message": f"a positive amount of {currency}"}],
        )
    if amount > balance_due:
        raise PaymentExceedsTotal(
            f"a payment of {amount} {currency} exceeds the balance due on the invoice ({balance_due} {currency})"
        )
    return Payment(payment_id=uuid4(), amount=amount, paid_at=now)


# Why an invoice in each status that is not payable cannot be paid, in the payer's words.
_NOT_PAYABLE_BECAUSE = {
    Status.draft: "is a draft that was never submitted, so it is not approved",
    Status.matching: "is still being matched against its purchase order, so it is not approved yet",
    Status.pending: "is pending approval",
    Status.rejected: "was rejected",
    Status.canceled: "was canceled",
    Status.paid: "is already paid in full",
}


def not_payable(number: str, status: Status) -> InvoiceStateConflict:
    """The refusal of a payment on an invoice in ``status``, saying why."""
    because = _NOT_PAYABLE_BECAUSE.get(status, f"is {status.replace('_', ' ')}")
    return InvoiceStateConflict(f"invoice {number} {because}; only approved invoices can be paid")
