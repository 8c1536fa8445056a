"""Delivery guarantees of matching on the real broker: idempotent consumers, dead letters,
and invoices that arrive before the read models they need."""

from __future__ import annotations

import uuid

from portal_dev.testing import poll_until
from shared.contracts import Envelope, dlq_topic
from shared.contracts.invoicing import INVOICES_TOPIC
from shared.contracts.orders import PURCHASE_ORDERS_TOPIC
from shared.contracts.suppliers import SUPPLIERS_TOPIC
from tests.matching.integration.conftest import Matching
from tests.matching.integration.events import invoice, purchase_order, supplier
from tests.matching.integration.wire import Wire

WORKED_EXAMPLE = (("1", "3000.00"), ("20", "100.00"))
# An event of each consumed topic whose envelope is fine but whose payload breaks the contract.
WRONG_SCHEMA = {
    SUPPLIERS_TOPIC: "SupplierCreated",
    PURCHASE_ORDERS_TOPIC: "PurchaseOrderSubmitted",
    INVOICES_TOPIC: "InvoiceSubmitted",
}


async def test_same_invoice_event_delivered_twice_gives_one_verdict(matching: Matching, wire: Wire) -> None:
    vendor = supplier(uuid.uuid4())
    po = purchase_order(vendor, *WORKED_EXAMPLE)
    billed = invoice(po, (0, "1", "3000.00"))
    sentinel = invoice(po, (1, "1", "100.00"))  # same PO, so it is handled after both deliveries
    await wire.publish(vendor)
    await wire.publish(po)
    envelope = await wire.publish(billed)
    await wire.publish(billed, envelope=envelope)
    await wire.publish(sentinel)

    verdicts = await wire.verdicts_until(sentinel.invoice_id)

    assert [v["data"]["invoice_id"] for v in verdicts] == [str(billed.invoice_id), str(sentinel.invoice_id)]
    assert await matching.scalar("SELECT count(*) FROM inbox WHERE event_id = :id", id=envelope.id) == 1
    assert await matching.scalar("SELECT count(*) FROM verdicts WHERE invoice_id = :id", id=billed.invoice_id) == 1


async def test_submission_republished_in_a_new_envelope_keeps_the_verdict_already_issued(
    matching: Matching, wire: Wire
) -> None:
    vendor = supplier(uuid.uuid4())
    po = purchase_order(vendor, *WORKED_EXAMPLE)
    billed = invoice(po, (0, "1", "3300.00"))
    sentinel = invoice(po, (1, "1", "100.00"))
    for event in (vendor, po, billed):
        await wire.publish(event)
    [first] = await wire.verdicts_until(billed.invoice_id)

    republished = await wire.publish(billed)  # a new envelope id: the inbox cannot tell
    await wire.publish(sentinel)
    verdicts = await wire.verdicts_until(sentinel.invoice_id)

    assert [v["id"] for v in verdicts if v["data"]["invoice_id"] == str(billed.invoice_id)] == [first["id"]]
    assert await matching.scalar("SELECT count(*) FROM inbox WHERE event_id = :id", id=republished.id) == 1


async def test_poison_messages_go_to_the_dead_letter_topics_and_later_events_are_still_processed(
    matching: Matching, wire: Wire
) -> None:
    for topic, event_type in WRONG_SCHEMA.items():
        wrong = Envelope(type=event_type, tenant_id=uuid.uuid4(), correlation_id="c", producer="test", data={"x": 1})
        await wire.publish_raw(topic, b"not json")
        await wire.publish_raw(topic, wrong.model_dump_json().encode())
    vendor = supplier(uuid.uuid4())
    po = purchase_order(vendor, *WORKED_EXAMPLE)
    billed = invoice(po, (0, "1", "3000.00"), (1, "20", "100.00"))
    for event in (vendor, po, billed):
        await wire.publish(event)

    [verdict] = await wire.verdicts_until(billed.invoice_id)

    assert verdict["data"]["outcome"] == "auto_approved"
    for topic in WRONG_SCHEMA:
        dead = await wire.read(dlq_topic(topic), lambda records: len(records) >= 2)
        assert b"not json" in [record.value for record in dead]
        for record in dead:
            headers = dict(record.headers)
            assert headers["dlq.error"], headers
            assert headers["dlq.topic"] == topic.encode()


async def test_invoice_submitted_before_its_order_and_supplier_is_matched_once_they_arrive(
    matching: Matching, wire: Wire
) -> None:
    vendor = supplier(uuid.uuid4())
    po = purchase_order(vendor, *WORKED_EXAMPLE)
    billed = invoice(po, (0, "1", "3000.00"), (1, "20", "100.00"))
    [invoices_consumer] = [c for c in matching.runtime.consumers if c.topic == INVOICES_TOPIC]
    await wire.publish(billed)

    await poll_until(lambda: invoices_consumer.first_seen, what="the invoice being retried")
    await wire.publish(po)
    await wire.publish(vendor)

    [verdict] = await wire.verdicts_until(billed.invoice_id)
    assert verdict["data"]["outcome"] == "auto_approved"
    assert invoices_consumer.dead_lettered == 0
    assert await matching.scalar("SELECT count(*) FROM verdicts") == 1
