"""What each event tells whom, and each reminder that time brings: the recipient, subject,
template and facts of every email.

Pure decisions; the templates (``notifier/templates``) turn a draft's context into plain text
and HTML, and the renderer adds headers and attachments.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from notifier.domain.excerpts import excerpt
from notifier.domain.headers import subject_name
from notifier.domain.pages import invoice_page, purchase_order_page
from notifier.domain.read_models import PortalUser, SupplierContact
from notifier.domain.reminders import TrackedInvoice
from shared.contracts.identity import SupplierInvitationIssued
from shared.contracts.invoicing import (
    InvoiceApprovalRequested,
    InvoiceApproved,
    InvoicePaymentRecorded,
    InvoiceRejected,
    InvoiceSnapshot,
)
from shared.contracts.matching import REASON_WORDS
from shared.contracts.orders import GoodsReceiptRecorded, PurchaseOrderChanged, PurchaseOrderSubmitted
from shared.money import minor_unit, round_money

_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
_INVITER_NAME_LIMIT = 100


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class EmailDraft:
    template: str
    recipient: str
    subject: str
    context: Mapping[str, object]
    attachments: tuple[Attachment, ...] = ()
    # The path of the document's page in the web portal (``notifier.domain.pages``): the renderer
    # makes it absolute and gives it to the templates as ``page_url``. None for an email about
    # no document (an invitation).
    page: str | None = None
    # Single-use links the email carries (shared.sealed_links): the text holds each link with its
    # token withheld; the sealed whole link beside it is opened only when the email is sent.
    sealed_links: Mapping[str, str] = field(default_factory=dict)


def sealed_link(shown: str, sealed: str | None) -> dict[str, str]:
    """The draft's sealed links: ``shown`` (the link with its token withheld) and the sealed link
    the sender puts in its place. An event's links are sealed before it is drafted
    (``notifier.domain.accounts.with_sealed_links``), so ``sealed`` is always there."""
    if sealed is None:
        raise ValueError("a single-use link reached the draft without its sealed form")
    return {shown: sealed}


def format_money(amount: Decimal, currency: str) -> str:
    """``5,000.00 EUR``: the currency's minor unit, but never fewer decimals than the amount has."""
    exponent = amount.as_tuple().exponent
    places = max(minor_unit(currency), -exponent if isinstance(exponent, int) else 0)
    return f"{amount:,.{places}f} {currency}"


def format_quantity(quantity: Decimal) -> str:
    """``10`` rather than ``10.000``, ``2.5`` rather than ``2.500``; the value is never rounded."""
    return f"{quantity.normalize():f}"


def document_word(invoice: InvoiceSnapshot | TrackedInvoice) -> str:
    """What the supplier's document is called in an email: an invoice, or a credit note."""
    return "credit note" if invoice.kind == "credit_note" else "invoice"


def format_day(value: date | datetime) -> str:
    """Dates as ISO days; times in UTC to the minute, saying so."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


def invitation(event: SupplierInvitationIssued) -> EmailDraft:
    """The buyer's invitation of a supplier's contact, or a colleague's (``invited_by``) to work
    on the supplier's documents with them. The colleague's name is what they typed: like a
    comment's author, it is shown without anything a mail client would make a link of."""
    inviter = excerpt(event.invited_by or "", _INVITER_NAME_LIMIT)
    subject = (
        f"{subject_name(inviter)} invited you to the supplier portal for {event.supplier_name}"
        if inviter
        else f"Invitation to the supplier portal for {event.supplier_name}"
    )
    return EmailDraft(
        template="invitation",
        recipient=event.email,
        subject=subject,
        context={"invitation": event, "invited_by": inviter or None},
        sealed_links=sealed_link(event.accept_url, event.accept_url_sealed),
    )


def purchase_order(po: PurchaseOrderSubmitted, supplier: SupplierContact, pdf: bytes) -> EmailDraft:
    # The number names the file; anything that could act as a path separator is replaced.
    filename = _UNSAFE_FILENAME.sub("-", po.number).strip(".-") or "purchase-order"
    return EmailDraft(
        template="purchase_order",
        recipient=supplier.email,
        subject=f"New purchase order {po.number}",
        context={"po": po, "supplier_name": supplier.name, "attachment_name": f"{filename}.pdf"},
        attachments=(Attachment(f"{filename}.pdf", "application/pdf", pdf),),
        page=purchase_order_page(po.purchase_order_id),
    )


def purchase_order_changed(po: PurchaseOrderChanged, supplier: SupplierContact) -> EmailDraft:
    # A value the change cleared (or first set) reads "not set", never "None".
    changes = [(c.field, c.before or "not set", c.after or "not set") for c in po.changes]
    return EmailDraft(
        template="purchase_order_changed",
        recipient=supplier.email,
        subject=f"Purchase order {po.number} was changed",
        context={"po": po, "supplier_name": supplier.name, "changes": changes},
        page=purchase_order_page(po.purchase_order_id),
    )


@dataclass(frozen=True)
class ReceivedLine:
    """A line of a goods receipt as the supplier reads it: the order line, what arrived now, what
    has arrived of it in all (receipts not reversed) and what was ordered."""

    line_no: int
    description: str
    unit: str | None
    quantity: Decimal
    received_quantity: Decimal
    ordered: Decimal


def goods_received(po: GoodsReceiptRecorded, supplier: SupplierContact) -> EmailDraft:
    """The buyer recorded what arrived of the supplier's order: the lines received, and how far each is."""
    order_lines = {line.line_id: line for line in po.lines}
    lines = [
        ReceivedLine(
            line_no=order_line.line_no,
            description=order_line.description,
            unit=order_line.unit,
            quantity=received.quantity,
            received_quantity=order_line.received_quantity,
            ordered=order_line.quantity,
        )
        for received in po.receipt.lines
        if (order_line := order_lines.get(received.purchase_order_line_id)) is not None
    ]
    return EmailDraft(
        template="goods_received",
        recipient=supplier.email,
        subject=f"Goods received for PO {po.number}",
        context={"po": po, "receipt": po.receipt, "supplier_name": supplier.name, "lines": lines},
        page=purchase_order_page(po.purchase_order_id),
    )


def approval_request(
    invoice: InvoiceApprovalRequested, approver: PortalUser, supplier: SupplierContact | None
) -> EmailDraft:
    return EmailDraft(
        template="invoice_approval_request",
        recipient=approver.email,
        subject=f"{document_word(invoice).capitalize()} {invoice.number} for PO {invoice.purchase_order_number}"
        " needs your approval",
        context={
            "invoice": invoice,
            "approver_name": approver.name,
            "supplier_name": supplier and supplier.name,
            "reasons": [REASON_WORDS.get(reason, reason) for reason in invoice.reasons],
            "duplicates": [duplicate.number for duplicate in invoice.possible_duplicates],
        },
        page=invoice_page(invoice.invoice_id),
    )


def invoice_decided(invoice: InvoiceApproved | InvoiceRejected, supplier: SupplierContact) -> EmailDraft:
    """The buyer's decision on the supplier's invoice, approved or rejected, each in its template."""
    decision = "approved" if isinstance(invoice, InvoiceApproved) else "rejected"
    return EmailDraft(
        template=f"invoice_{decision}",
        recipient=supplier.email,
        subject=f"{document_word(invoice).capitalize()} {invoice.number} for PO {invoice.purchase_order_number}"
        f" {decision}",
        context={"invoice": invoice, "supplier_name": supplier.name},
        page=invoice_page(invoice.invoice_id),
    )


def payment_recorded(invoice: InvoicePaymentRecorded, supplier: SupplierContact) -> EmailDraft:
    paid_in_full = invoice.status == "paid"
    state = "Paid" if paid_in_full else "Partly paid"
    balance_due = round_money(max(invoice.balance_due, Decimal(0)), invoice.currency)
    return EmailDraft(
        template="invoice_payment",
        recipient=supplier.email,
        subject=f"Invoice {invoice.number}: {state}",
        context={
            "invoice": invoice,
            "supplier_name": supplier.name,
            "payment_state": state,
            "paid_in_full": paid_in_full,
            "balance_due": balance_due,
        },
        page=invoice_page(invoice.invoice_id),
    )


def approval_reminder(
    invoice: TrackedInvoice, approver: PortalUser, supplier: SupplierContact | None, *, today: date
) -> EmailDraft:
    """The approver of an invoice that still waits, reminded of it (``domain.reminders``)."""
    assert invoice.pending_since is not None
    return EmailDraft(
        template="invoice_approval_reminder",
        recipient=approver.email,
        subject=(
            f"Reminder: {document_word(invoice)} {invoice.number} for PO {invoice.purchase_order_number}"
            " is waiting for your approval"
        ),
        context={
            "invoice": invoice,
            "approver_name": approver.name,
            "supplier_name": supplier and supplier.name,
            "waiting_days": (today - invoice.pending_since.date()).days,
        },
        page=invoice_page(invoice.invoice_id),
    )


def invoice_overdue(invoice: TrackedInvoice, admin: PortalUser, supplier: SupplierContact | None) -> EmailDraft:
    """A buyer admin told that an approved invoice passed its due date unpaid (``domain.reminders``)."""
    balance_due = round_money(max(invoice.balance_due, Decimal(0)), invoice.currency)
    return EmailDraft(
        template="invoice_overdue",
        recipient=admin.email,
        subject=f"Invoice {invoice.number} for PO {invoice.purchase_order_number} is overdue",
        context={
            "invoice": invoice,
            "admin_name": admin.name,
            "supplier_name": supplier and supplier.name,
            "balance_due": balance_due,
        },
        page=invoice_page(invoice.invoice_id),
    )
