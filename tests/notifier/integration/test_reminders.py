"""Reminders driven by time on the real servers: invoice, user and organisation events in through
Kafka, the scheduler's clock moved, the email in the SMTP sink exactly once, however many
passes run at once and across a restart."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from uuid import UUID, uuid4

from sqlalchemy import text

from notifier.adapters.rendering import EmailRenderer
from notifier.config import Settings
from notifier.domain.reminders import Reminder
from notifier.service import reminder_emails
from notifier.service.unit_of_work import UnitOfWork
from portal_dev.testing import poll_until
from shared.contracts import Envelope, EventPayload
from shared.contracts.identity import UserRegistered
from shared.contracts.invoicing import InvoiceApprovalRequested, InvoiceApproved
from shared.metrics import parse_samples, sample_value
from shared.runtime import ServiceRuntime
from tests.notifier import samples
from tests.notifier.integration.conftest import StartNotifier
from tests.notifier.integration.kafka_events import Publisher
from tests.notifier.integration.mailbox import MailSink, bodies

APPROVAL_SUBJECT = "Reminder: invoice INV-77 for PO PO-2026-0042 is waiting for your approval"


def subject(message: EmailMessage) -> str:
    # A subject longer than a line is folded before its first word, which the parser keeps as a space.
    return str(message["Subject"]).strip()


class MovableClock:
    """The scheduler's clock: the wall clock's time of day, on a day the test moves forward."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def today(self) -> date:
        return self().date()

    def move(self, *, days: int) -> None:
        self.offset += timedelta(days=days)


class Buyer:
    """One buyer organisation's events: its settings, people, supplier and invoices."""

    def __init__(self, publisher: Publisher) -> None:
        self.publisher = publisher
        self.tenant, self.supplier_id, self.approver_id = uuid4(), uuid4(), uuid4()

    async def publish(self, payload: EventPayload, *, at: datetime | None = None) -> None:
        envelope = Envelope.wrap(payload, tenant_id=self.tenant, producer="test")
        if at is not None:
            envelope = envelope.model_copy(update={"occurred_at": at})
        await self.publisher.publish(payload, tenant_id=self.tenant, envelope=envelope)

    async def set_up(self, *, reminder_days: int) -> None:
        settings = samples.organisation(self.tenant).model_copy(update={"approval_reminder_days": reminder_days})
        await self.publish(settings)
        await self.publish(samples.supplier(self.tenant, self.supplier_id))
        await self.publish(samples.user(self.tenant, self.approver_id))

    async def admin(self, email: str, *, active: bool = True) -> None:
        await self.publish(
            UserRegistered(
                user_id=uuid4(),
                tenant_id=self.tenant,
                email=email,
                name=email.split("@")[0].title(),
                role="buyer_admin",
                active=active,
                updated_at=samples.NOW,
            )
        )

    def pending_invoice(self) -> InvoiceApprovalRequested:
        return samples.approval_requested(self.tenant, self.supplier_id, self.approver_id)


async def tracked(runtime: ServiceRuntime, invoice_id: UUID, status: str) -> None:
    """Until the scheduler's copy of the invoice has reached ``status`` (its consumer is eventual)."""

    async def arrived() -> bool:
        async with runtime.engine.connect() as conn:
            found = await conn.execute(
                text("SELECT status FROM reminder_invoices WHERE invoice_id = :id"), {"id": invoice_id}
            )
            return found.scalar() == status

    await poll_until(arrived, what=f"invoice {invoice_id} {status} in the reminders' read model")


async def policy(runtime: ServiceRuntime, tenant: UUID, days: int) -> None:
    async def arrived() -> bool:
        async with runtime.engine.connect() as conn:
            found = await conn.execute(
                text("SELECT approval_reminder_days FROM reminder_policies WHERE tenant_id = :t"), {"t": tenant}
            )
            return found.scalar() == days

    await poll_until(arrived, what=f"{days} reminder days of {tenant}")


async def reminder_emails_of(runtime: ServiceRuntime, template: str) -> list[tuple[str, str]]:
    """The emails of ``template`` once none is pending (the sink has a message a moment before the
    notifier records it as sent)."""

    async def settled() -> list[tuple[str, str]] | None:
        async with runtime.engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT recipient, status FROM emails WHERE template = :t ORDER BY recipient"), {"t": template}
            )
            found = [(r.recipient, r.status) for r in rows]
        return found if found and all(status != "pending" for _, status in found) else None

    found: list[tuple[str, str]] = await poll_until(settled, what=f"the {template} emails settled")
    return found


async def known_users(runtime: ServiceRuntime, tenant: UUID, count: int) -> None:
    """Until the users' read model holds ``count`` people of ``tenant`` (another topic than the invoices')."""

    async def arrived() -> bool:
        async with runtime.engine.connect() as conn:
            found = await conn.execute(text("SELECT count(*) FROM users WHERE tenant_id = :t"), {"t": tenant})
            return found.scalar() == count

    await poll_until(arrived, what=f"{count} users of {tenant}")


async def a_pass(runtime: ServiceRuntime, day: date) -> list[Reminder]:
    """One pass of the scheduler's use case, as a second instance (or the operator's command) runs it."""
    settings = runtime.settings
    assert isinstance(settings, Settings)
    return await reminder_emails.send_due_reminders(
        lambda: UnitOfWork(runtime.session_factory, "notifier"),
        EmailRenderer(settings.smtp_from, settings.portal_public_url),
        day,
        overdue_catch_up_days=settings.overdue_notice_catch_up_days,
    )


async def test_the_approver_is_reminded_once_n_days_after_the_invoice_became_pending_however_often_the_scheduler_runs(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    clock = MovableClock()
    async with (
        start_notifier(smtp_port=mail_sink.port, clock=clock, reminder_interval_s=0.05) as (client, runtime),
        Publisher(broker) as publisher,
    ):
        buyer = Buyer(publisher)
        await buyer.set_up(reminder_days=3)
        invoice = buyer.pending_invoice()
        await buyer.publish(invoice)
        await mail_sink.wait_for("irene@buyer.example")  # the approval request itself
        await tracked(runtime, invoice.invoice_id, "pending")
        await policy(runtime, buyer.tenant, 3)

        clock.move(days=2)
        assert await a_pass(runtime, clock.today()) == []  # two days: not yet

        clock.move(days=1)
        delivered = await mail_sink.wait_for("irene@buyer.example", count=2)
        [reminder] = [m for m in delivered if subject(m) == APPROVAL_SUBJECT]
        # The scheduler runs every 50 ms all day long, and a second instance besides.
        assert await a_pass(runtime, clock.today()) == []
        assert await reminder_emails_of(runtime, "invoice_approval_reminder") == [("irene@buyer.example", "sent")]
        metrics = parse_samples((await client.get("/metrics")).text)

    assert subject(reminder) == APPROVAL_SUBJECT
    plain, html = bodies(reminder)
    assert f"http://127.0.0.1:8000/invoices/{invoice.invoice_id}" in plain
    assert "(3 days)" in plain and "Acme Tools" in html
    assert len(mail_sink.to("irene@buyer.example")) == 2
    assert sample_value(metrics, "portal_reminders_sent_total", kind="approval") == 1
    assert sample_value(metrics, "portal_reminders_sent_total", kind="overdue") == 0


async def test_scheduler_passes_running_at_once_queue_one_reminder(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    clock = MovableClock()
    # The service's own scheduler runs once at the start and then sleeps: the passes below race alone.
    async with (
        start_notifier(smtp_port=mail_sink.port, clock=clock, reminder_interval_s=3600) as (_, runtime),
        Publisher(broker) as publisher,
    ):
        buyer = Buyer(publisher)
        await buyer.set_up(reminder_days=2)
        invoice = buyer.pending_invoice()
        await buyer.publish(invoice)
        await tracked(runtime, invoice.invoice_id, "pending")
        await policy(runtime, buyer.tenant, 2)
        await known_users(runtime, buyer.tenant, 1)

        clock.move(days=2)
        passes = await asyncio.gather(*(a_pass(runtime, clock.today()) for _ in range(6)))
        await mail_sink.wait_for("irene@buyer.example", count=2)
        queued = await reminder_emails_of(runtime, "invoice_approval_reminder")

    assert sum(len(sent) for sent in passes) == 1
    assert queued == [("irene@buyer.example", "sent")]
    assert [subject(m) for m in mail_sink.to("irene@buyer.example")].count(APPROVAL_SUBJECT) == 1


async def test_a_restarted_notifier_does_not_send_a_reminder_again_the_same_day(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    clock = MovableClock()
    async with Publisher(broker) as publisher:
        buyer = Buyer(publisher)
        async with start_notifier(smtp_port=mail_sink.port, clock=clock, reminder_interval_s=0.05) as (_, runtime):
            database_url = runtime.settings.database_url
            await buyer.set_up(reminder_days=2)
            first = buyer.pending_invoice()
            await buyer.publish(first)
            await tracked(runtime, first.invoice_id, "pending")
            clock.move(days=2)
            await mail_sink.wait_for("irene@buyer.example", count=2)

        async with start_notifier(
            smtp_port=mail_sink.port, clock=clock, reminder_interval_s=0.05, database_url=database_url
        ) as (_, restarted):
            # An invoice pending for two days already: the pass of the restarted scheduler that
            # reminds of it has also looked at the first one.
            second = buyer.pending_invoice().model_copy(update={"invoice_id": uuid4(), "number": "INV-78"})
            await buyer.publish(second, at=clock() - timedelta(days=2))
            await poll_until(
                lambda: len(mail_sink.to("irene@buyer.example")) >= 4, what="the second invoice and its reminder"
            )
            queued = await reminder_emails_of(restarted, "invoice_approval_reminder")

    subjects = [subject(m) for m in mail_sink.to("irene@buyer.example")]
    assert subjects.count(APPROVAL_SUBJECT) == 1
    assert subjects.count(APPROVAL_SUBJECT.replace("INV-77", "INV-78")) == 1
    assert len(queued) == 2


async def test_the_buyers_active_admins_hear_once_the_day_after_an_approved_invoice_was_due(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    clock = MovableClock()
    async with (
        start_notifier(smtp_port=mail_sink.port, clock=clock, reminder_interval_s=0.05) as (client, runtime),
        Publisher(broker) as publisher,
    ):
        buyer = Buyer(publisher)
        await buyer.set_up(reminder_days=2)
        await buyer.admin("ada@buyer.example")
        await buyer.admin("bo@buyer.example")
        await buyer.admin("gone@buyer.example", active=False)
        approved = samples.approved(buyer.tenant, buyer.supplier_id).model_copy(
            update={"due_date": clock.today(), "approver_id": buyer.approver_id}
        )
        assert isinstance(approved, InvoiceApproved)
        await buyer.publish(approved)
        await mail_sink.wait_for("sales@acme.example")  # the supplier told of the approval
        await tracked(runtime, approved.invoice_id, "approved")
        await known_users(runtime, buyer.tenant, 4)  # the approver and three admins
        assert await a_pass(runtime, clock.today()) == []  # due today: not overdue yet

        clock.move(days=1)
        [notice] = await mail_sink.wait_for("ada@buyer.example")
        await mail_sink.wait_for("bo@buyer.example")
        clock.move(days=1)
        assert await a_pass(runtime, clock.today()) == []  # never again
        queued = await reminder_emails_of(runtime, "invoice_overdue")
        metrics = parse_samples((await client.get("/metrics")).text)

    assert subject(notice) == "Invoice INV-77 for PO PO-2026-0042 is overdue"
    assert queued == [("ada@buyer.example", "sent"), ("bo@buyer.example", "sent")]
    assert mail_sink.to("gone@buyer.example") == []
    assert sample_value(metrics, "portal_reminders_sent_total", kind="overdue") == 1
