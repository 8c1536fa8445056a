"""Use cases of the reminders that time brings: keep, from the invoice and organisation events,
what they are about, and send those due on a day.

A pass (``send_due_reminders``) takes the invoices a reminder may be due about and handles each
in a transaction of its own: claim the invoice (``FOR UPDATE SKIP LOCKED``), ask the rules which
reminders are due, record each in ``reminders_sent`` (a reminder already there is not queued
again), queue its emails and the invoice's progress, commit. The email sender delivers them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from uuid import UUID

import structlog

from notifier.domain import messages, reminders
from notifier.domain.messages import EmailDraft
from notifier.domain.reminders import Reminder, ReminderKind, TrackedInvoice
from notifier.service.email_queue import Renderer, queue_email
from notifier.service.unit_of_work import UnitOfWork
from shared.contracts import Envelope
from shared.contracts.identity import OrganisationSettingsChanged
from shared.contracts.invoicing import InvoiceSnapshot

log = structlog.get_logger(__name__)


async def track_invoice(uow: UnitOfWork, invoice: InvoiceSnapshot, envelope: Envelope) -> None:
    """Every invoice event: what its reminders need, unless a newer event was kept already
    (``reminders.tracked``, which the repository applies in one statement)."""
    await uow.reminders.track(reminders.first_seen(invoice, envelope.occurred_at))


async def track_reminder_policy(uow: UnitOfWork, organisation: OrganisationSettingsChanged) -> None:
    await uow.reminders.save_policy(organisation.tenant_id, organisation.approval_reminder_days, organisation.revision)


async def send_due_reminders(
    new_uow: Callable[[], UnitOfWork],
    renderer: Renderer,
    today: date,
    *,
    overdue_catch_up_days: int,
    tenant_id: UUID | None = None,
) -> list[Reminder]:
    """Queue the reminders due ``today`` (of one organisation, or all); returns those queued now."""
    async with new_uow() as uow:
        candidates = await uow.reminders.candidates(
            today, overdue_catch_up_days=overdue_catch_up_days, tenant_id=tenant_id
        )
    sent: list[Reminder] = []
    for invoice_id in candidates:
        try:
            sent += await _remind(new_uow(), renderer, invoice_id, today, overdue_catch_up_days)
        except Exception as exc:  # one invoice that fails (a template, a lost connection) holds up no other
            log.warning(
                "reminders of an invoice failed; the next pass tries again", invoice_id=str(invoice_id), error=repr(exc)
            )
    return sent


async def _remind(
    uow: UnitOfWork, renderer: Renderer, invoice_id: UUID, today: date, overdue_catch_up_days: int
) -> list[Reminder]:
    sent: list[Reminder] = []
    async with uow:
        invoice = await uow.reminders.claim(invoice_id)
        if invoice is None:
            return sent  # another scheduler is on it
        every_days = await uow.reminders.approval_reminder_days(invoice.tenant_id)
        due = reminders.reminders_due(
            invoice, every_days=every_days, today=today, overdue_catch_up_days=overdue_catch_up_days
        )
        for reminder in due:
            drafts = await _drafts(uow, reminder, invoice, today)
            if not drafts:
                continue  # nobody to tell yet: a later pass asks again
            now = datetime.now(UTC)
            if await uow.reminders.record_sent(reminder, tenant_id=invoice.tenant_id, recipients=len(drafts), now=now):
                for draft in drafts:
                    await queue_email(uow, renderer, reminder.id, invoice.tenant_id, draft)
                sent.append(reminder)
                log.info(
                    "reminder queued",
                    kind=reminder.kind.value,
                    invoice_id=str(invoice.invoice_id),
                    day=reminder.day.isoformat(),
                    recipients=len(drafts),
                )
            invoice = invoice.reminded(reminder)
        await uow.reminders.save(invoice)
        await uow.commit()
    return sent


async def _drafts(uow: UnitOfWork, reminder: Reminder, invoice: TrackedInvoice, today: date) -> list[EmailDraft]:
    supplier = await uow.directory.supplier(invoice.supplier_id, tenant_id=invoice.tenant_id)
    if reminder.kind is ReminderKind.approval:
        assert invoice.approver_id is not None
        approver = reminders.approval_reminder_recipient(await uow.directory.user(invoice.approver_id))
        return [] if approver is None else [messages.approval_reminder(invoice, approver, supplier, today=today)]
    admins = reminders.overdue_notice_recipients(await uow.directory.buyer_admins(invoice.tenant_id))
    return [messages.invoice_overdue(invoice, admin, supplier) for admin in admins]
