"""The reminders' copy of an invoice on the real PostgreSQL: each invoice event is kept with one
statement, and whatever order events and reminders come in, the stored invoice is what the
domain's rule (``reminders.tracked``) makes of them: a late or repeated event changes nothing,
a pending spell keeps its start and its last reminder, an overdue notice stays noticed."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from notifier.domain import reminders
from notifier.domain.reminders import Reminder, ReminderKind, TrackedInvoice
from shared.contracts.invoicing import InvoiceApprovalRequested, InvoiceSnapshot
from tests.notifier import samples
from tests.notifier.integration.statements import StatementLog

TENANT, SUPPLIER = uuid4(), uuid4()
START = datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=UTC)
# Pending as often as all the others together: the spells that carry over need two in a row.
STATUSES = ("matching", "approved", "partly_paid", "paid", "rejected", "canceled", *["pending"] * 6)


def invoice_event(
    invoice_id: UUID, *, status: str, revision: int, submission: int, due_date: date | None
) -> InvoiceSnapshot:
    event: InvoiceSnapshot = samples.invoice_event(
        InvoiceApprovalRequested,
        TENANT,
        SUPPLIER,
        status,
        invoice_id=invoice_id,
        revision=revision,
        submission=submission,
        approver_id=uuid4(),
        due_date=due_date,
    )
    return event


async def track(log: StatementLog, event: InvoiceSnapshot, at: datetime) -> None:
    async with log.uow() as uow:
        await uow.reminders.track(reminders.first_seen(event, at))
        await uow.commit()


async def stored(log: StatementLog, invoice_id: UUID) -> TrackedInvoice | None:
    async with log.uow() as uow:
        return await uow.reminders.claim(invoice_id)


async def test_an_invoice_event_is_kept_with_one_statement(statement_log: StatementLog) -> None:
    invoice_id = uuid4()
    for revision in (1, 2, 2, 1):  # new, newer, repeated, late
        statement_log.said.clear()
        event = invoice_event(invoice_id, status="pending", revision=revision, submission=1, due_date=None)
        await track(statement_log, event, START)
        assert statement_log.said == ["BEGIN", "INSERT", "COMMIT"]
    found = await stored(statement_log, invoice_id)
    assert found is not None and found.revision == 2


async def test_any_order_of_invoice_events_and_reminders_is_kept_as_the_domain_rule_says(
    statement_log: StatementLog,
) -> None:
    draw = random.Random(20261207)
    for _ in range(40):
        invoice_id = uuid4()
        expected: TrackedInvoice | None = None
        for step in range(10):
            if expected is not None and draw.random() < 0.3:
                # The scheduler's progress on the stored invoice: a reminder went out.
                if expected.status == "pending":
                    reminder = Reminder(ReminderKind.approval, invoice_id, START.date() + timedelta(days=step))
                else:
                    reminder = Reminder(ReminderKind.overdue, invoice_id, START.date())
                expected = expected.reminded(reminder)
                async with statement_log.uow() as uow:
                    await uow.reminders.save(expected)
                    await uow.commit()
            else:
                # Revisions repeat and come late; statuses and submissions move back and forth.
                event = invoice_event(
                    invoice_id,
                    status=draw.choice(STATUSES),
                    revision=draw.randint(1, 6),
                    submission=draw.randint(1, 2),
                    due_date=draw.choice([None, date(2026, 12, 20), date(2026, 12, 31)]),
                )
                at = START + timedelta(hours=step, microseconds=draw.randint(0, 999_999))
                expected = reminders.tracked(expected, event, at) or expected
                await track(statement_log, event, at)
            assert await stored(statement_log, invoice_id) == expected, step
