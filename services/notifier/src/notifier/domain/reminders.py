"""Reminders driven by time: which invoices still wait for someone, and which reminder is due on
a given day.

An approval reminder goes to the approver of a pending invoice ``approval_reminder_days`` (N)
after it became pending, and again N days after each reminder while it waits: never before, never
twice on one day, none once it left ``pending``. A resubmission that makes it pending again starts
the count anew; an N the organisation changes counts from the last reminder on. An overdue notice
goes to the buyer's admins once per due date, the first day after it, while the invoice is
approved or partly paid; a notifier that was away that day sends it on a later day within the
catch-up window, never after (so that reading old history sends no stale notices).

Plain Python: the scheduler (``notifier.service.reminder_emails``) loads, asks, records.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from uuid import UUID, uuid5

from notifier.domain.read_models import PortalUser
from shared.contracts.invoicing import InvoiceSnapshot
from shared.fields import made_of

DEFAULT_APPROVAL_REMINDER_DAYS = 2
# While approved or partly paid an invoice past its due date is overdue (API.md).
OVERDUE_STATUSES = frozenset({"approved", "partly_paid"})

_REMINDER_ID_NAMESPACE = UUID("0c6f3c2e-41a7-4a8e-9d35-6b7f2d9e8a51")


class ReminderKind(StrEnum):
    approval = "approval"
    overdue = "overdue"


@dataclass(frozen=True)
class TrackedInvoice:
    """An invoice as far as reminders need it, from the latest of its events (by ``revision``)."""

    invoice_id: UUID
    tenant_id: UUID
    supplier_id: UUID
    number: str
    purchase_order_number: str
    currency: str
    gross_total: Decimal
    balance_due: Decimal
    status: str
    submission: int
    revision: int
    approver_id: UUID | None = None
    # When it became pending (the approval request's time); None while it is not pending.
    pending_since: datetime | None = None
    # The day of the last approval reminder of this pending spell.
    last_reminded_on: date | None = None
    due_date: date | None = None
    # The due date whose overdue notice went out: a new due date may be noticed again.
    overdue_noticed_for: date | None = None
    # A credit note waits for approval like an invoice (and is never overdue: it has no due date).
    kind: str = "invoice"

    def reminded(self, reminder: Reminder) -> TrackedInvoice:
        """The invoice once ``reminder`` went out."""
        if reminder.kind is ReminderKind.approval:
            return replace(self, last_reminded_on=reminder.day)
        return replace(self, overdue_noticed_for=self.due_date)


@dataclass(frozen=True)
class Reminder:
    """One reminder about one invoice. ``day`` makes it unique: for an approval reminder the day
    it is sent (one a day at most), for an overdue notice the day the invoice became overdue (one
    per due date)."""

    kind: ReminderKind
    invoice_id: UUID
    day: date

    @property
    def id(self) -> UUID:
        """The same reminder always has the same id; its emails are named after it as an event's are."""
        return uuid5(_REMINDER_ID_NAMESPACE, f"{self.invoice_id}/{self.kind.value}/{self.day.isoformat()}")


def first_seen(invoice: InvoiceSnapshot, occurred_at: datetime) -> TrackedInvoice:
    """The invoice as ``invoice`` (an event that happened at ``occurred_at``) makes it on its own:
    pending from that moment when it is pending, with no reminder sent yet."""
    return made_of(TrackedInvoice, invoice, pending_since=occurred_at if invoice.status == "pending" else None)


def still_waiting(stored: TrackedInvoice, incoming: TrackedInvoice) -> bool:
    """Whether ``incoming`` continues the pending spell ``stored`` is in (the same submission,
    still waiting for approval): the spell's start and its last reminder carry over."""
    return (
        incoming.status == "pending"
        and stored.status == "pending"
        and stored.submission == incoming.submission
        and stored.pending_since is not None
    )


def tracked(previous: TrackedInvoice | None, invoice: InvoiceSnapshot, occurred_at: datetime) -> TrackedInvoice | None:
    """The invoice after ``invoice`` (an event that happened at ``occurred_at``); None when the
    stored state is newer already (a late, older event changes nothing). The overdue notice of a
    due date stays noticed; ``still_waiting`` says what else carries over.

    The repository applies the same rule in one statement (``ReminderRepository.track``)."""
    if previous is not None and previous.revision >= invoice.revision:
        return None
    incoming = first_seen(invoice, occurred_at)
    if previous is None:
        return incoming
    if still_waiting(previous, incoming):
        return replace(
            incoming,
            pending_since=previous.pending_since,
            last_reminded_on=previous.last_reminded_on,
            overdue_noticed_for=previous.overdue_noticed_for,
        )
    return replace(incoming, overdue_noticed_for=previous.overdue_noticed_for)


def next_approval_reminder_on(invoice: TrackedInvoice, every_days: int) -> date | None:
    """The first day the approver may be reminded; None when the invoice waits for nobody."""
    if invoice.status != "pending" or invoice.pending_since is None or invoice.approver_id is None:
        return None
    counted_from = invoice.last_reminded_on or invoice.pending_since.date()
    return counted_from + timedelta(days=max(every_days, 1))


def overdue_on(invoice: TrackedInvoice) -> date | None:
    """The day the invoice becomes overdue; None when it cannot be (not approved, no due date,
    nothing left to pay once credits and payments are counted)."""
    if invoice.status not in OVERDUE_STATUSES or invoice.due_date is None or invoice.balance_due <= 0:
        return None
    return invoice.due_date + timedelta(days=1)


def reminders_due(
    invoice: TrackedInvoice, *, every_days: int, today: date, overdue_catch_up_days: int
) -> list[Reminder]:
    """The reminders about ``invoice`` that go out ``today`` (UTC), given the organisation's
    ``approval_reminder_days`` and how many days late an overdue notice may still be sent."""
    due: list[Reminder] = []
    reminder_on = next_approval_reminder_on(invoice, every_days)
    if reminder_on is not None and today >= reminder_on:
        due.append(Reminder(ReminderKind.approval, invoice.invoice_id, today))
    became_overdue = overdue_on(invoice)
    if (
        became_overdue is not None
        and became_overdue <= today < became_overdue + timedelta(days=max(overdue_catch_up_days, 1))
        and invoice.overdue_noticed_for != invoice.due_date
    ):
        due.append(Reminder(ReminderKind.overdue, invoice.invoice_id, became_overdue))
    return due


def approval_reminder_recipient(approver: PortalUser | None) -> PortalUser | None:
    """Whom an approval reminder goes to: the approver, unless not known yet or switched off (a
    reminder cannot help; it goes out once they are back, or the invoice is decided)."""
    return approver if approver is not None and approver.active else None


def overdue_notice_recipients(admins: list[PortalUser]) -> list[PortalUser]:
    """Whom an overdue notice goes to: each active buyer admin of the organisation, once per address."""
    active = [a for a in admins if a.active and a.role == "buyer_admin"]
    by_address = {a.email.strip().lower(): a for a in sorted(active, key=lambda a: a.email)}
    return list(by_address.values())
