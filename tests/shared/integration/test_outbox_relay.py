"""The outbox relay on real PostgreSQL and a real broker: in order, nothing lost, nothing twice."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

import asyncpg
from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from portal_dev.testing import Servers, create_tables, poll_until, read_topic
from shared.contracts.suppliers import SupplierUpdated
from shared.db import SqlUnitOfWork, make_engine, make_session_factory, new_metadata
from shared.kafka import make_producer
from shared.outbox import outbox_table
from shared.relay import KEEPALIVES, OutboxRelay
from shared.settings import ServiceSettings, plain_database_url

TOPIC = "suppliers.supplier.v1"
# The advisory locks held in the test's database (the relay's is the only kind there).
RELAY_LOCKS = (
    "FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


async def outbox_database(servers: Servers) -> str:
    url = await servers.create_database("outbox")
    metadata = new_metadata()
    outbox_table(metadata)
    await create_tables(url, metadata)
    return url


def revision_event(supplier_id: uuid.UUID, revision: int) -> SupplierUpdated:
    return SupplierUpdated(
        supplier_id=supplier_id,
        tenant_id=uuid.uuid4(),
        name=f"rev {revision}",
        email="a@b.example",
        currency="EUR",
        tolerance_rate=Decimal(0),
        portal_status="active",
        revision=revision,
        updated_at=datetime.now(UTC),
    )


def revisions_of(records: list[Any]) -> list[int]:
    return [json.loads(r.value)["data"]["revision"] for r in records]


async def write_events(url: str, events: list[SupplierUpdated], *, commit: bool = True, notify: bool = True) -> None:
    engine = make_engine(url)
    uow = SqlUnitOfWork(make_session_factory(engine), "test")
    async with uow:
        if not notify:  # the outbox's trigger does not fire: no relay hears of these rows
            await uow.session.execute(text("SET LOCAL session_replication_role = replica"))
        for event in events:
            uow.outbox.add(event, tenant_id=event.tenant_id)
        if commit:
            await uow.commit()
        else:
            await uow.outbox.flush()  # written, then the transaction rolls back
    await engine.dispose()


async def unsent_count(url: str) -> int:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text("SELECT count(*) FROM outbox WHERE sent_at IS NULL"))).scalar_one())
    finally:
        await engine.dispose()


class HeldProducer:
    """The real producer, whose first ``send`` waits until the test lets it go."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer
        self.holding = asyncio.Event()
        self.release = asyncio.Event()

    async def send(self, *args: Any, **kwargs: Any) -> Any:
        if not self.release.is_set():
            self.holding.set()
            await self.release.wait()
        return await self._producer.send(*args, **kwargs)


@dataclass
class Relays:
    """Relays of one database running, each with its own producer."""

    relays: list[OutboxRelay]
    tasks: list[asyncio.Task[None]]
    producers: list[AIOKafkaProducer]
    held: list[HeldProducer]

    @classmethod
    async def start(cls, url: str, broker: str, count: int, *, held: bool = False, **options: Any) -> Relays:
        """By default with no poll within a test's deadline: only a commit's NOTIFY (or a lost
        connection) wakes them. ``held``: each relay's producer holds its first send."""
        options.setdefault("poll_interval_s", 3600)
        settings = ServiceSettings(kafka_bootstrap_servers=broker, kafka_enable_idempotence=False, database_url=url)
        producers = [make_producer(settings) for _ in range(count)]
        for producer in producers:
            await producer.start()
        holders = [HeldProducer(producer) for producer in producers] if held else []
        sending = [cast(AIOKafkaProducer, holder) for holder in holders] or producers
        options.setdefault("topic_prefix", settings.kafka_topic_prefix)
        relays = [OutboxRelay(producer, database_url=url, **options) for producer in sending]
        return cls(relays, [asyncio.create_task(relay.run()) for relay in relays], producers, holders)

    async def halt(self, index: int) -> None:
        """Stop one relay's task; its session stays open until ``stop``."""
        self.tasks[index].cancel()
        await asyncio.gather(self.tasks[index], return_exceptions=True)

    async def stop(self) -> None:
        for index in range(len(self.relays)):
            await self.halt(index)
        for relay, producer in zip(self.relays, self.producers, strict=True):
            await relay.close()
            await producer.stop()


async def test_rows_written_while_no_relay_runs_are_published_in_order_once_two_relays_start(
    servers: Servers, broker: str
) -> None:
    url = await outbox_database(servers)
    supplier_id = uuid.uuid4()
    await write_events(url, [revision_event(supplier_id, r) for r in range(1, 41)])
    await write_events(url, [revision_event(uuid.uuid4(), 999)], commit=False)  # rolled back: never published

    relays = await Relays.start(url, broker, 2, batch_size=7, poll_interval_s=0.2)
    try:
        records = await read_topic(broker, TOPIC, 40)
        await write_events(url, [revision_event(supplier_id, 41)])  # woken by NOTIFY on commit
        records = await read_topic(broker, TOPIC, 41)

        async def all_sent() -> bool:
            return await unsent_count(url) == 0

        await poll_until(all_sent, what="every row marked sent")
    finally:
        await relays.stop()

    assert revisions_of(records) == list(range(1, 42)), "one supplier's events arrive once each, in order"
    assert sum(relay.published for relay in relays.relays) == 41
    assert {r.key for r in records} == {str(supplier_id).encode()}
    assert dict(records[0].headers)["type"] == b"SupplierUpdated"


async def test_a_row_committed_while_a_batch_is_published_follows_it_without_waiting_for_the_poll(
    servers: Servers, broker: str
) -> None:
    url = await outbox_database(servers)
    supplier_id = uuid.uuid4()
    # No poll within the test's deadline: only the commit's NOTIFY can bring the second row.
    relays = await Relays.start(url, broker, 1, held=True)
    [held] = relays.held
    try:
        await write_events(url, [revision_event(supplier_id, 1)])
        await asyncio.wait_for(held.holding.wait(), timeout=20)
        await write_events(url, [revision_event(supplier_id, 2)])  # notified while the first is out
        held.release.set()
        records = await read_topic(broker, TOPIC, 2, timeout_s=10)
    finally:
        await relays.stop()
    assert revisions_of(records) == [1, 2]


async def test_events_queued_before_a_rollback_are_not_written_by_the_commit_after_it(servers: Servers) -> None:
    url = await outbox_database(servers)
    engine = make_engine(url)
    try:
        supplier_id = uuid.uuid4()
        async with SqlUnitOfWork(make_session_factory(engine), "test") as uow:
            undone = revision_event(supplier_id, 1)
            uow.outbox.add(undone, tenant_id=undone.tenant_id)
            await uow.rollback()
            kept = revision_event(supplier_id, 2)
            uow.outbox.add(kept, tenant_id=kept.tenant_id)
            await uow.commit()
        async with engine.connect() as conn:
            values = (await conn.execute(text("SELECT value FROM outbox"))).scalars().all()
        assert [json.loads(value)["data"]["revision"] for value in values] == [2]
    finally:
        await engine.dispose()


async def test_a_standing_relay_takes_over_as_soon_as_the_publishing_one_stops(servers: Servers, broker: str) -> None:
    url = await outbox_database(servers)
    supplier_id = uuid.uuid4()
    relays = await Relays.start(url, broker, 2)
    try:
        await write_events(url, [revision_event(supplier_id, 1)])
        await poll_until(lambda: sum(r.published for r in relays.relays) == 1, what="the first row marked sent")
        leaders = [relay for relay in relays.relays if relay.leading]
        assert len(leaders) == 1, "one relay publishes, the other stands by"
        gone = relays.relays.index(leaders[0])
        await relays.halt(gone)
        await relays.relays[gone].close()  # as when its process ends: the session, and the lock, end

        await write_events(url, [revision_event(supplier_id, 2)])
        records = await read_topic(broker, TOPIC, 2, timeout_s=10)
        assert relays.relays[1 - gone].leading
    finally:
        await relays.stop()
    assert revisions_of(records) == [1, 2]


async def test_a_relay_whose_connection_the_server_ends_reconnects_and_publishes_without_waiting_for_the_poll(
    servers: Servers, broker: str
) -> None:
    url = await outbox_database(servers)
    supplier_id = uuid.uuid4()
    relays = await Relays.start(url, broker, 1)
    engine = make_engine(url)
    try:
        await write_events(url, [revision_event(supplier_id, 1)])
        # Marked sent, not only published: a session ended in between leaves the row unsent, and
        # it is published again (at least once), which is not what this test is about.
        await poll_until(lambda: relays.relays[0].published == 1, what="the first row marked sent")
        async with engine.begin() as conn:
            ended = await conn.execute(
                text(f"SELECT pg_terminate_backend(pid) {RELAY_LOCKS} AND pid <> pg_backend_pid()")
            )
            assert ended.scalars().all() == [True], "the relay's session held the lock"

        async def leading_again() -> bool:
            async with engine.connect() as conn:
                held = (await conn.execute(text(f"SELECT count(*) {RELAY_LOCKS}"))).scalar()
                return held == 1 and relays.relays[0].leading

        await poll_until(leading_again, timeout_s=10, what="the relay back on a new session, holding the lock")
        await write_events(url, [revision_event(supplier_id, 2)])
        records = await read_topic(broker, TOPIC, 2, timeout_s=10)
    finally:
        await relays.stop()
        await engine.dispose()
    assert revisions_of(records) == [1, 2]


async def test_the_relays_session_asks_the_server_to_notice_a_vanished_client(servers: Servers, broker: str) -> None:
    """Without keepalives, a relay whose host vanished would keep the lock for the system's TCP
    timeout (hours), and no other instance would publish meanwhile."""
    url = await outbox_database(servers)
    relays = await Relays.start(url, broker, 1)
    try:
        await write_events(url, [revision_event(uuid.uuid4(), 1)])
        await read_topic(broker, TOPIC, 1)
        await relays.halt(0)  # the test asks its session alone
        connection = relays.relays[0]._connection
        assert connection is not None
        settings = {name: await connection.fetchval(f"SHOW {name}") for name in KEEPALIVES}
    finally:
        await relays.stop()
    assert settings == {"tcp_keepalives_idle": "10", "tcp_keepalives_interval": "5", "tcp_keepalives_count": "3"}


async def test_a_relay_asked_to_stop_finishes_the_batch_in_flight_and_marks_it_sent(
    servers: Servers, broker: str
) -> None:
    url = await outbox_database(servers)
    relays = await Relays.start(url, broker, 1, held=True)
    [held], [relay], [task] = relays.held, relays.relays, relays.tasks
    try:
        await write_events(url, [revision_event(uuid.uuid4(), 1)])
        await asyncio.wait_for(held.holding.wait(), timeout=20)
        stopping = asyncio.create_task(relay.stop())
        await asyncio.sleep(0)  # the stop is asked while the row is out
        held.release.set()
        await asyncio.wait_for(stopping, timeout=10)
        assert task.done() and not task.cancelled(), "the relay ended on its own"
    finally:
        await relays.stop()
    assert relay.published == 1
    assert await unsent_count(url) == 0, "published and marked sent: nothing goes out twice after a restart"
    assert revisions_of(await read_topic(broker, TOPIC, 1)) == [1]


async def test_a_relay_asked_to_stop_first_publishes_what_was_committed_before(servers: Servers, broker: str) -> None:
    url = await outbox_database(servers)
    supplier_id = uuid.uuid4()
    relays = await Relays.start(url, broker, 1)
    try:
        await write_events(url, [revision_event(supplier_id, 1)])
        await poll_until(lambda: relays.relays[0].published == 1, what="the first row published")
        await write_events(url, [revision_event(supplier_id, 2)], notify=False)  # no NOTIFY, no poll in time
        await relays.relays[0].stop()
        assert relays.tasks[0].done()
    finally:
        await relays.stop()
    assert relays.relays[0].published == 2
    assert await unsent_count(url) == 0
    assert revisions_of(await read_topic(broker, TOPIC, 2)) == [1, 2]


async def outbox_scans(connection: asyncpg.Connection) -> tuple[int, int]:
    """The sequential scans of the outbox and the rows they read, as the server counts them, with
    ``connection``'s own pending counts included."""
    await connection.execute("SELECT pg_stat_force_next_flush()")  # flushed once the session is idle
    row = await connection.fetchrow("SELECT seq_scan, seq_tup_read FROM pg_stat_user_tables WHERE relname = 'outbox'")
    assert row is not None
    return int(row["seq_scan"]), int(row["seq_tup_read"])


async def test_a_relay_started_on_an_empty_outbox_still_marks_its_rows_by_key_once_the_outbox_has_grown(
    servers: Servers, broker: str
) -> None:
    """A statement run a few times on a small table may be given a plan that reads the whole table;
    kept for the session, it would read the whole outbox (sent rows are kept for the retention) at
    every batch the relay marks."""
    url = await outbox_database(servers)
    supplier_id = uuid.uuid4()
    settings = ServiceSettings(kafka_bootstrap_servers=broker, kafka_enable_idempotence=False, database_url=url)
    producer = make_producer(settings)
    await producer.start()
    relay = OutboxRelay(producer, database_url=url, topic_prefix=settings.kafka_topic_prefix)
    try:
        for revision in range(1, 9):  # batches of one row while the outbox is a page or two
            await write_events(url, [revision_event(supplier_id, revision)])
            assert await relay.publish_pending() == 1
        grown = await asyncpg.connect(plain_database_url(url))
        try:  # rows sent long ago, as large as the portal's events (not compressible)
            await grown.executemany(
                "INSERT INTO outbox (event_id, event_type, topic, key, value, headers, created_at, sent_at)"
                " VALUES ($1, 'SupplierUpdated', $2, 'k', $3, '{}', now(), now())",
                [(uuid.uuid4(), TOPIC, os.urandom(2000)) for _ in range(600)],
            )
        finally:
            await grown.close()
        await write_events(url, [revision_event(supplier_id, 9)])
        session = relay._connection  # the relay's own session, between two of its batches
        assert session is not None
        before = await outbox_scans(session)
        assert await relay.publish_pending() == 1
        after = await outbox_scans(session)
    finally:
        await relay.close()
        await producer.stop()
    assert revisions_of(await read_topic(broker, TOPIC, 9)) == list(range(1, 10))
    assert after == before, "the batch was read and marked through the outbox's indexes"
