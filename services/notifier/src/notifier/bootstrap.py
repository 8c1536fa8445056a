"""Composition root of the notifier service: API, consumers, the email sender and the reminder
scheduler (on the wall clock unless a test gives another)."""

from __future__ import annotations

from notifier.config import Settings
from notifier.entrypoints.api import router
from notifier.entrypoints.consumers import consumers
from notifier.entrypoints.reminder_scheduler import Clock, reminder_scheduler, wall_clock
from notifier.entrypoints.sender import email_sender
from shared.runtime import ServiceRuntime
from shared.stalls import StallCheck, waiting_longer_than


def bootstrap(settings: Settings | None = None, *, clock: Clock = wall_clock) -> ServiceRuntime:
    settings = settings or Settings()
    return ServiceRuntime(
        settings,
        title="Supplier portal — notifier",
        routers=[router],
        consumers=consumers,
        background=[email_sender, reminder_scheduler(clock)],
        verifier=settings.token_verifier(),
        stall_checks=stall_checks(settings),
    )


def stall_checks(settings: Settings) -> list[StallCheck]:
    """A queued email waits in "pending" until the SMTP server takes it, normally seconds (retries
    included); ``created_at`` is when it was queued. The partial index ``ix_emails_due`` holds
    just the pending emails."""
    return [
        waiting_longer_than(
            "email_delivery",
            settings.stall_email_s,
            table="emails",
            since="created_at",
            where="status = 'pending'",
        )
    ]
