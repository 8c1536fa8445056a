"""RFPs: invited suppliers are emailed when one is published and when it closes, participants
when it is awarded, and an invited supplier that did not answer once that it is over."""

from __future__ import annotations

from uuid import uuid4

from sqlalchemy import text

from notifier.entrypoints.consumers import RFPS
from portal_dev.testing import poll_until
from tests.notifier import samples
from tests.notifier.integration.conftest import StartNotifier
from tests.notifier.integration.kafka_events import Publisher
from tests.notifier.integration.mailbox import MailSink, bodies


async def test_published_rfp_is_emailed_to_every_invited_supplier_once_all_are_known(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    tenant, first, second = uuid4(), uuid4(), uuid4()
    async with start_notifier(smtp_port=mail_sink.port) as (_, runtime), Publisher(broker) as publisher:
        await publisher.publish(samples.supplier(tenant, first), tenant_id=tenant)
        envelope = await publisher.publish(samples.rfp_published(tenant, first, second), tenant_id=tenant)
        # The second supplier is not known yet: the RFP is retried, and meanwhile nobody is emailed.
        [rfps_consumer] = [c for c in runtime.consumers if c.group == RFPS]
        await poll_until(lambda: rfps_consumer.first_seen, timeout_s=30, what="the RFP being retried")
        async with runtime.engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM emails"))).scalar() == 0
        await publisher.publish(
            samples.supplier(tenant, second, email="bids@second.example", name="Second Supply"), tenant_id=tenant
        )
        [to_first] = await mail_sink.wait_for("sales@acme.example")
        [to_second] = await mail_sink.wait_for("bids@second.example")

        async with runtime.engine.connect() as conn:
            rows = (
                await conn.execute(text("SELECT count(*) FROM emails WHERE source_event_id = :id"), {"id": envelope.id})
            ).scalar()

    assert rows == 2
    for message, name in ((to_first, "Acme Tools"), (to_second, "Second Supply")):
        plain, html = bodies(message)
        assert message["Subject"] == "Request for proposals RFP-000001: Fasteners for 2027"
        assert name in plain
        assert "1. Hex bolt M8: 5000 pcs" in plain and "Washer 8mm" in html
        assert "2026-12-01 16:00 UTC" in plain and "2026-12-01 16:00 UTC" in html


async def test_awarded_rfp_tells_the_winner_it_won_and_the_others_without_naming_the_winner(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    tenant, winner, loser = uuid4(), uuid4(), uuid4()
    async with start_notifier(smtp_port=mail_sink.port), Publisher(broker) as publisher:
        await publisher.publish(samples.organisation(tenant), tenant_id=tenant)
        await publisher.publish(
            samples.supplier(tenant, winner, email="win@winner.example", name="Winner Works"), tenant_id=tenant
        )
        await publisher.publish(samples.supplier(tenant, loser), tenant_id=tenant)
        await publisher.publish(samples.rfp_awarded(tenant, winner, loser), tenant_id=tenant)
        [won] = await mail_sink.wait_for("win@winner.example")
        [lost] = await mail_sink.wait_for("sales@acme.example")

    assert won["Subject"] == "You won RFP-000001 from Globex Buying"
    assert "Your proposal won request for proposals RFP-000001" in bodies(won)[0]
    assert lost["Subject"] == "RFP-000001 was awarded to another supplier by Globex Buying"
    raw = lost.as_string()
    assert "Winner Works" not in raw and "win@winner.example" not in raw and str(winner) not in raw


async def test_the_same_rfp_event_delivered_twice_emails_each_supplier_once(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    tenant, supplier_id = uuid4(), uuid4()
    rfp = samples.rfp_published(tenant, supplier_id)
    async with start_notifier(smtp_port=mail_sink.port) as (_, runtime), Publisher(broker) as publisher:
        await publisher.publish(samples.organisation(tenant), tenant_id=tenant)
        await publisher.publish(samples.supplier(tenant, supplier_id), tenant_id=tenant)
        envelope = await publisher.publish(rfp, tenant_id=tenant)
        await publisher.publish(rfp, tenant_id=tenant, envelope=envelope)
        # Same key, same partition: once this one is mailed, the redelivery has been handled.
        later = samples.rfp_awarded(tenant, supplier_id, rfp_id=rfp.rfp_id)
        await publisher.publish(later, tenant_id=tenant)
        await mail_sink.wait_for("sales@acme.example", 2)

        async with runtime.engine.connect() as conn:
            inbox = (
                await conn.execute(
                    text("SELECT count(*) FROM inbox WHERE consumer = 'notifier.rfps' AND event_id = :id"),
                    {"id": envelope.id},
                )
            ).scalar()

    subjects = sorted(m["Subject"] for m in mail_sink.to("sales@acme.example"))
    assert subjects == ["Request for proposals RFP-000001: Fasteners for 2027", "You won RFP-000001 from Globex Buying"]
    assert inbox == 1


async def test_a_closed_then_awarded_rfp_tells_the_supplier_that_did_not_answer_once_that_it_is_over(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    tenant, winner, silent = uuid4(), uuid4(), uuid4()
    closed = samples.rfp_closed(tenant, winner, silent)
    awarded = samples.rfp_awarded(tenant, winner, rfp_id=closed.rfp_id, supplier_ids=[winner, silent])
    async with start_notifier(smtp_port=mail_sink.port) as (_, runtime), Publisher(broker) as publisher:
        await publisher.publish(
            samples.supplier(tenant, winner, email="win@winner.example", name="Winner Works"), tenant_id=tenant
        )
        await publisher.publish(samples.supplier(tenant, silent, email="quiet@silent.example"), tenant_id=tenant)
        await publisher.publish(closed, tenant_id=tenant)
        # The buyer's name is not known yet: the closing waits for it, and nobody is emailed meanwhile.
        [rfps_consumer] = [c for c in runtime.consumers if c.group == RFPS]
        await poll_until(lambda: rfps_consumer.first_seen, timeout_s=30, what="the closed RFP being retried")
        async with runtime.engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM emails"))).scalar() == 0
        await publisher.publish(samples.organisation(tenant), tenant_id=tenant)
        await publisher.publish(awarded, tenant_id=tenant)
        # Same RFP, same partition: once the winner has both emails, the award was handled whole;
        # once nothing is pending, every email it queued has reached the sink.
        await mail_sink.wait_for("win@winner.example", 2)

        async def nothing_pending() -> bool:
            async with runtime.engine.connect() as conn:
                return (await conn.execute(text("SELECT count(*) FROM emails WHERE status = 'pending'"))).scalar() == 0

        await poll_until(nothing_pending, timeout_s=30, what="every email sent")

    subjects = sorted(m["Subject"] for m in mail_sink.to("win@winner.example"))
    assert subjects == [
        "Request for proposals RFP-000001 from Globex Buying has closed",
        "You won RFP-000001 from Globex Buying",
    ]
    [told] = mail_sink.to("quiet@silent.example")
    assert told["Subject"] == "Request for proposals RFP-000001 from Globex Buying has closed"
    assert "proposals can no longer be submitted or changed" in bodies(told)[0]
