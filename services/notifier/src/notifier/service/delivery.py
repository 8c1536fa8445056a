"""Use case of the sender: take the most overdue email, try to send it, record the outcome.

Each email is claimed and settled in its own short transaction (``FOR UPDATE SKIP LOCKED``),
so instances never send one email twice at the same time, and a crash between the SMTP
handover and the commit re-sends at most the one email in flight (with the same Message-ID).
The claim also tells when the other pending emails fall due: a pass ends after the last email
due, and the sender sleeps until the next one, without a look that finds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import structlog
from opentelemetry.trace import SpanKind

from notifier.domain.errors import DeliveryFailed
from notifier.domain.model import Email, RetryPolicy
from notifier.service.unit_of_work import UnitOfWork
from shared import correlation, tracing
from shared.sealed_links import LinkNotOpened, rewrite_text

log = structlog.get_logger(__name__)


class Transport(Protocol):
    async def send(self, message: bytes, *, recipient: str) -> None: ...


class Opener(Protocol):
    def open(self, sealed: str) -> str: ...


def message_to_send(email: Email, opener: Opener | None) -> bytes:
    """The email as it goes over SMTP: its stored message, with each single-use link opened in
    place of the withheld one. A link this notifier cannot open fails the email for good."""
    if not email.sealed_links:
        return email.message
    if opener is None:
        raise DeliveryFailed("the email carries a sealed link and this notifier has no key to open it", permanent=True)
    try:
        links = {shown: opener.open(sealed) for shown, sealed in email.sealed_links.items()}
    except LinkNotOpened as exc:
        raise DeliveryFailed(f"its link cannot be opened with this notifier's key: {exc}", permanent=True) from None
    return rewrite_text(email.message, links)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Pass:
    """What a pass of the sender did: how many emails it tried, and when the earliest pending
    email falls due after it (None when none is pending)."""

    tried: int
    next_due_at: datetime | None

    def seconds_to_sleep(self, *, at_most: float) -> float:
        """Until the next email falls due, never longer than ``at_most``."""
        if self.next_due_at is None:
            return at_most
        return min(max((self.next_due_at - _now()).total_seconds(), 0.0), at_most)


def _earliest(*times: datetime | None) -> datetime | None:
    return min((t for t in times if t is not None), default=None)


async def deliver_next(
    uow: UnitOfWork, transport: Transport, policy: RetryPolicy, opener: Opener | None = None
) -> tuple[bool, datetime | None]:
    """Try the most overdue pending email; whether there was one, and when the earliest pending
    email falls due afterwards (this one's next try included)."""
    async with uow:
        claim = await uow.emails.claim_due(_now())
        email = claim.email
        if email is None:
            return False, claim.others_due_at
        # The lines of this try belong to the tenant and event the email came from, and the try
        # (with the EmailSent or EmailFailed event it writes) to the trace of that event.
        correlation.bind(None, tenant_id=str(email.tenant_id), event_id=str(email.source_event_id))
        with tracing.continued_span(
            "email send",
            parent=email.trace_context,
            kind=SpanKind.CLIENT,
            attributes={
                "email.id": str(email.id),
                "email.template": email.template,
                "email.attempt": email.attempts + 1,
            },
        ) as span:
            try:
                await transport.send(message_to_send(email, opener), recipient=email.recipient)
            except DeliveryFailed as exc:
                tracing.record_failure(exc, span)
                email.record_failure(str(exc), _now(), policy, permanent=exc.permanent)
            except Exception as exc:  # a fault of our own must not leave the email stuck: retry it
                tracing.record_failure(exc, span)
                email.record_failure(f"{type(exc).__name__}: {exc}", _now(), policy)
            else:
                email.mark_sent(_now())
            await uow.save(email)
            await uow.commit()
    outcome = {"sent": "email sent", "failed": "email failed for good", "pending": "email try failed; will retry"}
    log.info(
        outcome[email.status],
        email_id=str(email.id),
        template=email.template,
        attempts=email.attempts,
        error=None if email.status == "sent" else email.last_error,
    )
    correlation.unbind()
    retry_at = email.next_attempt_at if email.status == "pending" else None
    return True, _earliest(claim.others_due_at, retry_at)


async def deliver_due(
    uow_factory: Callable[[], UnitOfWork],
    transport: Transport,
    policy: RetryPolicy,
    limit: int,
    *,
    stopping: Callable[[], bool] = lambda: False,
    opener: Opener | None = None,
) -> Pass:
    """Deliver up to ``limit`` due emails, fewer once ``stopping()``; ends when the claim of the
    last one said that no other is due yet."""
    tried, next_due_at = 0, None
    while tried < limit and not stopping():
        claimed, next_due_at = await deliver_next(uow_factory(), transport, policy, opener)
        if not claimed:
            break
        tried += 1
        if next_due_at is None or next_due_at > _now():
            break
    return Pass(tried, next_due_at)
