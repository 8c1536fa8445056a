"""The sender's database work per email: the claim (which also says when the next pending email
falls due), the outcome and its event, in one transaction; a look that finds nothing due is one
statement. The guarantees stay: an email being sent is skipped by every other claim, and one
whose sending was cut short is claimed again at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from notifier.domain.errors import DeliveryFailed
from notifier.domain.model import Email, RetryPolicy
from notifier.service.delivery import Pass, deliver_due
from tests.notifier.integration.statements import StatementLog

POLICY = RetryPolicy(
    first_delay=timedelta(seconds=30),
    max_delay=timedelta(minutes=10),
    max_attempts=5,
    max_age=timedelta(days=1),
)


class Transport:
    """An SMTP server that takes every message, refuses them all, or holds each until released."""

    def __init__(self, *, refuse: bool = False, hold: bool = False) -> None:
        self.refuse = refuse
        self.handed_over = asyncio.Event()
        self.release = asyncio.Event()
        if not hold:
            self.release.set()
        self.sent: list[str] = []

    async def send(self, message: bytes, *, recipient: str) -> None:
        self.handed_over.set()
        await self.release.wait()
        if self.refuse:
            raise DeliveryFailed("451 try again later")
        self.sent.append(recipient)


class Sessions(StatementLog):
    """The notifier's sessions, with emails queued and delivered through them."""

    async def queue(self, recipient: str, *, due_in: timedelta = timedelta(0)) -> Email:
        now = datetime.now(UTC)
        email = Email.queue(
            tenant_id=uuid4(),
            source_event_id=uuid4(),
            recipient=recipient,
            subject="s",
            template="invitation",
            message=b"Subject: s\r\n\r\nbody\r\n",
            now=now,
        )
        email.next_attempt_at = now + due_in
        async with self.uow() as uow:
            assert await uow.emails.add(email)
            await uow.commit()
        return email

    async def stored(self, email: Email) -> Email:
        async with self.uow() as uow:
            found = await uow.emails.get(email.id)
        assert found is not None
        return found

    async def deliver(self, transport: Transport) -> Pass:
        self.said.clear()
        return await deliver_due(self.uow, transport, POLICY, 20)


@pytest.fixture
def sessions(statement_log: StatementLog) -> Sessions:
    return Sessions(statement_log.engine)


async def test_an_email_is_claimed_sent_and_settled_in_one_transaction_that_says_when_the_next_is_due(
    sessions: Sessions,
) -> None:
    due = await sessions.queue("due@acme.example")
    later = await sessions.queue("later@acme.example", due_in=timedelta(hours=1))
    transport = Transport()

    done = await sessions.deliver(transport)

    assert transport.sent == ["due@acme.example"]
    assert done == Pass(tried=1, next_due_at=later.next_attempt_at)
    # The claim, the outcome, its EmailSent event: no second look for another due email, no
    # transaction of its own for the next due time.
    assert sessions.said == ["BEGIN", "WITH", "UPDATE", "INSERT", "COMMIT"]
    assert (await sessions.stored(due)).status == "sent"


async def test_a_look_that_finds_nothing_due_is_one_statement_that_says_when_to_wake(sessions: Sessions) -> None:
    later = await sessions.queue("later@acme.example", due_in=timedelta(hours=1))

    done = await sessions.deliver(Transport())

    assert done == Pass(tried=0, next_due_at=later.next_attempt_at)
    assert sessions.said == ["BEGIN", "WITH", "ROLLBACK"]
    assert (await sessions.deliver(Transport())).seconds_to_sleep(at_most=2.5) == 2.5


async def test_every_due_email_goes_in_one_pass_and_none_is_left_pending(sessions: Sessions) -> None:
    for number in range(3):
        await sessions.queue(f"buyer{number}@acme.example")
    transport = Transport()

    done = await sessions.deliver(transport)

    assert sorted(transport.sent) == [f"buyer{number}@acme.example" for number in range(3)]
    assert done == Pass(tried=3, next_due_at=None)
    assert sessions.said.count("BEGIN") == 3 and "ROLLBACK" not in sessions.said


async def test_a_failed_try_is_the_next_due_with_its_backoff(sessions: Sessions) -> None:
    email = await sessions.queue("down@acme.example")

    done = await sessions.deliver(Transport(refuse=True))

    # The retry is the only pending email: the pass ends without another look.
    assert sessions.said == ["BEGIN", "WITH", "UPDATE", "COMMIT"]
    stored = await sessions.stored(email)
    assert (stored.status, stored.attempts, stored.last_error) == ("pending", 1, "451 try again later")
    assert done == Pass(tried=1, next_due_at=stored.next_attempt_at)
    assert stored.next_attempt_at >= email.next_attempt_at + POLICY.first_delay


async def test_an_email_being_sent_is_skipped_by_other_claims_and_claimed_again_once_its_sending_is_cut_short(
    sessions: Sessions,
) -> None:
    email = await sessions.queue("owner@acme.example")
    held = Transport(hold=True)
    first = asyncio.create_task(deliver_due(sessions.uow, held, POLICY, 20))
    await held.handed_over.wait()

    other = Transport()
    assert (await deliver_due(sessions.uow, other, POLICY, 20)).tried == 0
    assert other.sent == []

    first.cancel()  # the sender dies between the SMTP handover and its commit
    with pytest.raises(asyncio.CancelledError):
        await first
    done = await deliver_due(sessions.uow, other, POLICY, 20)

    assert other.sent == ["owner@acme.example"]
    assert done == Pass(tried=1, next_due_at=None)
    stored = await sessions.stored(email)
    assert (stored.status, stored.attempts) == ("sent", 1)
