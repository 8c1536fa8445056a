"""The outbox relay and a broker that restarted empty, on real PostgreSQL and a real embedded
broker: it publishes again what it had sent within the window, and nothing older."""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg

from portal_dev.broker import EmbeddedBroker
from portal_dev.ports import free_port
from portal_dev.testing import Servers, create_tables, poll_until, read_topic
from shared.db import new_metadata
from shared.kafka import PLAINTEXT, ensure_topics, make_producer
from shared.metrics import ServiceMetrics, parse_samples, sample_value
from shared.outbox import outbox_table, relay_state_table
from shared.relay import OutboxRelay, ask_cluster_id
from shared.settings import ServiceSettings, plain_database_url
from tests.shared.integration.test_outbox_relay import TOPIC, revision_event, revisions_of, write_events

WINDOW_S = 3600.0


async def relay_database(servers: Servers, *, relay_state: bool = True) -> str:
    url = await servers.create_database("republish")
    metadata = new_metadata()
    outbox_table(metadata)
    if relay_state:
        relay_state_table(metadata)
    await create_tables(url, metadata)
    return url


async def query(url: str, statement: str, *args: Any) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(plain_database_url(url))
    try:
        return list(await connection.fetch(statement, *args))
    finally:
        await connection.close()


async def stored_cluster_ids(url: str) -> list[str]:
    return [row["cluster_id"] for row in await query(url, "SELECT cluster_id FROM relay_state")]


async def unsent_count(url: str) -> int:
    [row] = await query(url, "SELECT count(*) AS unsent FROM outbox WHERE sent_at IS NULL")
    return int(row["unsent"])


def republished_total(metrics: ServiceMetrics) -> float | None:
    return sample_value(parse_samples(metrics.exposition().decode()), "portal_outbox_republished_total")


def kill(broker: EmbeddedBroker) -> None:
    """SIGKILL, as a crash: the broker has no time to say goodbye to its clients."""
    assert broker.process is not None
    broker.process.kill()
    broker.process.wait()


@asynccontextmanager
async def relay_running(url: str, bootstrap: str, metrics: ServiceMetrics) -> AsyncIterator[OutboxRelay]:
    """A relay as the runtime wires it (cluster id asked, counted), checking every 0.2 s."""
    settings = ServiceSettings(kafka_bootstrap_servers=bootstrap, kafka_enable_idempotence=False, database_url=url)
    producer = make_producer(settings)
    await producer.start()
    relay = OutboxRelay(
        producer,
        database_url=url,
        poll_interval_s=0.2,
        ask_cluster_id=functools.partial(ask_cluster_id, producer),
        broker_check_interval_s=0.2,
        republish_window_s=WINDOW_S,
        on_republished=metrics.outbox_republished.inc,
        topic_prefix=settings.kafka_topic_prefix,
    )
    task = asyncio.create_task(relay.run())
    try:
        yield relay
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await relay.close()
        await producer.stop()


async def test_a_relay_that_finds_a_fresh_broker_publishes_the_window_again_and_nothing_older(
    servers: Servers, tmp_path: Path
) -> None:
    url = await relay_database(servers)
    supplier_id = uuid.uuid4()
    # Sent two hours ago, to a broker long gone: outside the window, never published again.
    await write_events(url, [revision_event(supplier_id, r) for r in (101, 102)], notify=False)
    await query(url, "UPDATE outbox SET sent_at = now() - interval '2 hours'")
    broker = EmbeddedBroker(free_port(), tmp_path / "first.log")
    broker.start()
    metrics = ServiceMetrics()
    try:
        await ensure_topics(broker.bootstrap_servers, security=PLAINTEXT)
        async with relay_running(url, broker.bootstrap_servers, metrics) as relay:
            await write_events(url, [revision_event(supplier_id, r) for r in range(1, 6)])
            await poll_until(lambda: relay.published == 5, what="the five events published")
            assert await stored_cluster_ids(url) == [broker.cluster_id], "the first broker seen is recorded"
            assert revisions_of(await read_topic(broker.bootstrap_servers, TOPIC, 5)) == [1, 2, 3, 4, 5]

            kill(broker)  # everything it acknowledged is gone
            broker = EmbeddedBroker(broker.port, tmp_path / "second.log")
            broker.start()
            await ensure_topics(broker.bootstrap_servers, security=PLAINTEXT)

            async def fresh_broker_recorded() -> bool:
                return await stored_cluster_ids(url) == [broker.cluster_id]

            await poll_until(fresh_broker_recorded, timeout_s=15, what="the fresh broker's cluster id recorded")
            await write_events(url, [revision_event(supplier_id, 6)])
            records = await read_topic(broker.bootstrap_servers, TOPIC, 6)

            async def all_sent() -> bool:
                return await unsent_count(url) == 0

            await poll_until(all_sent, what="every row marked sent again")
    finally:
        broker.stop()

    assert revisions_of(records) == [1, 2, 3, 4, 5, 6], "the window again in order, then the new event; not 101, 102"
    assert republished_total(metrics) == 5
    old = await query(url, "SELECT sent_at < now() - interval '1 hour' AS old FROM outbox WHERE id <= 2")
    assert [row["old"] for row in old] == [True, True], "the rows outside the window keep their first sending"


async def test_a_relay_that_sees_a_broker_for_the_first_time_records_it_and_publishes_nothing_again(
    servers: Servers, broker: str
) -> None:
    url = await relay_database(servers)
    await write_events(url, [revision_event(uuid.uuid4(), r) for r in (1, 2, 3)], notify=False)
    await query(url, "UPDATE outbox SET sent_at = now() - interval '1 minute'")
    sent_before = await query(url, "SELECT id, sent_at FROM outbox ORDER BY id")
    metrics = ServiceMetrics()
    async with relay_running(url, broker, metrics) as relay:

        async def recorded() -> list[str]:
            return await stored_cluster_ids(url)

        await poll_until(recorded, what="the broker's cluster id recorded")

    assert await query(url, "SELECT id, sent_at FROM outbox ORDER BY id") == sent_before, "none marked unsent"
    assert relay.published == 0
    assert republished_total(metrics) == 0


async def test_a_relay_whose_database_has_no_relay_state_table_publishes_as_before(
    servers: Servers, broker: str
) -> None:
    url = await relay_database(servers, relay_state=False)
    supplier_id = uuid.uuid4()  # one key: one partition, in order
    async with relay_running(url, broker, ServiceMetrics()) as relay:
        await write_events(url, [revision_event(supplier_id, r) for r in (1, 2)])
        await poll_until(lambda: relay.published == 2, what="both events published")
    assert revisions_of(await read_topic(broker, TOPIC, 2)) == [1, 2]
