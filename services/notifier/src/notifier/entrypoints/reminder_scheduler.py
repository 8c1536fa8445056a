"""The reminder scheduler: a background task of the service that sends, every
``NOTIFIER_REMINDER_INTERVAL_S``, the reminders due today (UTC) by the clock it is given.

The clock is the wall clock in production; tests give one they move. Passes of several instances
(or of the operator's ``notifier-admin reminders send``) may overlap: each reminder is recorded
once (``notifier.service.reminder_emails``). A failed pass is logged and the next one tries again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import structlog
from prometheus_client import Counter

from notifier.adapters.rendering import EmailRenderer
from notifier.config import Settings
from notifier.domain.reminders import ReminderKind
from notifier.service import reminder_emails
from notifier.service.unit_of_work import UnitOfWork
from shared.runtime import BackgroundTask, ServiceRuntime

log = structlog.get_logger(__name__)

Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    return datetime.now(UTC)


def reminders_sent_counter(runtime: ServiceRuntime) -> Counter:
    counter = Counter(
        "portal_reminders_sent",
        "Reminders queued by this process, by kind: approval (to the approver of a pending invoice), "
        "overdue (to the buyer admins, once per due date).",
        ["kind"],
        registry=runtime.metrics.registry,
    )
    for kind in ReminderKind:
        counter.labels(kind.value)  # each kind shows from the start, at 0
    return counter


def reminder_scheduler(clock: Clock = wall_clock) -> BackgroundTask:
    async def send_reminders(runtime: ServiceRuntime) -> None:
        settings = runtime.settings
        assert isinstance(settings, Settings)
        renderer = EmailRenderer(settings.smtp_from, settings.portal_public_url)
        counter = reminders_sent_counter(runtime)

        def uow() -> UnitOfWork:
            return UnitOfWork(runtime.session_factory, settings.service_name)

        while True:
            try:
                sent = await reminder_emails.send_due_reminders(
                    uow,
                    renderer,
                    clock().astimezone(UTC).date(),
                    overdue_catch_up_days=settings.overdue_notice_catch_up_days,
                )
                for reminder in sent:
                    counter.labels(reminder.kind.value).inc()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # database away: what is due stays due, the next pass sends it
                log.warning("reminder pass failed; the next one tries again", error=repr(exc))
            await asyncio.sleep(settings.reminder_interval_s)

    return send_reminders
