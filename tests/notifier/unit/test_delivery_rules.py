"""Delivery rules: the backoff schedule, giving up, and the events an email's outcome records."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifier.domain.errors import EmailNotPending
from notifier.domain.model import Email, RetryPolicy, email_id_for
from shared.contracts.notifier import EmailFailed, EmailSent
from tests.notifier.samples import NOW

POLICY = RetryPolicy(
    first_delay=timedelta(seconds=0.5),
    max_delay=timedelta(seconds=60),
    max_attempts=10,
    max_age=timedelta(hours=24),
)


def queued(**overrides: object) -> Email:
    values: dict = {
        "tenant_id": uuid4(),
        "source_event_id": uuid4(),
        "recipient": "sales@acme.example",
        "subject": "New purchase order PO-1",
        "template": "purchase_order",
        "message": b"Subject: x\r\n\r\nbody",
        "now": NOW,
    }
    values.update(overrides)
    return Email.queue(**values)  # type: ignore[arg-type]


def test_backoff_doubles_from_half_a_second_and_is_capped_at_a_minute() -> None:
    delays = [POLICY.delay_after(n).total_seconds() for n in range(1, 12)]
    assert delays == [0.5, 1, 2, 4, 8, 16, 32, 60, 60, 60, 60]


@given(st.integers(min_value=1, max_value=100_000))
def test_backoff_never_shrinks_and_never_passes_the_cap(attempts: int) -> None:
    delay = POLICY.delay_after(attempts)
    assert POLICY.first_delay <= delay <= POLICY.max_delay
    assert POLICY.delay_after(attempts + 1) >= delay


def test_a_queued_email_is_pending_and_due_at_once() -> None:
    email = queued()
    assert email.status == "pending" and email.attempts == 0
    assert email.is_due(NOW)


def test_a_failed_try_schedules_the_next_with_backoff_and_records_the_error() -> None:
    email = queued()
    email.record_failure("SMTPConnectError: refused", NOW, POLICY)
    email.record_failure("SMTPConnectError: refused", NOW + timedelta(seconds=1), POLICY)
    assert email.status == "pending"
    assert email.attempts == 2
    assert email.last_error == "SMTPConnectError: refused"
    assert email.next_attempt_at == NOW + timedelta(seconds=2)
    assert not email.is_due(NOW + timedelta(seconds=1.5))
    assert email.events == []


def test_the_email_fails_for_good_after_max_attempts_with_an_email_failed_event() -> None:
    email = queued()
    for attempt in range(POLICY.max_attempts):
        email.record_failure(f"refused #{attempt}", NOW + timedelta(seconds=attempt), POLICY)
    assert email.status == "failed"
    assert email.attempts == POLICY.max_attempts
    [event] = email.events
    assert isinstance(event, EmailFailed)
    assert event.status == "failed" and event.attempts == 10 and event.error == "refused #9"
    assert event.source_event_id == email.source_event_id


def test_the_email_fails_for_good_once_older_than_max_age() -> None:
    email = queued()
    email.record_failure("refused", NOW + timedelta(hours=24), POLICY)
    assert email.status == "failed" and email.attempts == 1


def test_a_permanent_refusal_fails_at_once() -> None:
    email = queued()
    email.record_failure("550 no such user", NOW, POLICY, permanent=True)
    assert email.status == "failed"
    assert isinstance(email.events[0], EmailFailed)


def test_sending_records_email_sent_with_the_attempt_count() -> None:
    email = queued()
    email.record_failure("refused", NOW, POLICY)
    email.mark_sent(NOW + timedelta(seconds=1))
    assert email.status == "sent" and email.attempts == 2
    assert email.sent_at == NOW + timedelta(seconds=1)
    [event] = email.events
    assert isinstance(event, EmailSent)
    assert (event.email_id, event.recipient, event.attempts) == (email.id, "sales@acme.example", 2)


def test_a_settled_email_is_never_sent_or_retried_again() -> None:
    email = queued()
    email.mark_sent(NOW)
    with pytest.raises(EmailNotPending):
        email.mark_sent(NOW)
    with pytest.raises(EmailNotPending):
        email.record_failure("late", NOW, POLICY)


def test_the_email_id_is_the_same_for_the_same_event_and_recipient() -> None:
    event_id = uuid4()
    assert email_id_for(event_id, "Sales@Acme.example ") == email_id_for(event_id, "sales@acme.example")
    assert email_id_for(event_id, "a@x.example") != email_id_for(event_id, "b@x.example")
    assert email_id_for(uuid4(), "a@x.example") != email_id_for(event_id, "a@x.example")
    assert queued(source_event_id=event_id).id == email_id_for(event_id, "sales@acme.example")
