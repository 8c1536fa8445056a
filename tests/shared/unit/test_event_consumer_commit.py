"""The consumer commits the offset only after the handler's effect, survives a commit the group
refused (the event comes again, a no-op), and passes its fault points in that order; an event
FastStream delivers reaches its effect without a worker thread."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import anyio.to_thread
import pytest
from aiokafka.errors import CommitFailedError
from faststream.kafka import KafkaBroker, TestKafkaBroker

from shared import faults
from shared.contracts import Envelope
from shared.contracts.identity import ORGANISATIONS_TOPIC, OrganisationSettingsChanged
from shared.messaging import EventConsumer
from shared.settings import ServiceSettings

GROUP = "invoicing.organisations"


class Message:
    """What the consumer needs of a FastStream Kafka message; ``ack`` commits (or fails to)."""

    def __init__(self, journal: list[str], *, commit_fails: bool = False) -> None:
        self.raw_message = SimpleNamespace(partition=0, offset=7, key=b"k", headers=[])
        self.journal = journal
        self.commit_fails = commit_fails

    async def ack(self) -> None:
        self.journal.append("commit")
        if self.commit_fails:
            raise CommitFailedError("the group has rebalanced")

    async def nack(self) -> None:
        self.journal.append("nack")


@pytest.fixture(autouse=True)
def nothing_armed() -> Iterator[None]:
    faults.disarm()
    yield
    faults.disarm()


def event() -> bytes:
    tenant = uuid.uuid4()
    payload = OrganisationSettingsChanged(
        tenant_id=tenant,
        name="Buyer",
        invoice_issue_date_required=False,
        supplier_portal_enabled=True,
        revision=1,
        updated_at=datetime.now(UTC),
    )
    return Envelope.wrap(payload, tenant_id=tenant, producer="gateway").model_dump_json().encode()


def consumer(journal: list[str]) -> EventConsumer:
    async def handler(envelope: Envelope, payload: Any) -> None:
        journal.append("effect")

    def no_dead_letters() -> Any:
        raise AssertionError("nothing is dead-lettered here")

    return EventConsumer(
        topic=ORGANISATIONS_TOPIC,
        group=GROUP,
        handlers={OrganisationSettingsChanged: handler},
        settings=ServiceSettings(),
        dead_letters=no_dead_letters,
    )


async def test_the_offset_is_committed_after_the_effect() -> None:
    journal: list[str] = []
    events = consumer(journal)
    await events.consume(event(), Message(journal))  # type: ignore[arg-type]
    assert journal == ["effect", "commit"]
    assert (events.handled, events.commit_failures) == (1, 0)


async def test_a_commit_refused_after_a_rebalance_is_counted_and_the_consumer_goes_on() -> None:
    journal: list[str] = []
    events = consumer(journal)
    await events.consume(event(), Message(journal, commit_fails=True))  # type: ignore[arg-type]
    await events.consume(event(), Message(journal))  # type: ignore[arg-type]
    assert journal == ["effect", "commit", "effect", "commit"]
    assert (events.handled, events.commit_failures) == (2, 1)


async def test_the_fault_points_come_before_the_handler_and_between_the_effect_and_the_commit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    journal: list[str] = []

    async def sleep(seconds: float) -> None:
        journal.append(f"sleep {seconds:g}")

    monkeypatch.setattr(faults.asyncio, "sleep", sleep)
    faults.arm(
        f"consumer.before_handler@{GROUP}:delay=1,consumer.before_ack@OrganisationSettingsChanged:delay=2",
        environment="test",
    )
    await consumer(journal).consume(event(), Message(journal))  # type: ignore[arg-type]
    assert journal == ["sleep 1", "effect", "sleep 2", "commit"]


async def test_a_delivered_event_is_handled_without_a_worker_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """FastStream resolves a handler parameter taken from its context (``msg: KafkaMessage``)
    with a synchronous function run in a worker thread, for every message; the consumer finds
    the message itself, so an event goes from the fetch to its effect on the event loop."""
    journal: list[str] = []
    events = consumer(journal)
    hops: list[object] = []
    run_sync = anyio.to_thread.run_sync

    async def counted(func: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(func)
        return await run_sync(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    broker = KafkaBroker(logger=None)
    events.register(broker)
    async with TestKafkaBroker(broker) as test_broker:
        for _ in range(3):
            await test_broker.publish(event(), events.settings.on_cluster(ORGANISATIONS_TOPIC))
    assert journal == ["effect"] * 3
    assert hops == []
