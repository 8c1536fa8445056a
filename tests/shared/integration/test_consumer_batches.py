"""Consumers handle the events already fetched in one transaction on real PostgreSQL and a real
broker: fewer commits, the same guarantees. Every event has its effect once and in order; an event
that fails, does not decode or is a redelivery is handled as it would be on its own, and the
events around it keep their effects."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from sqlalchemy import BigInteger, Column, Identity, Table, Text, distinct, event, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from portal_dev.testing import Servers, create_tables, on_cluster, poll_until, read_topic, running
from shared import correlation, faults
from shared.contracts import Envelope, dlq_topic
from shared.contracts.suppliers import SUPPLIERS_TOPIC, SupplierUpdated
from shared.db import SqlUnitOfWork, make_engine, make_session_factory, new_metadata, shared_transaction
from shared.inbox import inbox_table
from shared.messaging import EventConsumer
from shared.outbox import outbox_table
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings
from tests.shared.integration.test_outbox_relay import revision_event

GROUP = "batches.suppliers"

metadata = new_metadata()
effects = Table(
    "effects",
    metadata,
    Column("seq", BigInteger, Identity(), primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    # The transaction that wrote the row: how many commits the events took.
    Column("txid", BigInteger, nullable=False, server_default=text("txid_current()")),
)
inbox_table(metadata)
outbox_table(metadata)


async def new_database(servers: Servers) -> str:
    url = await servers.create_database("batches")
    await create_tables(url, metadata)
    return url


def envelope_named(name: str, supplier_id: uuid.UUID) -> Envelope:
    event = revision_event(supplier_id, 1).model_copy(update={"name": name})
    return Envelope.wrap(event, tenant_id=event.tenant_id, producer="test")


async def publish(bootstrap: str, bodies: list[bytes], key: bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await producer.start()
    try:
        sent = [await producer.send(on_cluster(SUPPLIERS_TOPIC), body, key=key) for body in bodies]
        for future in sent:
            await future
    finally:
        await producer.stop()


class Service:
    """A runtime whose one consumer writes the event's name, with these behaviours by name:
    ``fail-N-…`` raises on its first N deliveries, ``quiet-…`` writes and leaves without commit,
    ``twice-…`` breaks the unique name on purpose after its own row was written."""

    def __init__(self, url: str, bootstrap: str, *, inbox_in_batches: bool = False) -> None:
        self.failures: dict[str, int] = {}
        self.inbox_in_batches = inbox_in_batches
        self.inbox_statements = 0  # statements that wrote inbox records
        settings = ServiceSettings(
            service_name="batches",
            database_url=url,
            kafka_bootstrap_servers=bootstrap,
            kafka_enable_idempotence=False,
            kafka_fetch_max_wait_ms=20,
            consumer_retry_backoff_s=0.05,
            consumer_max_attempts=3,
            log_format="console",
        )
        self.runtime = ServiceRuntime(settings, title="batches", consumers=self._consumers)

        def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            self.inbox_statements += statement.startswith("INSERT INTO inbox")

        event.listen(self.runtime.engine.sync_engine, "before_cursor_execute", count)

    def _consumers(self, runtime: ServiceRuntime) -> list[EventConsumer]:
        async def record(envelope: Envelope, payload: SupplierUpdated) -> None:
            name = payload.name
            if name.startswith("fail-"):
                wanted = int(name.split("-")[1])
                self.failures[name] = self.failures.get(name, 0) + 1
                if self.failures[name] <= wanted:
                    raise RuntimeError(f"{name} fails, attempt {self.failures[name]}")
            async with SqlUnitOfWork(runtime.session_factory, "batches") as uow:
                if not await uow.inbox.first_time(GROUP, envelope.id):
                    return
                await uow.session.execute(insert(effects).values(name=name))
                if name.startswith("quiet-"):
                    return  # leaves without commit: as if it had never run
                if name.startswith("twice-"):
                    await uow.session.execute(insert(effects).values(name=name))  # IntegrityError
                await uow.commit()

        handlers: dict[Any, Any] = {SupplierUpdated: record}
        consumer = EventConsumer(SUPPLIERS_TOPIC, GROUP, handlers, runtime.settings, runtime.kafka_producer)
        consumer.inbox_in_batches = self.inbox_in_batches
        return [consumer]

    @property
    def consumer(self) -> EventConsumer:
        return self.runtime.consumers[0]

    async def rows(self) -> list[Any]:
        async with self.runtime.engine.connect() as conn:
            return list((await conn.execute(select(effects).order_by(effects.c.seq))).all())

    async def committed(self) -> int:
        """The group's committed offsets over the topic's partitions (all events share a key)."""
        kafka = self.consumer.subscriber.consumer
        partitions = kafka.partitions_for_topic(on_cluster(SUPPLIERS_TOPIC)) or set()
        offsets = [await kafka.committed(TopicPartition(on_cluster(SUPPLIERS_TOPIC), p)) for p in partitions]
        return sum(offset or 0 for offset in offsets)


@pytest.fixture(params=[False, True], ids=["inbox-per-event", "inbox-per-batch"])
async def service(servers: Servers, broker: str, request: pytest.FixtureRequest) -> AsyncIterator[Service]:
    built = Service(await new_database(servers), broker, inbox_in_batches=request.param)
    async with running(built.runtime):
        yield built


@pytest.mark.parametrize("inbox_in_batches", [False, True], ids=["inbox-per-event", "inbox-per-batch"])
async def test_events_fetched_together_take_one_commit_per_batch_each_has_its_effect_once_and_in_order(
    servers: Servers, broker: str, inbox_in_batches: bool
) -> None:
    """With ``inbox_in_batches`` a batch also writes its events' inbox records in one statement."""
    supplier = uuid.uuid4()
    names = [f"event-{n:03d}" for n in range(300)]
    await publish(broker, [envelope_named(n, supplier).model_dump_json().encode() for n in names], supplier.bytes)
    # Started after: its first fetches are full.
    service = Service(await new_database(servers), broker, inbox_in_batches=inbox_in_batches)
    async with running(service.runtime):
        await poll_until(lambda: service.consumer.handled == 300, timeout_s=60, what="300 events handled")
        rows = await service.rows()
        assert [row.name for row in rows] == names
        transactions = {row.txid for row in rows}
        assert len(transactions) < len(rows) // 3, "events fetched together share a transaction"
        assert service.consumer.batches >= 1
        if inbox_in_batches:
            assert service.inbox_statements <= len(transactions)
        else:
            assert service.inbox_statements == len(rows)
        async with service.runtime.engine.connect() as conn:
            recorded = (await conn.execute(select(func.count()).select_from(text("inbox")))).scalar()
        assert recorded == 300
        await poll_until(lambda: _equals(service.committed(), 300), what="the offset after the last event")


async def test_a_failing_poison_or_repeated_event_inside_a_batch_is_handled_as_on_its_own(
    service: Service, broker: str
) -> None:
    supplier = uuid.uuid4()
    repeated = envelope_named("repeated", supplier)
    bodies = [envelope_named(f"before-{n}", supplier).model_dump_json().encode() for n in range(20)]
    bodies += [
        envelope_named("fail-2-recovers", supplier).model_dump_json().encode(),  # retried, then handled
        b"{not an event",  # dead-lettered
        repeated.model_dump_json().encode(),
        repeated.model_dump_json().encode(),  # the same event again: one effect
        envelope_named("quiet-nothing-kept", supplier).model_dump_json().encode(),
        envelope_named("twice-rolled-back", supplier).model_dump_json().encode(),  # fails every time
        envelope_named("fail-9-gives-up", supplier).model_dump_json().encode(),  # dead-lettered
    ]
    bodies += [envelope_named(f"after-{n}", supplier).model_dump_json().encode() for n in range(20)]
    await publish(broker, bodies, supplier.bytes)

    dead = await read_topic(broker, dlq_topic(SUPPLIERS_TOPIC), 3, timeout_s=60)
    await poll_until(
        lambda: _equals(service.committed(), len(bodies)), what="the offset after the last event", timeout_s=60
    )

    expected = [f"before-{n}" for n in range(20)] + ["fail-2-recovers", "repeated"]
    expected += [f"after-{n}" for n in range(20)]
    assert [row.name for row in await service.rows()] == expected
    assert service.failures["fail-2-recovers"] == 3
    assert sorted(dict(record.headers)["dlq.error_type"].decode() for record in dead) == [
        "IntegrityError",
        "RuntimeError",
        "ValidationError",  # the body that is no event
    ]
    assert service.consumer.batches_broken >= 1


async def test_each_event_of_a_batch_reaches_its_fault_points_with_its_own_log_fields(
    servers: Servers, broker: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a fault point logs (the chaos suite finds the killed event by it) names the event, in
    a batch as on its own."""
    reached: list[tuple[str, object]] = []

    async def record(point: str, *scopes: str) -> None:
        reached.append((point, correlation.log_fields().get("event_id")))

    monkeypatch.setattr(faults, "reached", record)
    supplier = uuid.uuid4()
    envelopes = [envelope_named(f"event-{n}", supplier) for n in range(20)]
    await publish(broker, [e.model_dump_json().encode() for e in envelopes], supplier.bytes)
    service = Service(await new_database(servers), broker)  # started after: its first fetch is a batch
    async with running(service.runtime):
        await poll_until(lambda: service.consumer.handled == 20, timeout_s=60, what="20 events handled")
        assert service.consumer.batches >= 1
    ids = [str(e.id) for e in envelopes]
    assert [event_id for point, event_id in reached if point == "consumer.before_handler"] == ids
    assert [event_id for point, event_id in reached if point == "consumer.before_ack"] == ids


async def _equals(value: Any, expected: Any) -> bool:
    return bool(await value == expected)


async def test_units_of_work_in_a_shared_transaction_commit_together_and_wait_for_its_commit(
    servers: Servers,
) -> None:
    url = await new_database(servers)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    other_database = make_session_factory(make_engine(url))

    async def names() -> list[str]:
        async with engine.connect() as conn:
            return sorted((await conn.execute(select(effects.c.name))).scalars())

    try:
        async with shared_transaction(sessions) as transaction:
            for name in ("first", "second"):
                async with SqlUnitOfWork(sessions, "test") as uow:
                    await uow.session.execute(insert(effects).values(name=name))
                    await uow.commit()
            async with SqlUnitOfWork(other_database, "test") as uow:  # another factory: its own transaction
                await uow.session.execute(insert(effects).values(name="independent"))
                await uow.commit()
            assert await names() == ["independent"], "nothing of the shared transaction before its commit"
            assert not transaction.spoiled
            await transaction.commit()
        assert await names() == ["first", "independent", "second"]

        async with shared_transaction(sessions):
            async with SqlUnitOfWork(sessions, "test") as uow:
                await uow.session.execute(insert(effects).values(name="never-committed"))
                await uow.commit()
        assert "never-committed" not in await names()
    finally:
        await engine.dispose()


async def _leave_without_commit(uow: SqlUnitOfWork) -> None:
    await uow.session.execute(insert(effects).values(name="left"))


async def _fail(uow: SqlUnitOfWork) -> None:
    await uow.session.execute(insert(effects).values(name="first"))  # taken: IntegrityError
    await uow.commit()


async def _roll_back(uow: SqlUnitOfWork) -> None:
    await uow.session.execute(insert(effects).values(name="rolled-back"))
    await uow.rollback()
    await uow.commit()


@pytest.mark.parametrize("spoiler", [_leave_without_commit, _fail, _roll_back])
async def test_a_unit_of_work_that_leaves_without_its_commit_spoils_the_shared_transaction(
    servers: Servers, spoiler: Any
) -> None:
    """No savepoint per unit: a unit that leaves without committing (a plain return, an exception,
    a rollback) may have left its statements in the transaction, so its owner cannot commit it
    and nothing of it is kept; on their own, each unit keeps its own outcome."""
    url = await new_database(servers)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    try:
        async with SqlUnitOfWork(sessions, "test") as uow:
            await uow.session.execute(insert(effects).values(name="first"))
            await uow.commit()
        async with shared_transaction(sessions) as transaction:
            async with SqlUnitOfWork(sessions, "test") as uow:
                await uow.session.execute(insert(effects).values(name="kept-only-with-the-batch"))
                await uow.commit()
            with contextlib.suppress(IntegrityError):
                async with SqlUnitOfWork(sessions, "test") as uow:
                    await spoiler(uow)
            assert transaction.spoiled
            with pytest.raises(RuntimeError, match="spoiled"):
                await transaction.commit()
        async with engine.connect() as conn:
            assert list((await conn.execute(select(effects.c.name))).scalars()) == ["first"]

        with contextlib.suppress(IntegrityError):  # on its own: undone alone, as always
            async with SqlUnitOfWork(sessions, "test") as uow:
                await spoiler(uow)
        async with engine.connect() as conn:
            kept = sorted((await conn.execute(select(effects.c.name))).scalars())
        assert kept == ["first"]
    finally:
        await engine.dispose()


async def test_a_full_batch_of_units_of_work_takes_no_savepoint(servers: Servers) -> None:
    """A batch is one transaction with no savepoint per unit: no SAVEPOINT, RELEASE or ROLLBACK TO
    round trips, and nothing of the kind among the statements the connection keeps prepared."""
    engine = make_engine(await new_database(servers), pool_size=1)
    sessions = make_session_factory(engine)
    try:
        async with shared_transaction(sessions) as transaction:
            for number in range(ServiceSettings().consumer_batch_max_records):
                async with SqlUnitOfWork(sessions, "test") as uow:
                    await uow.session.execute(insert(effects).values(name=f"event-{number}"))
                    await uow.commit()
            savepoints = (
                await transaction.session.execute(
                    text(
                        "SELECT count(*) FROM pg_prepared_statements"
                        " WHERE statement ~* '^(SAVEPOINT|RELEASE|ROLLBACK TO)'"
                    )
                )
            ).scalar()
            txids = (await transaction.session.execute(select(func.count(distinct(effects.c.txid))))).scalar()
            await transaction.commit()
        assert savepoints == 0
        assert txids == 1
    finally:
        await engine.dispose()


async def _lock_in_turn(
    sessions: Any, order: tuple[str, str], serialise: bool, first_locked: asyncio.Event, other_first: Any
) -> None:
    """A batch that locks the rows named ``order``, one after the other: it holds the first until
    the other batch holds its own first row, or waits for a lock, then takes the second."""
    async with shared_transaction(sessions) as transaction:
        if serialise:
            await transaction.serialise(f"row:{name}" for name in order)
        await transaction.session.execute(update(effects).where(effects.c.name == order[0]).values(name=order[0]))
        first_locked.set()
        await other_first()
        await transaction.session.execute(update(effects).where(effects.c.name == order[1]).values(name=order[1]))
        await transaction.commit()


@pytest.mark.parametrize("serialise", [True, False])
async def test_batches_that_serialise_on_their_rows_wait_for_each_other_instead_of_deadlocking(
    servers: Servers, serialise: bool
) -> None:
    """Two batches lock the same two rows in opposite orders, each holding its first while the
    other takes its own: without ``serialise`` PostgreSQL finds the deadlock (after a second) and
    undoes one; with it, the second waits for the first's commit and both go through."""
    url = await new_database(servers)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(effects), [{"name": "a"}, {"name": "b"}])

        async def waiting() -> bool:
            async with engine.connect() as conn:
                return bool((await conn.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted"))).scalar())

        locked = (asyncio.Event(), asyncio.Event())

        def other_first(other: asyncio.Event) -> Any:
            async def arrived() -> None:
                await poll_until(lambda: other.is_set() or waiting(), timeout_s=10, what="the other batch")

            return arrived

        outcomes = await asyncio.gather(
            _lock_in_turn(sessions, ("a", "b"), serialise, locked[0], other_first(locked[1])),
            _lock_in_turn(sessions, ("b", "a"), serialise, locked[1], other_first(locked[0])),
            return_exceptions=True,
        )
        failures = [repr(outcome) for outcome in outcomes if outcome is not None]
        if serialise:
            assert failures == []
        else:
            assert len(failures) == 1 and "deadlock detected" in failures[0]
    finally:
        await engine.dispose()


async def test_the_outbox_events_of_a_batchs_units_are_written_at_its_commit_with_one_statement_in_their_order(
    servers: Servers,
) -> None:
    """Each unit's events wait for the shared transaction's commit, which writes all of them with
    one statement (one ``NOTIFY`` for the relay), in the order the units committed; a unit on its
    own writes its events at its own commit, as always."""
    engine = make_engine(await new_database(servers))
    sessions = make_session_factory(engine)
    inserts: list[int] = []

    def count(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if statement.startswith("INSERT INTO outbox"):
            inserts.append(len(parameters) if isinstance(parameters, list) else 1)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    events = [revision_event(uuid.uuid4(), n) for n in range(1, 6)]
    try:
        async with shared_transaction(sessions) as transaction:
            for payload in events[:4]:
                async with SqlUnitOfWork(sessions, "test") as uow:
                    uow.outbox.add(payload, tenant_id=payload.tenant_id)
                    if payload is events[2]:
                        uow.outbox.add(events[4], tenant_id=payload.tenant_id)  # two in one unit
                    await uow.commit()
            assert inserts == [], "nothing written before the shared transaction's commit"
            await transaction.commit()
        assert len(inserts) == 1
        async with SqlUnitOfWork(sessions, "test") as uow:
            uow.outbox.add(events[0], tenant_id=events[0].tenant_id)
            await uow.commit()
        assert len(inserts) == 2
        async with engine.connect() as conn:
            written = list((await conn.execute(text("SELECT key FROM outbox ORDER BY id"))).scalars())
        order = [events[0], events[1], events[2], events[4], events[3], events[0]]
        assert written == [payload.key() for payload in order]
    finally:
        await engine.dispose()
