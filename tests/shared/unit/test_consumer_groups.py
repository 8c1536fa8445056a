"""A consumer group declared as ``{EventType: handler(uow, payload)}``: the engine opens the unit of
work, records the event in the inbox, runs the handler and commits, then commits the offset. A
redelivery is acknowledged without effect; a failing handler commits nothing and is retried."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace, TracebackType
from typing import Any

import pytest

from shared import faults
from shared.consumer_groups import consumer_group
from shared.contracts import Envelope
from shared.contracts.identity import ORGANISATIONS_TOPIC, OrganisationSettingsChanged, UserSnapshot
from shared.messaging import EventConsumer
from shared.settings import ServiceSettings

GROUP = "billing.organisations"
DATABASE = object()  # what the runtime hands every unit of work as its session factory


class Inbox:
    def __init__(self, journal: list[str], seen: set[tuple[str, uuid.UUID]]) -> None:
        self.journal, self.seen = journal, seen

    async def first_time(self, consumer: str, event_id: uuid.UUID) -> bool:
        self.journal.append(f"inbox {consumer}")
        if (consumer, event_id) in self.seen:
            return False
        self.seen.add((consumer, event_id))
        return True


class Journal:
    """What the units of work and the broker were asked to do, in order; the inbox outlives them."""

    def __init__(self) -> None:
        self.entries: list[str] = []
        self.recorded: set[tuple[str, uuid.UUID]] = set()
        self.units: list[UnitOfWork] = []


class UnitOfWork:
    """A unit of work as a service's is built (``UnitOfWork(session_factory, producer)``); an
    inbox record not committed is forgotten when the block ends."""

    journal: Journal

    def __init__(self, session_factory: Any, producer: str) -> None:
        self.session_factory, self.producer = session_factory, producer
        self.pending: set[tuple[str, uuid.UUID]] = set()
        self.inbox = Inbox(self.journal.entries, self.pending)
        self.journal.units.append(self)

    async def __aenter__(self) -> UnitOfWork:
        self.journal.entries.append("begin")
        self.pending.update(self.journal.recorded)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.journal.entries.append("end" if exc is None else f"end after {type(exc).__name__}")

    async def commit(self) -> None:
        self.journal.entries.append("commit")
        self.journal.recorded.update(self.pending)


class Message:
    """What the consumer needs of a FastStream Kafka message."""

    def __init__(self, journal: Journal) -> None:
        self.raw_message = SimpleNamespace(partition=0, offset=7, key=b"k", headers=[])
        self.journal = journal

    async def ack(self) -> None:
        self.journal.entries.append("ack")

    async def nack(self) -> None:
        self.journal.entries.append("nack")


@pytest.fixture(autouse=True)
def nothing_armed() -> Iterator[None]:
    faults.disarm()
    yield
    faults.disarm()


@pytest.fixture
def journal() -> Journal:
    kept = Journal()
    UnitOfWork.journal = kept
    return kept


def organisation_event() -> Envelope:
    tenant = uuid.uuid4()
    payload = OrganisationSettingsChanged(
        tenant_id=tenant,
        name="Buyer",
        invoice_issue_date_required=False,
        supplier_portal_enabled=True,
        revision=1,
        updated_at=datetime.now(UTC),
    )
    return Envelope.wrap(payload, tenant_id=tenant, producer="gateway")


def declared(handlers: dict[Any, Any], *, needs_envelope: bool = False) -> EventConsumer:
    def no_dead_letters() -> Any:
        raise AssertionError("nothing is dead-lettered here")

    runtime = SimpleNamespace(
        settings=ServiceSettings(service_name="billing", consumer_retry_backoff_s=0),
        session_factory=DATABASE,
        kafka_producer=no_dead_letters,
    )
    return consumer_group(  # type: ignore[call-overload]
        runtime,
        ORGANISATIONS_TOPIC,
        GROUP,
        UnitOfWork,
        handlers,
        needs_envelope=needs_envelope,
    )


async def deliver(consumer: EventConsumer, envelope: Envelope, journal: Journal) -> None:
    await consumer.consume(envelope.model_dump_json().encode(), Message(journal))  # type: ignore[arg-type]


async def test_the_handler_runs_after_the_inbox_record_and_commits_with_it_before_the_offset(journal: Journal) -> None:
    async def effect(uow: UnitOfWork, payload: OrganisationSettingsChanged) -> None:
        journal.entries.append(f"effect {payload.name}")

    consumer = declared({OrganisationSettingsChanged: effect})
    await deliver(consumer, organisation_event(), journal)

    assert journal.entries == ["begin", f"inbox {GROUP}", "effect Buyer", "commit", "end", "ack"]
    [unit] = journal.units
    assert (unit.session_factory, unit.producer) == (DATABASE, "billing")
    assert consumer.handled == 1


async def test_a_redelivered_event_is_acknowledged_without_effect_its_unit_of_work_committed_empty(
    journal: Journal,
) -> None:
    """Committed with nothing in it, so that in a batch it leaves the shared transaction usable."""
    effects: list[str] = []

    async def effect(uow: UnitOfWork, payload: OrganisationSettingsChanged) -> None:
        effects.append(payload.name)

    consumer = declared({OrganisationSettingsChanged: effect})
    event = organisation_event()
    await deliver(consumer, event, journal)
    journal.entries.clear()
    await deliver(consumer, event, journal)

    assert effects == ["Buyer"]
    assert journal.entries == ["begin", f"inbox {GROUP}", "commit", "end", "ack"]


async def test_a_failing_handler_commits_nothing_and_its_event_comes_again_with_effect(journal: Journal) -> None:
    attempts: list[str] = []

    async def effect(uow: UnitOfWork, payload: OrganisationSettingsChanged) -> None:
        attempts.append(payload.name)
        if len(attempts) == 1:
            raise RuntimeError("the first attempt fails")

    consumer = declared({OrganisationSettingsChanged: effect})
    event = organisation_event()
    await deliver(consumer, event, journal)
    assert journal.entries == ["begin", f"inbox {GROUP}", "end after RuntimeError", "nack"]

    journal.entries.clear()
    await deliver(consumer, event, journal)  # the inbox record went with the failure
    assert journal.entries == ["begin", f"inbox {GROUP}", "commit", "end", "ack"]
    assert attempts == ["Buyer", "Buyer"]


async def test_handlers_that_need_the_envelope_get_it_last(journal: Journal) -> None:
    seen: list[tuple[str, uuid.UUID]] = []

    async def effect(uow: UnitOfWork, payload: OrganisationSettingsChanged, envelope: Envelope) -> None:
        seen.append((payload.name, envelope.id))

    event = organisation_event()
    await deliver(declared({OrganisationSettingsChanged: effect}, needs_envelope=True), event, journal)
    assert seen == [("Buyer", event.id)]


async def test_an_event_no_handler_wants_is_acknowledged_without_a_unit_of_work(journal: Journal) -> None:
    async def effect(uow: UnitOfWork, payload: UserSnapshot) -> None:
        raise AssertionError("not an organisation event")

    consumer = declared({UserSnapshot: effect})
    await deliver(consumer, organisation_event(), journal)
    assert journal.entries == ["ack"]
    assert journal.units == []


def test_the_registered_handler_keeps_its_name() -> None:
    async def on_organisation(uow: UnitOfWork, payload: OrganisationSettingsChanged) -> None:
        return None

    consumer = declared({OrganisationSettingsChanged: on_organisation})
    assert consumer.handlers[OrganisationSettingsChanged].__name__ == "on_organisation"
