"""The email sender: a background task of the service that delivers queued emails.

It wakes when an email is queued (NOTIFY from the ``emails`` insert trigger) or when the
next retry falls due, and polls as a fallback. A database or listener failure pauses it
briefly; the emails stay queued. Its SMTP session stays open between emails and is closed
when it has been idle for a while, and when the sender stops.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

import structlog
from prometheus_client import Counter

from notifier.adapters.smtp import SmtpTransport
from notifier.adapters.wakeup import QueuedEmailsListener
from notifier.config import Settings
from notifier.domain.model import RetryPolicy
from notifier.service import delivery
from notifier.service.delivery import Transport
from notifier.service.unit_of_work import UnitOfWork
from shared.runtime import ServiceRuntime

log = structlog.get_logger(__name__)

T = TypeVar("T")


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        first_delay=timedelta(seconds=settings.email_retry_first_delay_s),
        max_delay=timedelta(seconds=settings.email_retry_max_delay_s),
        max_attempts=settings.email_max_attempts,
        max_age=timedelta(seconds=settings.email_max_age_s),
    )


class CountedTransport:
    """A transport that counts each email handed over and each failed try
    (``portal_emails_sent_total``, ``portal_emails_failed_total``)."""

    def __init__(self, transport: Transport, sent: Counter, failed: Counter) -> None:
        self._transport = transport
        self._sent = sent
        self._failed = failed

    async def send(self, message: bytes, *, recipient: str) -> None:
        try:
            await self._transport.send(message, recipient=recipient)
        except Exception:
            self._failed.inc()
            raise
        self._sent.inc()


async def finish_in_flight(deliver: Callable[[Callable[[], bool]], Awaitable[T]]) -> T:
    """Run ``deliver(stopping)``; when the sender is cancelled meanwhile (the service stops), let
    it finish the email in flight and stop before the next, then end. Cancelled between its SMTP
    handover and its commit, an email would be sent again after the restart."""
    stop = asyncio.Event()
    delivering = asyncio.ensure_future(deliver(stop.is_set))
    try:
        return await asyncio.shield(delivering)
    except asyncio.CancelledError:
        stop.set()
        while not delivering.done():
            with contextlib.suppress(asyncio.CancelledError):  # the stop may cancel again
                await asyncio.wait({delivering})
        if not delivering.cancelled():
            delivering.exception()  # retrieved: the sender is stopping anyway
        raise


async def email_sender(runtime: ServiceRuntime) -> None:
    settings = runtime.settings
    assert isinstance(settings, Settings)
    smtp = SmtpTransport(settings)
    transport = CountedTransport(smtp, *runtime.metrics.emails())
    policy = retry_policy(settings)
    opener = settings.link_opener
    listener = QueuedEmailsListener(settings.database_url)

    def uow() -> UnitOfWork:
        return UnitOfWork(runtime.session_factory, settings.service_name)

    pause = 0.2
    try:
        while True:
            try:
                await listener.ensure_listening()
                done = await finish_in_flight(
                    lambda stopping: delivery.deliver_due(
                        uow, transport, policy, settings.sender_batch_size, stopping=stopping, opener=opener
                    )
                )
                if done.tried >= settings.sender_batch_size:
                    continue  # more may be due: no sleeping while a backlog waits
                sleep_s = done.seconds_to_sleep(at_most=settings.sender_poll_interval_s)
                pause = 0.2
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # database away: the emails stay queued, try again shortly
                log.warning("email sender failed; retrying", error=repr(exc), pause_s=pause)
                await listener.close()
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)
                continue
            await smtp.close_if_idle()
            await listener.wait(sleep_s)
    finally:
        try:
            await listener.close()
        finally:
            await smtp.close()
