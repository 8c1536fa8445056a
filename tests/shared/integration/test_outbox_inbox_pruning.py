"""Pruning the outbox and the inbox by retention on real PostgreSQL (and a real broker where a
relay or a consumer takes part): old sent rows and old inbox entries go, batch by batch; recent
ones, unsent ones and the ones the relay is publishing stay; a row another transaction holds is
skipped, never waited for; an event delivered again within the inbox's retention is still skipped;
the service's counter counts what was deleted."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import pytest
from sqlalchemy import BigInteger, Column, Identity, Table, Text, insert
from sqlalchemy.dialects import postgresql

from portal_dev.testing import Servers, create_tables, poll_until, read_topic, running
from shared.consumer_groups import consumer_group
from shared.contracts import Envelope
from shared.contracts.suppliers import SUPPLIERS_TOPIC, SupplierUpdated
from shared.db import SqlUnitOfWork, make_engine, new_metadata
from shared.inbox import inbox_table
from shared.metrics import ServiceMetrics, parse_samples, sample_value
from shared.outbox import outbox_table
from shared.pruning import PRUNE_INBOX, PRUNE_OUTBOX, Pruned, Pruner
from shared.runtime import ServiceRuntime
from shared.settings import DAY_S, ServiceSettings, plain_database_url
from tests.shared.integration.test_consumer_batches import envelope_named, publish
from tests.shared.integration.test_outbox_relay import TOPIC, Relays, revision_event, unsent_count, write_events

GROUP = "pruning.suppliers"
OUTBOX_RETENTION_S = 14 * DAY_S
INBOX_RETENTION_S = 45 * DAY_S

metadata = new_metadata()
effects = Table(
    "effects",
    metadata,
    Column("seq", BigInteger, Identity(), primary_key=True),
    Column("name", Text, nullable=False),
)
outbox_table(metadata)
inbox_table(metadata)


async def new_database(servers: Servers) -> str:
    url = await servers.create_database("pruning")
    await create_tables(url, metadata)
    return url


async def execute(url: str, statement: str, *args: Any) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(plain_database_url(url))
    try:
        return list(await connection.fetch(statement, *args))
    finally:
        await connection.close()


async def outbox_rows(url: str, count: int, *, sent_days_ago: float | None, created_days_ago: float = 0) -> None:
    """``count`` rows in the outbox, sent that many days ago (None: not sent), no relay told."""
    supplier_id = uuid.uuid4()
    await write_events(url, [revision_event(supplier_id, r) for r in range(count)], notify=False)
    await execute(
        url,
        "UPDATE outbox SET created_at = now() - $1::float8 * interval '1 day',"
        " sent_at = now() - $2::float8 * interval '1 day'"  # NULL when not sent
        " WHERE created_at > now() - interval '1 minute'",
        created_days_ago if sent_days_ago is None else max(created_days_ago, sent_days_ago),
        sent_days_ago,
    )


async def inbox_entries(url: str, count: int, *, days_ago: float, consumer: str = GROUP) -> list[uuid.UUID]:
    event_ids = [uuid.uuid4() for _ in range(count)]
    await execute(
        url,
        "INSERT INTO inbox (consumer, event_id, received_at)"
        " SELECT $1, id, now() - $3::float8 * interval '1 day' FROM unnest($2::uuid[]) AS id",
        consumer,
        event_ids,
        days_ago,
    )
    return event_ids


async def outbox_ages(url: str) -> list[tuple[int | None, int]]:
    """(days since sent, or None; days since created) of every row left, oldest id first."""
    rows = await execute(
        url,
        "SELECT extract(day FROM now() - sent_at)::int AS sent, extract(day FROM now() - created_at)::int AS created"
        " FROM outbox ORDER BY id",
    )
    return [(row["sent"], row["created"]) for row in rows]


def pruned_total(metrics: ServiceMetrics, table: str) -> float | None:
    return sample_value(parse_samples(metrics.exposition().decode()), "portal_pruned_rows_total", table=table)


async def prune(url: str, metrics: ServiceMetrics | None = None, *, batch_size: int = 10) -> Pruned:
    engine = make_engine(url)
    try:
        pruner = Pruner(
            engine,
            outbox_retention_s=OUTBOX_RETENTION_S,
            inbox_retention_s=INBOX_RETENTION_S,
            batch_size=batch_size,
            pruned_rows=metrics.pruned_rows if metrics else None,
        )
        return await asyncio.wait_for(pruner.prune(), timeout=10)
    finally:
        await engine.dispose()


async def test_sent_outbox_rows_past_the_retention_go_in_batches_and_recent_or_unsent_rows_stay(
    servers: Servers,
) -> None:
    url = await new_database(servers)
    await outbox_rows(url, 25, sent_days_ago=20)
    await outbox_rows(url, 5, sent_days_ago=10)  # within the retention: a republish may need them
    await outbox_rows(url, 3, sent_days_ago=None, created_days_ago=60)  # never sent: never deleted
    metrics = ServiceMetrics()

    pruned = await prune(url, metrics)

    assert pruned.outbox == [10, 10, 5], "at most a batch per statement, until a batch is short"
    assert await outbox_ages(url) == [(10, 10)] * 5 + [(None, 60)] * 3
    assert pruned_total(metrics, "outbox") == 25
    assert pruned_total(metrics, "inbox") == 0

    again = await prune(url, metrics)
    assert (again.outbox, again.inbox) == ([0], [0])
    assert pruned_total(metrics, "outbox") == 25


async def test_inbox_entries_past_the_retention_go_in_batches_and_recent_ones_stay(servers: Servers) -> None:
    url = await new_database(servers)
    await inbox_entries(url, 23, days_ago=50)
    await inbox_entries(url, 7, days_ago=50, consumer="pruning.other")
    kept = await inbox_entries(url, 4, days_ago=40)
    metrics = ServiceMetrics()

    pruned = await prune(url, metrics)

    assert pruned.inbox == [10, 10, 10, 0]
    rows = await execute(url, "SELECT event_id FROM inbox")
    assert sorted(row["event_id"] for row in rows) == sorted(kept)
    assert pruned_total(metrics, "inbox") == 30


async def test_the_statements_read_sent_rows_and_entries_by_their_time_index(servers: Servers) -> None:
    url = await new_database(servers)
    connection = await asyncpg.connect(plain_database_url(url))

    async def plan(statement: str) -> str:
        return "\n".join(row[0] for row in await connection.fetch("EXPLAIN " + statement, 1.0, 10))

    try:
        await connection.execute("SET enable_seqscan = off")  # an empty table would be read whole anyway
        outbox_plan = await plan(str(PRUNE_OUTBOX.compile(dialect=postgresql.asyncpg.dialect())))
        inbox_plan = await plan(str(PRUNE_INBOX.compile(dialect=postgresql.asyncpg.dialect())))
    finally:
        await connection.close()
    assert "ix_outbox_sent_at" in outbox_plan
    assert "ix_inbox_received_at" in inbox_plan


async def test_a_row_another_transaction_holds_is_skipped_not_waited_for_and_a_cleared_mark_keeps_it(
    servers: Servers,
) -> None:
    url = await new_database(servers)
    await outbox_rows(url, 3, sent_days_ago=20)
    [held] = await execute(url, "SELECT id FROM outbox ORDER BY id LIMIT 1")
    holder = await asyncpg.connect(plain_database_url(url))
    try:
        # As ``portal outbox republish --since`` does to a row it publishes again.
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute("UPDATE outbox SET sent_at = NULL WHERE id = $1", held["id"])

        pruned = await prune(url)  # within its deadline: nothing waits for the holder

        assert pruned.outbox == [2]
        assert [row["id"] for row in await execute(url, "SELECT id FROM outbox")] == [held["id"]]
        await transaction.commit()
    finally:
        await holder.close()

    assert (await prune(url)).outbox == [0], "unsent again: kept until it is sent and ages"
    assert await unsent_count(url) == 1


async def test_rows_the_relay_is_publishing_stay_however_old_and_once_marked_sent_they_are_recent(
    servers: Servers, broker: str
) -> None:
    url = await new_database(servers)
    await outbox_rows(url, 4, sent_days_ago=None, created_days_ago=30)  # the broker was away a month
    relays = await Relays.start(url, broker, 1, held=True, poll_interval_s=0.2)
    [held] = relays.held
    try:
        await asyncio.wait_for(held.holding.wait(), timeout=20)  # read, not yet acknowledged nor marked

        assert (await prune(url)).outbox == [0]

        held.release.set()
        await read_topic(broker, TOPIC, 4)

        async def all_marked_sent() -> bool:
            return await unsent_count(url) == 0

        await poll_until(all_marked_sent, what="the four rows marked sent")
    finally:
        await relays.stop()

    assert (await prune(url)).outbox == [0], "sent just now, on the database's clock"
    assert await outbox_ages(url) == [(0, 30)] * 4


class Service:
    """A runtime pruning every 0.2 s whose one consumer group writes each event's name."""

    def __init__(self, url: str, bootstrap: str) -> None:
        settings = ServiceSettings(
            service_name="pruning",
            database_url=url,
            kafka_bootstrap_servers=bootstrap,
            kafka_enable_idempotence=False,
            kafka_fetch_max_wait_ms=20,
            prune_interval_s=0.2,
            log_format="console",
        )
        self.runtime = ServiceRuntime(settings, title="pruning", consumers=self._consumers)

    def _consumers(self, runtime: ServiceRuntime) -> list[Any]:
        async def record(uow: SqlUnitOfWork, payload: SupplierUpdated) -> None:
            await uow.session.execute(insert(effects).values(name=payload.name))

        return [consumer_group(runtime, SUPPLIERS_TOPIC, GROUP, SqlUnitOfWork, {SupplierUpdated: record})]

    async def effects(self) -> list[str]:
        rows = await execute(self.runtime.settings.database_url, "SELECT name FROM effects ORDER BY seq")
        return [row["name"] for row in rows]

    def pruned(self, table: str) -> float | None:
        return pruned_total(self.runtime.metrics, table)


async def test_an_event_delivered_again_within_the_inbox_retention_is_skipped_after_the_service_pruned(
    servers: Servers, broker: str, capfd: pytest.CaptureFixture[str]
) -> None:
    url = await new_database(servers)
    service = Service(url, broker)
    supplier_id = uuid.uuid4()
    recent, old = envelope_named("recent", supplier_id), envelope_named("old", supplier_id)

    async def send(*envelopes: Envelope) -> None:
        await publish(broker, [envelope.model_dump_json().encode() for envelope in envelopes], supplier_id.bytes)

    async with running(service.runtime):
        await send(recent, old)
        await poll_until(lambda: service.runtime.consumers[0].handled == 2, timeout_s=60, what="both handled")
        # Handled 40 and 50 days ago: within the 45 days of the inbox, and past them.
        await execute(url, "UPDATE inbox SET received_at = now() - interval '40 days' WHERE event_id = $1", recent.id)
        await execute(url, "UPDATE inbox SET received_at = now() - interval '50 days' WHERE event_id = $1", old.id)

        await poll_until(lambda: service.pruned("inbox") == 1, what="the service's pruning deleted the old entry")
        assert [row["event_id"] for row in await execute(url, "SELECT event_id FROM inbox")] == [recent.id]

        await send(recent, old)  # the broker delivers both again
        await poll_until(lambda: service.runtime.consumers[0].handled == 4, timeout_s=30, what="both delivered again")

        assert await service.effects() == ["recent", "old", "old"], (
            "the entry within the retention still recognises its event; the one past it does not"
        )
    assert "outbox and inbox pruned" in capfd.readouterr().err
