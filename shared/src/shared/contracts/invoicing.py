"""Events of ``invoicing.invoice.v1``: an invoice's whole current state, keyed by its purchase order."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from shared.contracts.base import BalanceDue, DecimalStr, EventPayload, GrossTotal, LineTaxAmount, LineTaxRate, TaxTotal
from shared.contracts.conversation import AttachmentAdded, CommentAdded
from shared.contracts.matching import PossibleDuplicate, Reason

INVOICES_TOPIC = "invoicing.invoice.v1"

InvoiceStatus = Literal["draft", "matching", "pending", "approved", "rejected", "canceled", "partly_paid", "paid"]
LIVE_INVOICE_STATUSES: frozenset[str] = frozenset({"matching", "pending", "approved", "partly_paid", "paid"})
# An invoice bills; a credit note gives back part of an approved invoice (``credited_invoice_id``).
InvoiceKind = Literal["invoice", "credit_note"]
# The invoices a credit note may credit: approved, whether or not paid.
CREDITABLE_INVOICE_STATUSES: frozenset[str] = frozenset({"approved", "partly_paid", "paid"})
# A credit note gives back its quantities and amounts once approved, not before.
CREDITING_STATUSES: frozenset[str] = frozenset({"approved"})


def billing_sign(kind: str, status: str) -> int:
    """How a document counts on its purchase order: a live invoice bills (+1), an approved credit
    note gives back (-1), anything else counts for nothing (0)."""
    if kind == "credit_note":
        return -1 if status in CREDITING_STATUSES else 0
    return 1 if status in LIVE_INVOICE_STATUSES else 0


class InvoiceLineState(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    line_id: UUID
    line_no: int
    purchase_order_line_id: UUID | None
    description: str
    quantity: DecimalStr
    unit_price: DecimalStr
    net_amount: DecimalStr
    tax_rate: LineTaxRate
    tax_amount: LineTaxAmount
    # On a credit note: the line of the credited invoice this line gives back.
    credited_line_id: UUID | None = None


class PaymentState(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    payment_id: UUID
    amount: DecimalStr
    paid_at: datetime


class InvoiceSnapshot(EventPayload):
    topic = INVOICES_TOPIC

    invoice_id: UUID
    tenant_id: UUID
    purchase_order_id: UUID
    purchase_order_number: str
    supplier_id: UUID
    number: str
    issue_date: date | None = None
    currency: str
    status: InvoiceStatus
    submission: int
    submitted_at: datetime | None = None
    net_total: DecimalStr
    tax_total: TaxTotal
    gross_total: GrossTotal
    lines: list[InvoiceLineState]
    approver_id: UUID | None = None
    rejection_reason: str | None = None
    paid_total: DecimalStr
    # The gross totals of the approved credit notes of this invoice (always 0 on a credit note).
    credited_total: DecimalStr = Decimal(0)
    balance_due: BalanceDue
    payments: list[PaymentState] = []
    revision: int
    initiator_id: UUID | None = None
    created_by_buyer: bool = False
    # Issue date (or submission day) plus the supplier's payment terms, set at each submission;
    # None before the first submission and in events published before due dates existed.
    due_date: date | None = None
    kind: InvoiceKind = "invoice"
    # On a credit note: the invoice it credits (of the same purchase order).
    credited_invoice_id: UUID | None = None

    def key(self) -> str:
        return str(self.purchase_order_id)


class InvoiceSubmitted(InvoiceSnapshot):
    event_type = "InvoiceSubmitted"


class InvoiceApprovalRequested(InvoiceSnapshot):
    """Matching found a discrepancy; ``approver_id`` (the PO initiator) must decide."""

    event_type = "InvoiceApprovalRequested"
    # Why, as matching's verdict says (empty in events written before they were carried here).
    reasons: list[Reason] = []
    possible_duplicates: list[PossibleDuplicate] = []


class InvoiceApproved(InvoiceSnapshot):
    event_type = "InvoiceApproved"
    auto_approved: bool


class InvoiceRejected(InvoiceSnapshot):
    event_type = "InvoiceRejected"


class InvoiceCanceled(InvoiceSnapshot):
    event_type = "InvoiceCanceled"
    # Which side canceled it: the supplier is told when the buyer did. None in events written
    # before the field existed.
    canceled_by: Literal["buyer", "supplier"] | None = None


class InvoicePaymentRecorded(InvoiceSnapshot):
    event_type = "InvoicePaymentRecorded"
    payment: PaymentState


class InvoiceCredited(InvoiceSnapshot):
    """A credit note of this invoice was approved: ``credited_total`` grew and ``balance_due`` fell."""

    event_type = "InvoiceCredited"
    credit_note_id: UUID


class InvoiceCommentAdded(CommentAdded):
    """A comment on an invoice by either side; the other side is told of it."""

    topic = INVOICES_TOPIC
    event_type = "InvoiceCommentAdded"

    invoice_id: UUID
    purchase_order_number: str
    initiator_id: UUID | None


class InvoiceAttachmentAdded(AttachmentAdded):
    topic = INVOICES_TOPIC
    event_type = "InvoiceAttachmentAdded"

    invoice_id: UUID


INVOICE_EVENTS: tuple[type[EventPayload], ...] = (
    InvoiceSubmitted,
    InvoiceApprovalRequested,
    InvoiceApproved,
    InvoiceRejected,
    InvoiceCanceled,
    InvoicePaymentRecorded,
    InvoiceCredited,
    InvoiceCommentAdded,
    InvoiceAttachmentAdded,
)
