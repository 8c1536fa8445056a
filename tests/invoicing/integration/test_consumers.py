"""Consuming purchase orders and verdicts: inbox deduplication, stale snapshots and verdicts,
and poison messages sent to the dead-letter topic while consumption goes on."""

from __future__ import annotations

import json
import uuid

from portal_dev.testing import on_cluster, poll_until
from shared.contracts.orders import PurchaseOrderAcknowledged, PurchaseOrderSubmitted
from shared.messaging import EventConsumer
from tests.invoicing.integration.conftest import Service
from tests.invoicing.integration.scenario import (
    Parties,
    envelope_of,
    publish,
    purchase_order,
    read_topic,
    verdict_for,
)


def consumer_of(service: Service, topic: str) -> EventConsumer:
    return next(c for c in service.runtime.consumers if c.topic == topic)


async def submitted_invoice(service: Service, parties: Parties) -> dict:
    po = purchase_order(parties)
    await service.known_purchase_order(po)
    body = {"purchase_order_id": str(po.purchase_order_id), "number": f"INV-{uuid.uuid4().hex[:6]}"}
    created = (await service.client.post("/api/v1/invoices", json=body, headers=parties.supplier)).json()
    return (await service.client.post(f"/api/v1/invoices/{created['id']}/submit", headers=parties.supplier)).json()


async def test_a_verdict_delivered_twice_takes_effect_once(service: Service, parties: Parties) -> None:
    invoice = await submitted_invoice(service, parties)
    verdicts = consumer_of(service, "matching.verdict.v1")
    verdict = verdict_for(invoice, "needs_approval")
    envelope = envelope_of(verdict)
    await publish(service.producer, verdict, envelope)
    await publish(service.producer, verdict, envelope)

    await poll_until(lambda: verdicts.handled >= 2, what="both deliveries handled")
    pending = await service.invoice_in(invoice["id"], parties.admin, "pending")
    assert pending["matching"]["verdict_id"] == str(verdict.verdict_id)
    assert await service.outbox_events(invoice["id"], "InvoiceApprovalRequested") == 1
    recorded = await service.scalar("SELECT count(*) FROM inbox WHERE event_id = :id", id=envelope.id)
    assert recorded == 1
    assert verdicts.dead_lettered == 0


async def test_an_older_purchase_order_snapshot_does_not_overwrite_a_newer_one(
    service: Service, parties: Parties
) -> None:
    newer = purchase_order(parties, status="acknowledged", revision=3, event=PurchaseOrderAcknowledged)
    await service.known_purchase_order(newer)
    orders = consumer_of(service, "orders.purchase-order.v1")
    handled = orders.handled
    older = purchase_order(
        parties,
        status="sent",
        revision=2,
        po_id=newer.purchase_order_id,
        line_ids=[line.line_id for line in newer.lines],
        event=PurchaseOrderSubmitted,
    )
    envelope = await publish(service.producer, older)
    await publish(service.producer, older, envelope)
    await poll_until(lambda: orders.handled >= handled + 2, what="the older snapshot handled")
    stored = await service.scalar(
        "SELECT status || ':' || revision FROM purchase_orders WHERE id = :id", id=newer.purchase_order_id
    )
    assert stored == "acknowledged:3"


async def test_poison_purchase_order_messages_go_to_the_dlq_and_the_next_event_is_processed(
    service: Service, parties: Parties
) -> None:
    po = purchase_order(parties)
    key = str(po.purchase_order_id).encode()  # same partition as the valid event that follows
    wrong_schema = envelope_of(po).model_dump(mode="json") | {"data": {"purchase_order_id": "nope"}}
    await service.producer.send_and_wait(on_cluster("orders.purchase-order.v1"), b"not json", key=key)
    await service.producer.send_and_wait(
        on_cluster("orders.purchase-order.v1"), json.dumps(wrong_schema).encode(), key=key
    )
    await service.known_purchase_order(po)

    dead = await read_topic(service.broker, "orders.purchase-order.v1.dlq", 2)
    assert dead[0].value == b"not json"
    for record in dead:
        headers = dict(record.headers)
        assert headers["dlq.error"] and headers["dlq.consumer"] == b"invoicing.purchase-orders"
    created = await service.client.post(
        "/api/v1/invoices",
        json={"purchase_order_id": str(po.purchase_order_id), "number": "INV-1"},
        headers=parties.supplier,
    )
    assert created.status_code == 201


async def test_poison_verdict_messages_go_to_the_dlq_and_the_next_verdict_is_applied(
    service: Service, parties: Parties
) -> None:
    invoice = await submitted_invoice(service, parties)
    verdict = verdict_for(invoice, "auto_approved")
    key = verdict.key().encode()
    wrong_schema = envelope_of(verdict).model_dump(mode="json") | {"data": {"outcome": "maybe"}}
    await service.producer.send_and_wait(on_cluster("matching.verdict.v1"), b"{not json", key=key)
    await service.producer.send_and_wait(on_cluster("matching.verdict.v1"), json.dumps(wrong_schema).encode(), key=key)
    await publish(service.producer, verdict)

    approved = await service.invoice_in(invoice["id"], parties.supplier, "approved")
    assert approved["matching"]["verdict_id"] == str(verdict.verdict_id)
    dead = await read_topic(service.broker, "matching.verdict.v1.dlq", 2)
    assert all(dict(record.headers)["dlq.error"] for record in dead)
    assert {dict(record.headers)["dlq.consumer"] for record in dead} == {b"invoicing.verdicts"}
