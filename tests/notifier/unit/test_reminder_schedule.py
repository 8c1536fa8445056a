"""The reminders time brings, decided on a clock the tests move: approval reminders to a pending
invoice's approver every N days, one overdue notice per due date to the buyer's admins."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from notifier.domain.read_models import PortalUser
from notifier.domain.reminders import (
    Reminder,
    ReminderKind,
    TrackedInvoice,
    overdue_notice_recipients,
    reminders_due,
    tracked,
)
from shared.contracts.invoicing import (
    InvoiceApprovalRequested,
    InvoiceApproved,
    InvoiceCanceled,
    InvoiceRejected,
    InvoiceSnapshot,
)
from tests.notifier import samples

TENANT, SUPPLIER = uuid4(), uuid4()
APPROVER = uuid4()
# Pending since the morning of 1 December: day 0 of the count.
PENDING_AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
DAY_0 = PENDING_AT.date()
CATCH_UP = 3


@dataclass
class Scheduler:
    """The scheduler's passes over one invoice on a clock the test moves: what each day sent."""

    invoice: TrackedInvoice
    every_days: int = 2
    today: date = DAY_0
    sent: list[Reminder] = field(default_factory=list)

    def run(self) -> list[Reminder]:
        """One pass: the reminders due now go out and the invoice remembers them."""
        due = reminders_due(self.invoice, every_days=self.every_days, today=self.today, overdue_catch_up_days=CATCH_UP)
        for reminder in due:
            self.invoice = self.invoice.reminded(reminder)
        self.sent += due
        return due

    def move_to(self, day: date) -> list[Reminder]:
        """Move the clock to ``day``, running a pass at every day on the way (and on ``day``)."""
        found: list[Reminder] = []
        while self.today < day:
            self.today += timedelta(days=1)
            found += self.run()
        return found

    def event(self, snapshot: Any, at: datetime) -> None:
        updated = tracked(self.invoice, snapshot, at)
        if updated is not None:
            self.invoice = updated

    def days(self, kind: ReminderKind) -> list[date]:
        return [r.day for r in self.sent if r.kind is kind]


def pending_invoice(**changes: Any) -> TrackedInvoice:
    requested = samples.approval_requested(TENANT, SUPPLIER, APPROVER)
    invoice = tracked(None, requested.model_copy(update=changes), PENDING_AT)
    assert invoice is not None
    return invoice


def approved_invoice(due: date, status: str = "approved") -> TrackedInvoice:
    return TrackedInvoice(
        invoice_id=uuid4(),
        tenant_id=TENANT,
        supplier_id=SUPPLIER,
        number="INV-1",
        purchase_order_number="PO-000001",
        currency="EUR",
        gross_total=Decimal("100.00"),
        balance_due=Decimal("100.00"),
        status=status,
        submission=1,
        revision=5,
        due_date=due,
    )


def next_state(invoice: TrackedInvoice, status: str, **changes: Any) -> Any:
    """The invoice's next event, as invoicing publishes it (a higher revision)."""
    events: dict[str, type[InvoiceSnapshot]] = {
        "pending": InvoiceApprovalRequested,
        "approved": InvoiceApproved,
        "rejected": InvoiceRejected,
        "canceled": InvoiceCanceled,
    }
    facts = {"invoice_id": invoice.invoice_id, "approver_id": APPROVER, "revision": invoice.revision + 1}
    if status == "approved":
        facts["auto_approved"] = False
    facts = {"submission": invoice.submission, **facts, **changes}
    return samples.invoice_event(events[status], TENANT, SUPPLIER, status, **facts)


def test_the_first_approval_reminder_goes_exactly_n_days_after_the_invoice_became_pending_not_before() -> None:
    scheduler = Scheduler(pending_invoice())
    assert scheduler.run() == []
    assert scheduler.move_to(DAY_0 + timedelta(days=1)) == []
    [reminder] = scheduler.move_to(DAY_0 + timedelta(days=2))
    assert (reminder.kind, reminder.day) == (ReminderKind.approval, date(2026, 12, 3))


def test_an_invoice_pending_late_in_the_day_counts_from_that_day_in_utc() -> None:
    requested = samples.approval_requested(TENANT, SUPPLIER, APPROVER)
    invoice = tracked(None, requested, datetime(2026, 12, 1, 23, 59, tzinfo=UTC))
    assert invoice is not None
    scheduler = Scheduler(invoice)
    assert scheduler.move_to(date(2026, 12, 2)) == []
    assert [r.day for r in scheduler.move_to(date(2026, 12, 3))] == [date(2026, 12, 3)]


def test_the_approver_is_reminded_again_every_n_days_while_the_invoice_waits() -> None:
    scheduler = Scheduler(pending_invoice(), every_days=3)
    scheduler.move_to(DAY_0 + timedelta(days=10))
    assert scheduler.days(ReminderKind.approval) == [DAY_0 + timedelta(days=d) for d in (3, 6, 9)]


def test_two_passes_on_one_day_remind_once() -> None:
    scheduler = Scheduler(pending_invoice(), today=DAY_0 + timedelta(days=2))
    first, second = scheduler.run(), scheduler.run()
    assert len(first) == 1 and second == []
    scheduler.move_to(DAY_0 + timedelta(days=3))
    assert scheduler.run() == []


def test_a_scheduler_away_for_days_sends_one_reminder_when_back_and_counts_from_it() -> None:
    scheduler = Scheduler(pending_invoice(), today=DAY_0 + timedelta(days=7))
    assert len(scheduler.run()) == 1
    scheduler.move_to(DAY_0 + timedelta(days=9))
    assert scheduler.days(ReminderKind.approval) == [DAY_0 + timedelta(days=7), DAY_0 + timedelta(days=9)]


def test_no_reminder_once_the_invoice_is_approved_rejected_or_canceled() -> None:
    for decision in ("approved", "rejected", "canceled"):
        scheduler = Scheduler(pending_invoice())
        scheduler.move_to(DAY_0 + timedelta(days=2))
        scheduler.event(next_state(scheduler.invoice, decision), PENDING_AT + timedelta(days=2, hours=1))
        scheduler.move_to(DAY_0 + timedelta(days=30))
        assert scheduler.days(ReminderKind.approval) == [DAY_0 + timedelta(days=2)], decision


def test_an_older_event_arriving_late_changes_nothing() -> None:
    scheduler = Scheduler(pending_invoice())
    decided = next_state(scheduler.invoice, "approved")
    scheduler.event(decided, PENDING_AT + timedelta(hours=1))
    stale = scheduler.invoice
    assert tracked(stale, next_state(replace(stale, revision=stale.revision - 2), "pending"), PENDING_AT) is None


def test_reminder_days_changed_by_the_organisation_count_from_the_last_reminder() -> None:
    scheduler = Scheduler(pending_invoice(), every_days=2)
    scheduler.move_to(DAY_0 + timedelta(days=4))
    scheduler.every_days = 5
    scheduler.move_to(DAY_0 + timedelta(days=15))
    assert scheduler.days(ReminderKind.approval) == [DAY_0 + timedelta(days=d) for d in (2, 4, 9, 14)]


def test_a_resubmitted_invoice_pending_again_counts_from_its_new_start() -> None:
    scheduler = Scheduler(pending_invoice())
    scheduler.move_to(DAY_0 + timedelta(days=3))
    rejected_at = PENDING_AT + timedelta(days=3)
    scheduler.event(next_state(scheduler.invoice, "rejected"), rejected_at)
    again = next_state(scheduler.invoice, "pending", submission=2)
    scheduler.event(again, rejected_at + timedelta(hours=2))
    assert scheduler.invoice.pending_since == rejected_at + timedelta(hours=2)
    assert scheduler.invoice.last_reminded_on is None
    scheduler.move_to(DAY_0 + timedelta(days=6))
    assert scheduler.days(ReminderKind.approval) == [DAY_0 + timedelta(days=2), DAY_0 + timedelta(days=5)]


def test_another_event_of_the_same_pending_spell_keeps_its_start_and_reminders() -> None:
    scheduler = Scheduler(pending_invoice())
    scheduler.move_to(DAY_0 + timedelta(days=2))
    scheduler.event(next_state(scheduler.invoice, "pending"), PENDING_AT + timedelta(days=2))
    assert scheduler.invoice.pending_since == PENDING_AT
    assert scheduler.invoice.last_reminded_on == DAY_0 + timedelta(days=2)


def test_an_invoice_without_an_approver_waits_for_nobody() -> None:
    scheduler = Scheduler(pending_invoice(approver_id=None))
    assert scheduler.move_to(DAY_0 + timedelta(days=10)) == []


def test_the_overdue_notice_goes_the_day_after_the_due_date_and_never_again() -> None:
    due = date(2026, 12, 31)
    scheduler = Scheduler(approved_invoice(due), today=due - timedelta(days=3))
    assert scheduler.move_to(due) == []
    [notice] = scheduler.move_to(due + timedelta(days=1))
    assert (notice.kind, notice.day) == (ReminderKind.overdue, date(2027, 1, 1))
    assert scheduler.run() == []
    assert scheduler.move_to(due + timedelta(days=60)) == []


def test_a_partly_paid_invoice_is_noticed_overdue_a_paid_one_is_not() -> None:
    due = date(2026, 12, 31)
    partly_paid = Scheduler(approved_invoice(due, "partly_paid"), today=due)
    paid = Scheduler(approved_invoice(due, "paid"), today=due)
    assert len(partly_paid.move_to(due + timedelta(days=1))) == 1
    assert paid.move_to(due + timedelta(days=10)) == []


def test_an_invoice_paid_in_full_before_the_scheduler_ran_is_not_noticed() -> None:
    due = date(2026, 12, 31)
    scheduler = Scheduler(approved_invoice(due), today=due)
    scheduler.invoice = replace(scheduler.invoice, status="paid", balance_due=Decimal(0))
    assert scheduler.move_to(due + timedelta(days=5)) == []


def test_an_overdue_notice_missed_that_day_goes_within_the_catch_up_days_and_never_after() -> None:
    due = date(2026, 12, 31)
    late = Scheduler(approved_invoice(due), today=due + timedelta(days=CATCH_UP))
    assert [r.day for r in late.run()] == [due + timedelta(days=1)]
    stale = Scheduler(approved_invoice(due), today=due + timedelta(days=CATCH_UP + 1))
    assert stale.run() == []


def test_a_new_due_date_after_resubmission_can_be_noticed_again() -> None:
    first_due = date(2026, 12, 31)
    scheduler = Scheduler(approved_invoice(first_due), today=first_due)
    scheduler.move_to(first_due + timedelta(days=1))
    scheduler.invoice = replace(scheduler.invoice, due_date=first_due + timedelta(days=30))
    scheduler.move_to(first_due + timedelta(days=32))
    assert scheduler.days(ReminderKind.overdue) == [first_due + timedelta(days=1), first_due + timedelta(days=31)]


def admin(email: str, *, active: bool = True, role: str = "buyer_admin") -> PortalUser:
    return PortalUser(
        user_id=uuid4(), tenant_id=TENANT, email=email, name=email, role=role, active=active, updated_at=PENDING_AT
    )


def test_the_overdue_notice_goes_to_each_active_buyer_admin_once() -> None:
    people = [
        admin("b@buyer.example"),
        admin("a@buyer.example"),
        admin("off@buyer.example", active=False),
        admin("clerk@buyer.example", role="buyer_user"),
        admin("A@buyer.example"),
    ]
    assert [a.email for a in overdue_notice_recipients(people)] == ["a@buyer.example", "b@buyer.example"]


def test_a_reminder_keeps_its_id_so_every_instance_names_its_emails_alike() -> None:
    invoice_id: UUID = uuid4()
    day = date(2026, 12, 3)
    assert Reminder(ReminderKind.approval, invoice_id, day).id == Reminder(ReminderKind.approval, invoice_id, day).id
    assert Reminder(ReminderKind.approval, invoice_id, day).id != Reminder(ReminderKind.overdue, invoice_id, day).id


@settings(max_examples=200, deadline=None)
@given(
    every_days=st.integers(min_value=1, max_value=10),
    passes_per_day=st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=40),
    changed_to=st.integers(min_value=1, max_value=10),
    changed_on=st.integers(min_value=0, max_value=40),
)
def test_over_any_run_of_days_an_invoice_gets_at_most_one_reminder_a_day_never_before_n_days(
    every_days: int, passes_per_day: list[int], changed_to: int, changed_on: int
) -> None:
    scheduler = Scheduler(pending_invoice(), every_days=every_days)
    in_force: dict[date, int] = {}
    for offset, passes in enumerate(passes_per_day):
        scheduler.today = DAY_0 + timedelta(days=offset)
        if offset == changed_on:
            scheduler.every_days = changed_to
        in_force[scheduler.today] = scheduler.every_days
        for _ in range(passes):
            scheduler.run()
    days = scheduler.days(ReminderKind.approval)
    assert len(days) == len(set(days))
    # Each reminder comes at least the days in force then after the previous one (or the start).
    for previous, day in zip([DAY_0, *days], days, strict=False):
        assert (day - previous).days >= in_force[day]


def test_an_invoice_whose_credits_cover_it_is_not_noticed_overdue() -> None:
    due = date(2026, 12, 31)
    credited = replace(approved_invoice(due), balance_due=Decimal("0.00"))
    scheduler = Scheduler(credited, today=due)
    assert scheduler.move_to(due + timedelta(days=1)) == []


def test_a_pending_credit_note_reminds_its_approver_like_an_invoice() -> None:
    credit = replace(pending_invoice(), kind="credit_note")
    assert [
        r.kind
        for r in reminders_due(
            credit, every_days=2, today=PENDING_AT.date() + timedelta(days=2), overdue_catch_up_days=3
        )
    ] == [ReminderKind.approval]
