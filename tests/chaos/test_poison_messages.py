"""Poison messages written straight to every topic a service consumes: each consumer group puts
each of them on ``<topic>.dlq`` exactly once, with the error in a header, and moves on."""

from __future__ import annotations

import json
import uuid
from collections import Counter

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from gateway.entrypoints import consumers as gateway_consumers
from invoicing.entrypoints import consumers as invoicing_consumers
from matching.entrypoints import consumers as matching_consumers
from notifier.entrypoints import consumers as notifier_consumers
from orders.entrypoints import consumers as orders_consumers
from orders.sourcing.entrypoints import consumers as orders_rfp_consumers
from portal_dev.stack import Stack
from portal_dev.testing import Mailbox, poll_until
from shared.contracts.identity import ACCOUNTS_TOPIC, INVITATIONS_TOPIC, ORGANISATIONS_TOPIC, USERS_TOPIC
from shared.contracts.invoicing import INVOICES_TOPIC
from shared.contracts.matching import VERDICTS_TOPIC
from shared.contracts.orders import PURCHASE_ORDERS_TOPIC
from shared.contracts.rfps import RFPS_TOPIC
from shared.contracts.suppliers import SUPPLIERS_TOPIC
from shared.contracts.topics import dlq_topic, topic_of
from suppliers.entrypoints import consumers as suppliers_consumers
from tests.chaos.conftest import SETTLE_S, Scenario, all_approved, prepare_flow, read_all, submit
from tests.e2e.conftest import Portal

# Every consumer group of every service, by the topic it reads.
GROUPS: dict[str, set[str]] = {
    SUPPLIERS_TOPIC: {
        gateway_consumers.CONSUMER,
        invoicing_consumers.SUPPLIERS_CONSUMER,
        matching_consumers.SUPPLIERS_GROUP,
        notifier_consumers.SUPPLIERS,
        orders_consumers.SUPPLIERS_CONSUMER,
    },
    USERS_TOPIC: {notifier_consumers.USERS, orders_consumers.USERS_CONSUMER},
    INVITATIONS_TOPIC: {notifier_consumers.INVITATIONS},
    ACCOUNTS_TOPIC: {notifier_consumers.ACCOUNTS},
    ORGANISATIONS_TOPIC: {
        invoicing_consumers.ORGANISATIONS_CONSUMER,
        matching_consumers.ORGANISATIONS_GROUP,
        notifier_consumers.ORGANISATIONS,
        notifier_consumers.REMINDER_POLICIES,
        suppliers_consumers.ORGANISATIONS_CONSUMER,
        orders_consumers.ORGANISATIONS_CONSUMER,
        orders_rfp_consumers.RFP_ORGANISATIONS_CONSUMER,
    },
    PURCHASE_ORDERS_TOPIC: {
        invoicing_consumers.PURCHASE_ORDERS_CONSUMER,
        matching_consumers.PURCHASE_ORDERS_GROUP,
        notifier_consumers.PURCHASE_ORDERS,
    },
    RFPS_TOPIC: {notifier_consumers.RFPS},
    INVOICES_TOPIC: {
        matching_consumers.INVOICES_GROUP,
        notifier_consumers.INVOICES,
        notifier_consumers.REMINDER_INVOICES,
        orders_consumers.INVOICES_CONSUMER,
    },
    VERDICTS_TOPIC: {invoicing_consumers.VERDICTS_CONSUMER},
}


@pytest.fixture(scope="module")
def stack(shared_stack: Stack) -> Stack:
    """These faults leave the system whole: the session's shared stack."""
    return shared_stack


def poisons(topic: str) -> dict[str, bytes]:
    """Four kinds of poison for ``topic``, by name."""
    known_type = next(iter(topic_of(topic).events))
    envelope = {
        "id": str(uuid.uuid4()),
        "tenant_id": str(uuid.uuid4()),
        "correlation_id": "chaos",
        "producer": "chaos",
    }
    return {
        "not-json": b"not json",
        "wrong-schema": json.dumps({**envelope, "type": known_type, "data": {"unexpected": True}}).encode(),
        "unknown-type": json.dumps({**envelope, "type": "ChaosMonkeyStruck", "data": {}}).encode(),
        "900kb": json.dumps({**envelope, "type": known_type, "data": {"pad": "x" * 900_000}}).encode(),
    }


async def test_poison_on_every_consumed_topic_is_dead_lettered_and_the_flow_goes_on(
    stack: Stack, api: httpx.AsyncClient, portal: Portal, mailbox: Mailbox, scenario: Scenario
) -> None:
    run = uuid.uuid4().hex[:8]
    kinds = list(poisons(SUPPLIERS_TOPIC))
    scenario.injected = (
        f"{len(kinds)} poison messages ({', '.join(kinds)}) on each of the {len(GROUPS)} consumed topics"
    )
    expected_dlq = {topic: len(kinds) * len(groups) for topic, groups in GROUPS.items()}
    scenario.expected = (
        f"each poison message on <topic>.dlq once per consumer group of the topic ({sum(expected_dlq.values())} "
        "dead letters), each with a dlq.error header; then one invoice approved end to end with its email"
    )
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers, acks="all", max_request_size=2_000_000)
    await producer.start()
    try:
        for topic in GROUPS:
            for kind, value in poisons(topic).items():
                key = f"chaos.{run}.{kind}".encode()
                await producer.send_and_wait(topic, value=value, key=key, headers=[("chaos.poison", kind.encode())])
    finally:
        await producer.stop()

    async def dead_letters(topic: str) -> list:
        records = await read_all(stack.bootstrap_servers, dlq_topic(topic))
        return [r for r in records if (r.key or b"").startswith(f"chaos.{run}.".encode())]

    observed: dict[str, dict] = {}
    for topic, groups in GROUPS.items():
        found = await poll_until(
            lambda t=topic: _at_least(dead_letters(t), expected_dlq[t]),
            timeout_s=SETTLE_S,
            interval_s=0.3,
            what=f"{expected_dlq[topic]} dead letters on {dlq_topic(topic)}",
        )
        headers = [dict(r.headers) for r in found]
        observed[topic] = {"dead_letters": len(found), "groups": sorted({h["dlq.consumer"].decode() for h in headers})}
        assert all(h.get("dlq.error") for h in headers), headers
        assert all(h["dlq.topic"].decode() == topic for h in headers)
        # Exactly one dead letter per (poison message, consumer group).
        per_message = Counter((r.key.decode().split(".")[-1], dict(r.headers)["dlq.consumer"].decode()) for r in found)
        assert per_message == Counter({(kind, group): 1 for kind in kinds for group in groups})

    # The consumers moved on: a valid flow right after completes.
    flow = await prepare_flow(portal, f"p{run[:6]}", 1)
    await submit(api, flow, flow.invoices[0])
    approved = await all_approved(api, flow)
    [number] = flow.numbers.values()
    await poll_until(
        lambda: mailbox.find(to=flow.supplier_email, subject_contains=f"Invoice {number} for PO"),
        timeout_s=SETTLE_S,
        what="the approval email",
    )
    # Counted once more now that the flow went through: nothing was dead-lettered twice.
    for topic in GROUPS:
        assert len(await dead_letters(topic)) == expected_dlq[topic], topic
    scenario.observed = {
        "poison_messages": len(kinds) * len(GROUPS),
        "dead_letters": sum(o["dead_letters"] for o in observed.values()),
        "by_topic": observed,
        "valid_invoice": next(iter(approved.values()))["status"],
    }


async def _at_least(records_coroutine, count: int) -> list | None:  # type: ignore[no-untyped-def]
    records = await records_coroutine
    return records if len(records) >= count else None
