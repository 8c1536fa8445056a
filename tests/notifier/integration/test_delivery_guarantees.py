"""At most one email per (event, recipient); retries with backoff while SMTP is down; failures
recorded and published; poison messages dead-lettered without stopping the consumers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import httpx
from sqlalchemy import text

from notifier.domain.model import Email
from notifier.service.unit_of_work import UnitOfWork
from portal_dev.ports import free_port
from portal_dev.testing import Tokens, poll_until
from shared.contracts.identity import INVITATIONS_TOPIC, USERS_TOPIC
from shared.contracts.invoicing import INVOICES_TOPIC
from shared.contracts.notifier import EMAILS_TOPIC
from shared.contracts.orders import PURCHASE_ORDERS_TOPIC
from shared.contracts.rfps import RFPS_TOPIC
from shared.contracts.suppliers import SUPPLIERS_TOPIC
from shared.contracts.topics import dlq_topic
from shared.metrics import Samples, parse_samples, sample_value
from tests.notifier import samples
from tests.notifier.integration.conftest import StartNotifier
from tests.notifier.integration.kafka_events import Publisher, read_events, read_topic
from tests.notifier.integration.mailbox import MailSink


async def scrape(client: httpx.AsyncClient) -> Samples:
    answer = await client.get("/metrics")
    assert answer.status_code == 200
    return parse_samples(answer.text)


async def scrape_once(client: httpx.AsyncClient, name: str, at_least: float, **labels: str) -> Samples:
    """The metrics once ``name`` has reached ``at_least`` (the sink or a reader can see a message
    a moment before the service counts it)."""

    async def reached() -> Samples | None:
        samples = await scrape(client)
        return samples if (sample_value(samples, name, **labels) or 0) >= at_least else None

    return await poll_until(reached, what=f"{name} {labels} at {at_least}")


async def test_the_same_event_delivered_twice_sends_one_email(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    tenant, supplier_id = uuid4(), uuid4()
    invitation = samples.invitation(tenant, supplier_id)
    async with start_notifier(smtp_port=mail_sink.port) as (client, runtime), Publisher(broker) as publisher:
        envelope = await publisher.publish(invitation, tenant_id=tenant)
        await publisher.publish(invitation, tenant_id=tenant, envelope=envelope)
        # Same key, same partition: once this one is mailed, the redelivery has been handled.
        await publisher.publish(samples.invitation(tenant, supplier_id, email="later@acme.example"), tenant_id=tenant)
        await mail_sink.wait_for("later@acme.example")

        async with runtime.engine.connect() as conn:
            rows = (
                await conn.execute(text("SELECT count(*) FROM emails WHERE source_event_id = :id"), {"id": envelope.id})
            ).scalar()
        metrics = await scrape_once(client, "portal_emails_sent_total", 2)
    assert len(mail_sink.to("owner@acme.example")) == 1
    assert rows == 1
    assert sample_value(metrics, "portal_emails_sent_total") == 2
    assert sample_value(metrics, "portal_emails_failed_total") == 0


async def test_an_email_is_queued_at_most_once_per_event_and_recipient(
    start_notifier: StartNotifier, mail_sink: MailSink
) -> None:
    event_id, now = uuid4(), datetime.now(UTC)

    def email() -> Email:
        return Email.queue(
            tenant_id=uuid4(),
            source_event_id=event_id,
            recipient="owner@acme.example",
            subject="s",
            template="invitation",
            message=b"Subject: s\r\n\r\nbody\r\n",
            now=now,
        )

    async with start_notifier(smtp_port=mail_sink.port) as (_, runtime):
        async with UnitOfWork(runtime.session_factory, "notifier") as uow:
            assert await uow.emails.add(email())
            await uow.commit()
        async with UnitOfWork(runtime.session_factory, "notifier") as uow:
            assert not await uow.emails.add(email())
            await uow.commit()


async def test_smtp_down_then_up_delivers_the_email_exactly_once_after_retries(
    start_notifier: StartNotifier, tmp_path: Path, broker: str, tokens: Tokens
) -> None:
    tenant = uuid4()
    admin = tokens.headers(tokens.buyer(tenant))
    sink = MailSink(tmp_path / "mail", free_port())  # not started: nothing listens on its port yet
    async with start_notifier(smtp_port=sink.port) as (client, _), Publisher(broker) as publisher:
        await publisher.publish(samples.invitation(tenant, uuid4()), tenant_id=tenant)

        async def tried(times: int, status: str):  # type: ignore[no-untyped-def]
            items = (await client.get("/api/v1/emails", headers=admin)).json()["items"]
            return items if items and items[0]["attempts"] >= times and items[0]["status"] == status else None

        [pending] = await poll_until(lambda: tried(3, "pending"), timeout_s=30, what="three failed tries")
        assert "Connect" in pending["last_error"] or "refused" in pending["last_error"].lower()
        await sink.start()
        try:
            [sent] = await poll_until(lambda: tried(1, "sent"), timeout_s=30, what="the email sent")
            messages = sink.messages()
        finally:
            await sink.stop()
        [event] = await read_events(broker, EMAILS_TOPIC, 1)
        metrics = await scrape(client)

    assert len(messages) == 1
    assert sent["attempts"] > 3
    assert sample_value(metrics, "portal_emails_sent_total") == 1
    assert sample_value(metrics, "portal_emails_failed_total") == sent["attempts"] - 1
    assert (event["type"], event["data"]["attempts"]) == ("EmailSent", sent["attempts"])


async def test_an_email_that_cannot_be_sent_is_recorded_failed_and_email_failed_is_published(
    start_notifier: StartNotifier, broker: str, tokens: Tokens
) -> None:
    tenant = uuid4()
    admin = tokens.headers(tokens.buyer(tenant))
    async with (
        start_notifier(smtp_port=free_port(), email_max_attempts=3) as (client, _),
        Publisher(broker) as publisher,
    ):
        envelope = await publisher.publish(samples.invitation(tenant, uuid4()), tenant_id=tenant)
        [event] = await read_events(broker, EMAILS_TOPIC, 1)
        failed = (await client.get("/api/v1/emails?status=failed", headers=admin)).json()["items"]
        pending = (await client.get("/api/v1/emails?status=pending", headers=admin)).json()["items"]
        metrics = await scrape(client)

    assert (sample_value(metrics, "portal_emails_failed_total"), sample_value(metrics, "portal_emails_sent_total")) == (
        3,
        0,
    )
    assert event["type"] == "EmailFailed"
    assert event["data"]["source_event_id"] == str(envelope.id)
    assert event["data"]["attempts"] == 3 and event["data"]["error"]
    [email] = failed
    assert (email["status"], email["attempts"], email["next_attempt_at"]) == ("failed", 3, None)
    assert email["last_error"] == event["data"]["error"]
    assert pending == []


async def test_poison_messages_on_every_consumed_topic_are_dead_lettered_and_consumption_goes_on(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    tenant, supplier_id, initiator = uuid4(), uuid4(), uuid4()
    valid = {
        SUPPLIERS_TOPIC: samples.supplier(tenant, supplier_id),
        USERS_TOPIC: samples.user(tenant, initiator),
        INVITATIONS_TOPIC: samples.invitation(tenant, supplier_id),
        PURCHASE_ORDERS_TOPIC: samples.purchase_order(tenant, supplier_id),
        INVOICES_TOPIC: samples.approval_requested(tenant, supplier_id, initiator),
        RFPS_TOPIC: samples.rfp_published(tenant, supplier_id),
    }
    async with start_notifier(smtp_port=mail_sink.port) as (client, _), Publisher(broker) as publisher:
        for topic, event in valid.items():
            # The same key as the valid event: the poison sits before it on its partition.
            wrong_schema = (
                f'{{"id": "{uuid4()}", "type": "{event.event_type}", "tenant_id": "{tenant}",'
                ' "correlation_id": "c", "producer": "test", "data": {"number": 42}}'
            )
            await publisher.raw(topic, b"not json", key=event.key())
            await publisher.raw(topic, wrong_schema.encode(), key=event.key())
        for event in valid.values():
            await publisher.publish(event, tenant_id=tenant)
        # Four emails need all six consumers: two of them only feed the read models.
        await mail_sink.wait_for("owner@acme.example")
        await mail_sink.wait_for("sales@acme.example", 2)  # the purchase order and the RFP
        await mail_sink.wait_for("irene@buyer.example")
        # Each consumer group dead-letters the two poisons on its own: the reminders' group reads
        # the invoices too.
        expected = {topic: 4 if topic == INVOICES_TOPIC else 2 for topic in valid}
        dead = {topic: await read_topic(broker, dlq_topic(topic), expected[topic]) for topic in valid}
        for topic in valid:
            metrics = await scrape_once(client, "portal_dlq_messages_total", expected[topic], topic=topic)

    assert {topic: sample_value(metrics, "portal_dlq_messages_total", topic=topic) for topic in valid} == expected

    for topic, records in dead.items():
        assert sorted(r.value[:8] for r in records) == sorted([b"not json", b'{"id": "'] * (expected[topic] // 2))
        for record in records:
            headers = dict(record.headers)
            assert headers["dlq.error"], topic
            assert headers["dlq.topic"] == topic.encode()
