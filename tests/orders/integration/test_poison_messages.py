"""Poison messages on both consumed topics go to ``<topic>.dlq``; consumption goes on."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.orders.integration.support import INVOICES_TOPIC, SUPPLIERS_TOPIC, OrdersService, invoice_event


def wrong_schema(event_type: str) -> bytes:
    """A well-formed envelope whose payload misses every required field."""
    return json.dumps(
        {
            "id": str(uuid.uuid4()),
            "type": event_type,
            "tenant_id": str(uuid.uuid4()),
            "correlation_id": "c",
            "producer": "test",
            "data": {"unexpected": True},
        }
    ).encode()


@pytest.mark.parametrize(
    ("topic", "event_type"), [(SUPPLIERS_TOPIC, "SupplierCreated"), (INVOICES_TOPIC, "InvoiceSubmitted")]
)
async def test_poison_messages_are_dead_lettered_and_the_next_event_is_processed(
    orders: OrdersService, topic: str, event_type: str
) -> None:
    await orders.publish(topic, b"not json")
    await orders.publish(topic, wrong_schema(event_type))

    # The next valid event on the topic is still handled: a supplier, then an invoice of its order.
    tenant = uuid.uuid4()
    supplier_id = await orders.supplier(tenant)
    buyer = orders.tokens.buyer(tenant)
    order = await orders.create(buyer, supplier_id)
    order = (await orders.act(buyer, order["id"], "submit")).json()
    await orders.handled("orders.invoices", (await orders.publish_event(invoice_event(order, ["3"]), tenant)).id)
    assert (await orders.get(buyer, order["id"])).json()["lines"][0]["invoiced_quantity"] == "3"

    dead = await orders.read(topic + ".dlq", 2)
    assert dead[0].value == b"not json"
    for record in dead:
        headers = dict(record.headers)
        assert headers["dlq.error"]
        assert headers["dlq.topic"] == topic.encode()
