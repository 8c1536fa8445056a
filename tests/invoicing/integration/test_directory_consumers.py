"""Consuming supplier and organisation events: inbox deduplication, older snapshots ignored,
and poison messages sent to the dead-letter topic while consumption goes on."""

from __future__ import annotations

import json

import pytest

from portal_dev.testing import on_cluster, poll_until
from shared.contracts import EventPayload
from shared.messaging import EventConsumer
from tests.invoicing.integration.conftest import Service
from tests.invoicing.integration.scenario import (
    Parties,
    envelope_of,
    organisation,
    publish,
    purchase_order,
    read_topic,
    supplier_snapshot,
)

SUPPLIERS_TOPIC = "suppliers.supplier.v1"
ORGANISATIONS_TOPIC = "gateway.organisation.v1"


def consumer_of(service: Service, topic: str) -> EventConsumer:
    return next(c for c in service.runtime.consumers if c.topic == topic)


async def test_a_supplier_snapshot_delivered_twice_is_recorded_once_and_an_older_one_is_ignored(
    service: Service, parties: Parties
) -> None:
    suppliers = consumer_of(service, SUPPLIERS_TOPIC)
    newer = supplier_snapshot(parties, "Acme Two", revision=2)
    envelope = envelope_of(newer)
    await publish(service.producer, newer, envelope)
    await publish(service.producer, newer, envelope)
    await publish(service.producer, supplier_snapshot(parties, "Acme One", revision=1))
    await poll_until(lambda: suppliers.handled >= 3, what="three deliveries handled")
    assert await service.scalar("SELECT name FROM suppliers WHERE id = :id", id=parties.supplier_id) == "Acme Two"
    assert await service.scalar("SELECT count(*) FROM inbox WHERE event_id = :id", id=envelope.id) == 1
    assert suppliers.dead_lettered == 0


async def test_a_switch_off_delivered_twice_takes_effect_once(service: Service, parties: Parties) -> None:
    await service.known_organisation(organisation(parties, 1, portal=True))
    po = purchase_order(parties)
    await service.known_purchase_order(po)
    body = {"purchase_order_id": str(po.purchase_order_id), "number": "D-1"}
    assert (await service.client.post("/api/v1/invoices", json=body, headers=parties.supplier)).status_code == 201

    organisations = consumer_of(service, ORGANISATIONS_TOPIC)
    handled = organisations.handled
    switch_off = organisation(parties, 2, portal=False)
    envelope = envelope_of(switch_off)
    await publish(service.producer, switch_off, envelope)
    await publish(service.producer, switch_off, envelope)
    await poll_until(lambda: organisations.handled >= handled + 2, what="both deliveries handled")
    assert await service.scalar("SELECT count(*) FROM invoices") == 0
    assert await service.scalar("SELECT count(*) FROM inbox WHERE event_id = :id", id=envelope.id) == 1
    stored = await service.scalar(
        "SELECT supplier_portal_enabled::text || ':' || revision FROM organisations WHERE id = :id",
        id=parties.tenant_id,
    )
    assert stored == "false:2"


@pytest.mark.parametrize(
    ("topic", "group"),
    [(SUPPLIERS_TOPIC, b"invoicing.suppliers"), (ORGANISATIONS_TOPIC, b"invoicing.organisations")],
)
async def test_poison_messages_go_to_the_dlq_and_the_next_event_is_processed(
    service: Service, parties: Parties, topic: str, group: bytes
) -> None:
    valid: EventPayload = (
        supplier_snapshot(parties, "Acme Tools") if topic == SUPPLIERS_TOPIC else organisation(parties, 1)
    )
    key = valid.key().encode()  # same partition as the valid event that follows
    wrong_schema = envelope_of(valid).model_dump(mode="json") | {"data": {"revision": "not a number"}}
    await service.producer.send_and_wait(on_cluster(topic), b"not json", key=key)
    await service.producer.send_and_wait(on_cluster(topic), json.dumps(wrong_schema).encode(), key=key)
    if topic == SUPPLIERS_TOPIC:
        await service.known_supplier(valid)  # type: ignore[arg-type]
    else:
        await service.known_organisation(valid)  # type: ignore[arg-type]

    dead = await read_topic(service.broker, f"{topic}.dlq", 2)
    assert dead[0].value == b"not json"
    for record in dead:
        headers = dict(record.headers)
        assert headers["dlq.error"] and headers["dlq.consumer"] == group
    assert consumer_of(service, topic).dead_lettered == 2
