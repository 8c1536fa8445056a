"""``GET /metrics`` of a tiny service on ``ServiceRuntime`` with real PostgreSQL and broker: the
outbox backlog while nothing publishes and after the relay drains it, handler latency by outcome,
the DLQ count after a poison message, consumer lag while a handler is held, request latency."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from portal_dev.testing import Servers, on_cluster, poll_until, read_topic, running
from shared.contracts import Envelope, dlq_topic
from shared.contracts.suppliers import SUPPLIERS_TOPIC, SupplierSnapshot
from shared.messaging import EventConsumer
from shared.metrics import Samples, parse_samples
from shared.metrics import sample_value as value
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings
from tests.shared.integration.test_outbox_relay import outbox_database, revision_event, write_events

GROUP = "metrics.suppliers"


async def scrape(http: httpx.AsyncClient) -> Samples:
    answer = await http.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return parse_samples(answer.text)


def deliveries(samples: Samples, outcome: str) -> float | None:
    return value(samples, "portal_handler_duration_seconds_count", topic=SUPPLIERS_TOPIC, group=GROUP, outcome=outcome)


class Handler:
    """Records the revisions it handles; a supplier named "hold" waits until released."""

    def __init__(self) -> None:
        self.revisions: list[int] = []
        self.holding = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self, envelope: Envelope, payload: SupplierSnapshot) -> None:
        if payload.name == "hold":
            self.holding.set()
            await self.release.wait()
        self.revisions.append(payload.revision)


def tiny_service(url: str, broker: str, servers: Servers, handler: Handler) -> ServiceRuntime:
    settings = ServiceSettings(
        service_name="metrics",
        database_url=url,
        kafka_bootstrap_servers=broker,
        kafka_enable_idempotence=not servers.embedded_broker,
        kafka_fetch_max_wait_ms=20,
        outbox_poll_interval_s=0.2,
        log_format="console",
    )

    def consumers(runtime: ServiceRuntime) -> list[EventConsumer]:
        return [
            EventConsumer(
                topic=SUPPLIERS_TOPIC,
                group=GROUP,
                handlers={SupplierSnapshot: handler},
                settings=runtime.settings,
                dead_letters=runtime.kafka_producer,
            )
        ]

    return ServiceRuntime(settings, title="metrics", consumers=consumers)


def held_event(supplier_id: uuid.UUID, revision: int) -> Any:
    return revision_event(supplier_id, revision).model_copy(update={"name": "hold"})


async def test_metrics_follow_the_outbox_the_handlers_the_lag_and_the_requests(servers: Servers, broker: str) -> None:
    url = await outbox_database(servers)
    supplier = uuid.uuid4()  # one key: one partition, in order
    await write_events(url, [revision_event(supplier, r) for r in (1, 2, 3)])
    handler = Handler()
    runtime = tiny_service(url, broker, servers, handler)

    # Not started yet: nothing publishes, the rows wait in the outbox.
    transport = httpx.ASGITransport(app=runtime.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as idle:
        before = await scrape(idle)
    assert value(before, "portal_outbox_backlog") == 3
    assert (value(before, "portal_outbox_oldest_age_seconds") or 0) > 0
    assert value(before, "portal_consumer_lag", topic=SUPPLIERS_TOPIC, group=GROUP) == 0

    async with running(runtime) as http:

        async def drained() -> Samples | None:
            samples = await scrape(http)
            done = value(samples, "portal_outbox_backlog") == 0 and deliveries(samples, "ok") == 3
            return samples if done else None

        after = await poll_until(drained, what="the outbox drained and its three events handled")
        assert value(after, "portal_outbox_oldest_age_seconds") == 0
        assert handler.revisions == [1, 2, 3]

        async def backlog_is(expected: int) -> bool:
            return value(await scrape(http), "portal_outbox_backlog") == expected

        async def lag_is(expected: int) -> bool:
            samples = await scrape(http)
            return value(samples, "portal_consumer_lag", topic=SUPPLIERS_TOPIC, group=GROUP) == expected

        # A held handler: the four events written after it wait on the partition, and that is the lag.
        await write_events(url, [held_event(supplier, 4)])
        await poll_until(handler.holding.is_set, what="the handler holding revision 4")
        for revision in (5, 6, 7, 8):
            # One at a time, each its own record batch: the embedded broker's log end offset
            # counts a batch of several records as one.
            await write_events(url, [revision_event(supplier, revision)])
            await poll_until(lambda: backlog_is(0), what=f"revision {revision} published")

        await poll_until(lambda: lag_is(4), what="a lag of four behind the held handler")
        handler.release.set()
        await poll_until(lambda: lag_is(0), what="no lag once the handler goes on")

        # Poison: dead-lettered once, counted once.
        await runtime.kafka_producer().send_and_wait(
            on_cluster(SUPPLIERS_TOPIC), value=b"not an envelope", key=str(supplier).encode()
        )

        async def poison_dead_lettered() -> Samples | None:
            samples = await scrape(http)
            return samples if deliveries(samples, "dead_lettered") == 1 else None

        final = await poll_until(poison_dead_lettered, what="the poison message dead-lettered")
        assert await read_topic(broker, dlq_topic(SUPPLIERS_TOPIC), 1)
        assert value(final, "portal_dlq_messages_total", topic=SUPPLIERS_TOPIC) == 1
        assert deliveries(final, "ok") == 8
        assert deliveries(final, "retry") == 0
        assert handler.revisions == [1, 2, 3, 4, 5, 6, 7, 8]

        for _ in range(2):
            assert (await http.get("/health/live")).status_code == 200
        assert (await http.get(f"/no/such/{uuid.uuid4()}")).status_code == 404
        requests = await scrape(http)
    name = "portal_http_request_duration_seconds_count"
    assert value(requests, name, method="GET", route="/health/live", status="200") == 2
    assert value(requests, name, method="GET", route="unmatched", status="404") == 1
    routes = {dict(labels).get("route") for (n, labels) in requests if n == name}
    assert routes == {"/metrics", "/health/live", "unmatched"}, "the raw paths never become labels"
