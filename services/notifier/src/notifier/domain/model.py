"""An outgoing email and the rules of its delivery: retries with capped backoff, then failure.

Plain Python: no database, web, SMTP or messaging imports. Outcomes record ``EmailSent`` or
``EmailFailed`` in ``events``; the unit of work writes them to the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID, uuid5

from notifier.domain.errors import EmailNotPending
from shared.contracts.base import EventPayload
from shared.contracts.notifier import EmailFailed, EmailOutcome, EmailSent
from shared.fields import values_of

EmailStatus = Literal["pending", "sent", "failed"]
EMAIL_STATUSES: tuple[EmailStatus, ...] = ("pending", "sent", "failed")

_EMAIL_ID_NAMESPACE = UUID("5b0f2a1c-8e4d-4c3b-9a77-6d1e0f3c2b10")
_MAX_ERROR_LENGTH = 2000


def email_id_for(source_event_id: UUID, recipient: str) -> UUID:
    """The same (event, recipient) always gets the same id, and so the same Message-ID:
    a message delivered twice (a crash between SMTP and commit) is recognisable as one."""
    return uuid5(_EMAIL_ID_NAMESPACE, f"{source_event_id}/{recipient.strip().lower()}")


@dataclass(frozen=True)
class RetryPolicy:
    first_delay: timedelta
    max_delay: timedelta
    max_attempts: int
    max_age: timedelta

    def delay_after(self, attempts: int) -> timedelta:
        """How long to wait after ``attempts`` failed tries: doubling from the first delay, capped."""
        exponent = min(max(attempts - 1, 0), 40)  # the cap is reached long before 2**40
        return min(self.first_delay * (2**exponent), self.max_delay)

    def gives_up(self, *, attempts: int, age: timedelta) -> bool:
        return attempts >= self.max_attempts or age >= self.max_age


@dataclass
class Email:
    id: UUID
    tenant_id: UUID
    source_event_id: UUID
    recipient: str
    subject: str
    template: str
    message: bytes = field(repr=False)
    created_at: datetime
    next_attempt_at: datetime
    status: EmailStatus = "pending"
    attempts: int = 0
    last_error: str | None = None
    sent_at: datetime | None = None
    events: list[EventPayload] = field(default_factory=list, repr=False, compare=False)
    # Headers of the trace the email belongs to (``traceparent``...), kept by the repository.
    trace_context: dict[str, str] | None = field(default=None, repr=False, compare=False)
    # The sealed single-use links of ``message`` (shown link -> sealed link), opened only to send
    # it and forgotten once it is sent or has failed for good: what stays is the message with the
    # tokens withheld.
    sealed_links: dict[str, str] | None = field(default=None, repr=False)

    @classmethod
    def queue(
        cls,
        *,
        tenant_id: UUID,
        source_event_id: UUID,
        recipient: str,
        subject: str,
        template: str,
        message: bytes,
        now: datetime,
        sealed_links: dict[str, str] | None = None,
    ) -> Email:
        """A rendered message waiting for its first try, due at once."""
        return cls(
            id=email_id_for(source_event_id, recipient),
            tenant_id=tenant_id,
            source_event_id=source_event_id,
            recipient=recipient,
            subject=subject,
            template=template,
            message=message,
            created_at=now,
            next_attempt_at=now,
            sealed_links=sealed_links or None,
        )

    def is_due(self, now: datetime) -> bool:
        return self.status == "pending" and self.next_attempt_at <= now

    def mark_sent(self, now: datetime) -> None:
        self._ensure_pending()
        self.attempts += 1
        self.status = "sent"
        self.sent_at = now
        self.sealed_links = None
        self.events.append(EmailSent(**self._outcome(now)))

    def record_failure(self, error: str, now: datetime, policy: RetryPolicy, *, permanent: bool = False) -> None:
        """A failed try: schedule the next one, or give up and record the failure for good.

        ``permanent`` is a refusal that no retry can change (the server rejected the recipient).
        """
        self._ensure_pending()
        self.attempts += 1
        self.last_error = (error or "unknown error")[:_MAX_ERROR_LENGTH]
        if permanent or policy.gives_up(attempts=self.attempts, age=now - self.created_at):
            self.status = "failed"
            self.sealed_links = None
            self.events.append(EmailFailed(**self._outcome(now)))
        else:
            self.next_attempt_at = now + policy.delay_after(self.attempts)

    def refuse(self, error: str, now: datetime) -> None:
        """Fail the email before any try: it can never be sent as it is (not one valid recipient)."""
        self._ensure_pending()
        self.status = "failed"
        self.sealed_links = None
        self.last_error = (error or "refused")[:_MAX_ERROR_LENGTH]
        self.events.append(EmailFailed(**self._outcome(now)))

    def _ensure_pending(self) -> None:
        if self.status != "pending":
            raise EmailNotPending(self.status)

    def _outcome(self, now: datetime) -> dict[str, object]:
        return values_of(EmailOutcome.model_fields, self, email_id=self.id, error=self.last_error, at=now)
