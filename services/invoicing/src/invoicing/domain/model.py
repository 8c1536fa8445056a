"""The invoice aggregate: its status machine, totals, payments and credits. A credit note is an
invoice of kind ``credit_note`` (``invoicing.domain.credit_notes``).

Plain Python and Decimal: no database, web or messaging imports. Every change that others
must hear of records an event with the invoice's whole state in ``events``; the unit of work
writes them to the outbox. Drafts and edits are private to their author and publish nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from invoicing.domain.credit_notes import CreditLineDraft, build_credit_lines, ensure_creditable
from invoicing.domain.errors import InvalidInvoice, InvoiceStateConflict, IssueDateRequired, NotAllowed
from invoicing.domain.events import invoice_state, payment_state
from invoicing.domain.lines import InvoiceLine
from invoicing.domain.payment_terms import DEFAULT_PAYMENT_TERMS_DAYS, due_date_of, is_overdue
from invoicing.domain.payments import Payment, new_payment, not_payable
from invoicing.domain.read_models import PurchaseOrder
from invoicing.domain.status import Status
from invoicing.domain.verdicts import Verdict
from shared.contracts.base import EventPayload
from shared.contracts.invoicing import (
    InvoiceApprovalRequested,
    InvoiceApproved,
    InvoiceCanceled,
    InvoiceCredited,
    InvoiceKind,
    InvoicePaymentRecorded,
    InvoiceRejected,
    InvoiceSubmitted,
)
from shared.money import round_money
from shared.taxes import TaxedDocument

EDITABLE = frozenset({Status.draft, Status.rejected})
PAYABLE = frozenset({Status.approved, Status.partly_paid})
CANCELABLE_BY_SUPPLIER = frozenset({Status.draft, Status.rejected})
CANCELABLE_BY_BUYER = frozenset({Status.draft, Status.pending, Status.rejected})


@dataclass
class Invoice(TaxedDocument):
    id: UUID
    tenant_id: UUID
    purchase_order_id: UUID
    purchase_order_number: str
    supplier_id: UUID
    number: str
    currency: str
    created_at: datetime
    updated_at: datetime
    issue_date: date | None = None
    status: Status = Status.draft
    lines: list[InvoiceLine] = field(default_factory=list)
    submission: int = 0
    submitted_at: datetime | None = None
    approver_id: UUID | None = None
    rejection_reason: str | None = None
    payments: list[Payment] = field(default_factory=list)
    matching: Verdict | None = None
    revision: int = 1
    # The PO initiator (who approves) travels on every event so consumers need no PO lookup.
    initiator_id: UUID | None = None
    # Written by the buyer's staff on the supplier's behalf while the supplier portal was off.
    created_by_buyer: bool = False
    # Set at each submission from the issue date and the supplier's payment terms.
    due_date: date | None = None
    kind: InvoiceKind = "invoice"
    # A credit note's invoice; on an invoice, the gross totals of its approved credit notes.
    credited_invoice_id: UUID | None = None
    credited_total: Decimal = Decimal(0)
    # The supplier's name as the directory knew it when the invoice was loaded or saved (None
    # until it knows the supplier): shown with the invoice, never decided on.
    supplier_name: str | None = field(default=None, compare=False)
    events: list[EventPayload] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def draft(
        cls,
        *,
        po: PurchaseOrder,
        number: str,
        issue_date: date | None,
        lines: list[InvoiceLine],
        now: datetime,
        created_by_buyer: bool = False,
    ) -> Invoice:
        po.ensure_invoiceable()
        return cls(
            id=uuid4(),
            tenant_id=po.tenant_id,
            purchase_order_id=po.id,
            purchase_order_number=po.number,
            supplier_id=po.supplier_id,
            number=number,
            issue_date=issue_date,
            currency=po.currency,
            lines=lines,
            created_at=now,
            updated_at=now,
            initiator_id=po.initiator_id,
            created_by_buyer=created_by_buyer,
        )

    @classmethod
    def credit_note(
        cls,
        *,
        credited: Invoice,
        number: str,
        issue_date: date | None,
        lines: list[CreditLineDraft],
        now: datetime,
        created_by_buyer: bool = False,
    ) -> Invoice:
        """A draft credit note of lines of ``credited``, an approved invoice of the same order."""
        ensure_creditable(kind=credited.kind, status=credited.status, number=credited.number)
        return cls(
            id=uuid4(),
            tenant_id=credited.tenant_id,
            purchase_order_id=credited.purchase_order_id,
            purchase_order_number=credited.purchase_order_number,
            supplier_id=credited.supplier_id,
            number=number,
            issue_date=issue_date,
            currency=credited.currency,
            lines=build_credit_lines(lines, credited.lines, credited.currency),
            created_at=now,
            updated_at=now,
            initiator_id=credited.initiator_id,
            created_by_buyer=created_by_buyer,
            kind="credit_note",
            credited_invoice_id=credited.id,
        )

    @property
    def is_credit_note(self) -> bool:
        return self.kind == "credit_note"

    @property
    def paid_total(self) -> Decimal:
        return round_money(sum((p.amount for p in self.payments), Decimal(0)), self.currency)

    @property
    def balance_due(self) -> Decimal:
        """What is left to pay: the gross total less approved credits and payments. Below zero
        when a paid invoice was credited: the buyer has that much to get back."""
        if self.is_credit_note:
            return Decimal(0).quantize(self.gross_total)
        return self.gross_total - self.credited_total - self.paid_total

    def edit(self, changes: dict[str, Any], now: datetime, lines: list[InvoiceLine] | None = None) -> None:
        """Change ``number`` or ``issue_date``, and replace the ``lines`` (built by the caller against
        the order or the credited invoice), while draft or rejected."""
        self._require(EDITABLE, "edited")
        if lines is not None:
            self.lines = lines
        for name in ("number", "issue_date"):
            if name in changes:
                setattr(self, name, changes[name])
        self._touch(now)

    def overdue_on(self, today: date) -> bool:
        return self.balance_due > 0 and is_overdue(self.status, self.due_date, today)

    def submit(
        self,
        now: datetime,
        *,
        issue_date_required: bool = False,
        payment_terms_days: int = DEFAULT_PAYMENT_TERMS_DAYS,
    ) -> None:
        """Send the invoice to matching; ``issue_date_required`` is the buyer's setting, the due
        date follows from the supplier's ``payment_terms_days`` as they stand now (``now`` is UTC)."""
        self._require(EDITABLE, "submitted")
        if not self.lines:
            raise InvalidInvoice("an invoice without lines cannot be submitted", errors=[{"field": "lines"}])
        if issue_date_required and self.issue_date is None:
            raise IssueDateRequired()
        # A new submission is matched from scratch: the previous verdict and decision no longer apply.
        self.status, self.submission, self.submitted_at = Status.matching, self.submission + 1, now
        self.matching, self.approver_id, self.rejection_reason = None, None, None
        # A credit note is not paid, so it falls due on no day.
        self.due_date = None if self.is_credit_note else due_date_of(self.issue_date, now.date(), payment_terms_days)
        self._touch(now)
        self.events.append(InvoiceSubmitted(**invoice_state(self)))

    def record_verdict(self, verdict: Verdict, *, approver_id: UUID, now: datetime) -> bool:
        """Apply the verdict on the current submission; False (and nothing changes) for a stale one.

        A re-match on a goods receipt (``rematch_of``) approves the invoice its verdict held, while
        it still waits for a decision on that verdict: a person who decided first stands."""
        if verdict.rematch_of is not None:
            return self._record_rematch(verdict, now)
        if self.status != Status.matching or verdict.submission != self.submission:
            return False
        self.matching = verdict
        if verdict.auto_approved:
            self.status = Status.approved
            self._touch(now)
            self.events.append(InvoiceApproved(**invoice_state(self), auto_approved=True))
        else:
            self.status, self.approver_id = Status.pending, approver_id
            self._touch(now)
            duplicates = [vars(duplicate) for duplicate in verdict.possible_duplicates]
            self.events.append(
                InvoiceApprovalRequested(
                    **invoice_state(self), reasons=list(verdict.reasons), possible_duplicates=duplicates
                )
            )
        return True

    def _record_rematch(self, verdict: Verdict, now: datetime) -> bool:
        held = self.matching
        if (
            self.status != Status.pending
            or verdict.submission != self.submission
            or held is None
            or held.verdict_id != verdict.rematch_of
            or not verdict.auto_approved
        ):
            return False
        self.matching, self.status = verdict, Status.approved
        self._touch(now)
        self.events.append(InvoiceApproved(**invoice_state(self), auto_approved=True))
        return True

    def may_decide(self, user_id: UUID, *, is_admin: bool) -> bool:
        """The approver (the PO initiator) or any buyer admin of the tenant decides."""
        return is_admin or (self.approver_id is not None and user_id == self.approver_id)

    def approve(self, by: UUID, *, is_admin: bool, now: datetime) -> None:
        self._require_decision(by, is_admin, "approved")
        self.status = Status.approved
        self._touch(now)
        self.events.append(InvoiceApproved(**invoice_state(self), auto_approved=False))

    def reject(self, by: UUID, *, is_admin: bool, reason: str, now: datetime) -> None:
        if not reason.strip():
            raise InvalidInvoice("a rejection needs a reason", errors=[{"field": "reason", "message": "required"}])
        self._require_decision(by, is_admin, "rejected")
        self.status, self.rejection_reason = Status.rejected, reason.strip()
        self._touch(now)
        self.events.append(InvoiceRejected(**invoice_state(self)))

    def cancel(self, *, by_buyer: bool, now: datetime) -> None:
        self._require(CANCELABLE_BY_BUYER if by_buyer else CANCELABLE_BY_SUPPLIER, "canceled")
        self.status = Status.canceled
        self._touch(now)
        if self.submission:  # a draft never submitted was never heard of outside
            self.events.append(InvoiceCanceled(**invoice_state(self), canceled_by="buyer" if by_buyer else "supplier"))

    def record_payment(self, amount: Decimal, now: datetime) -> Payment:
        if self.is_credit_note:
            raise InvoiceStateConflict(
                f"{self.number} is a credit note: it takes no payments, it lowers the balance due of its invoice"
            )
        if self.status not in PAYABLE:
            raise not_payable(self.number, self.status)
        payment = new_payment(amount, balance_due=self.balance_due, currency=self.currency, now=now)
        self.payments.append(payment)
        self.status = Status.paid if self.balance_due == 0 else Status.partly_paid
        self._touch(now)
        self.events.append(InvoicePaymentRecorded(**invoice_state(self), payment=payment_state(payment)))
        return payment

    def apply_credit(self, credit_note: Invoice, credited_total: Decimal, now: datetime) -> None:
        """``credit_note`` of this invoice was approved: ``credited_total`` (the gross totals of all
        its approved credit notes, this one among them, as stored) lowers the balance due. Set, not
        added to, so that applying one credit twice cannot count it twice. A partly paid invoice
        whose payments and credits now cover it is paid."""
        if credit_note.credited_invoice_id != self.id or credit_note.status != Status.approved:
            raise InvoiceStateConflict(f"{credit_note.number} is not an approved credit note of {self.number}")
        self.credited_total = credited_total
        if self.status == Status.partly_paid and self.balance_due <= 0:
            self.status = Status.paid
        self._touch(now)
        self.events.append(InvoiceCredited(**invoice_state(self), credit_note_id=credit_note.id))

    def _require(self, allowed: frozenset[Status], action: str) -> None:
        if self.status not in allowed:
            raise InvoiceStateConflict(f"an invoice in status {self.status} cannot be {action}")

    def _require_decision(self, by: UUID, is_admin: bool, action: str) -> None:
        self._require(frozenset({Status.pending}), action)
        if not self.may_decide(by, is_admin=is_admin):
            raise NotAllowed("only the approver of the invoice or a buyer admin may decide on it")

    def _touch(self, now: datetime) -> None:
        self.revision += 1
        self.updated_at = now
