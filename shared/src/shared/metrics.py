"""Prometheus metrics of a service, served at ``GET /metrics`` to internal callers only
(``shared.internal_access``: Prometheus scraping the pod; anyone else gets 404).

Every runtime has its own registry (tests build several runtimes in one process). Counters and
histograms are updated where things happen (the HTTP middleware, the event consumers, the email
sender); the outbox, consumer-lag and stall (``shared.stalls``) gauges are read when Prometheus
scrapes, each with a short deadline: a database or broker that is away leaves the last values in
place, so a scrape never fails or hangs because of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.asgi import HttpMiddleware
from shared.internal_access import internal_caller, not_found
from shared.networks import Networks
from shared.pruning import PRUNED_TABLES
from shared.stalls import Stall, StallCheck, read_stall

if TYPE_CHECKING:
    from shared.messaging import EventConsumer

log = structlog.get_logger(__name__)

# The label value of requests that matched no route (404s of unknown paths): the raw path would
# give a label value per probe of a scanner.
UNMATCHED_ROUTE = "unmatched"
OUTCOMES = ("ok", "retry", "dead_lettered")

_OUTBOX_STATE = text(
    "SELECT count(*) AS backlog,"
    " coalesce(extract(epoch FROM clock_timestamp() - min(created_at)), 0) AS oldest_age_s"
    " FROM outbox WHERE sent_at IS NULL"
)


class ServiceMetrics:
    """The metrics of one service process, in a registry of its own."""

    def __init__(self, *, scrape_timeout_s: float = 1.0) -> None:
        self.registry = CollectorRegistry()
        self.scrape_timeout_s = scrape_timeout_s
        self.http_request_duration = Histogram(
            "portal_http_request_duration_seconds",
            "HTTP requests by method, route template and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.handler_duration = Histogram(
            "portal_handler_duration_seconds",
            "Deliveries of events to this service's handlers: ok (committed), retry (put back), "
            "dead_lettered (sent to the topic's .dlq).",
            ["topic", "group", "outcome"],
            registry=self.registry,
        )
        self.dlq_messages = Counter(
            "portal_dlq_messages",
            "Messages this service sent to a dead-letter topic, by the topic they came from.",
            ["topic"],
            registry=self.registry,
        )
        self.outbox_backlog = Gauge(
            "portal_outbox_backlog", "Outbox rows not yet published to Kafka.", registry=self.registry
        )
        self.outbox_oldest_age = Gauge(
            "portal_outbox_oldest_age_seconds",
            "Age of the oldest unpublished outbox row (0 when the outbox is empty).",
            registry=self.registry,
        )
        self.outbox_republished = Counter(
            "portal_outbox_republished",
            "Outbox rows this process's relay marked to publish again because the broker was a fresh one "
            "(another cluster id than the one it had published to).",
            registry=self.registry,
        )
        self.pruned_rows = Counter(
            "portal_pruned_rows",
            "Rows this process deleted because they outlived their retention, by table: outbox rows sent longer "
            "ago than OUTBOX_RETENTION_S, inbox entries older than INBOX_RETENTION_S.",
            ["table"],
            registry=self.registry,
        )
        for table in PRUNED_TABLES:
            self.pruned_rows.labels(table)
        self.consumer_lag = Gauge(
            "portal_consumer_lag",
            "Messages on the partitions assigned to this process that its consumer group has not yet "
            "received (log end offset minus position, summed over the partitions).",
            ["topic", "group"],
            registry=self.registry,
        )
        self._emails: tuple[Counter, Counter] | None = None
        # Registered by a service that declares stall checks (``watch_stall``); the last readings
        # by kind, which /health/ready reports too.
        self.stall_checks: list[StallCheck] = []
        self.stalls: dict[str, Stall] = {}
        self._stall_gauges: tuple[Gauge, Gauge, Gauge] | None = None

    def emails(self) -> tuple[Counter, Counter]:
        """``(sent, failed)``: registered by the service that sends email, on first use."""
        if self._emails is None:
            self._emails = (
                Counter("portal_emails_sent", "Emails handed over to the SMTP server.", registry=self.registry),
                Counter(
                    "portal_emails_failed",
                    "Tries to send an email that failed (an email retried three times counts three).",
                    registry=self.registry,
                ),
            )
        return self._emails

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.http_request_duration.labels(method, route, str(status)).observe(seconds)

    def observe_delivery(self, topic: str, group: str, outcome: str, seconds: float) -> None:
        self.handler_duration.labels(topic, group, outcome).observe(seconds)
        if outcome == "dead_lettered":
            self.dlq_messages.labels(topic).inc()

    def watch_consumer(self, topic: str, group: str) -> None:
        """Show a consumer's series (at 0) from the start, before its first event or scrape."""
        self.consumer_lag.labels(topic, group)
        for outcome in OUTCOMES:
            self.handler_duration.labels(topic, group, outcome)
        self.dlq_messages.labels(topic)

    async def refresh(self, engine: AsyncEngine, consumers: Sequence[EventConsumer]) -> None:
        """Read the gauges that live elsewhere; each source gets ``scrape_timeout_s`` and keeps its
        last value when it does not answer in time."""
        await asyncio.gather(
            self._bounded(self.refresh_outbox(engine), "outbox"),
            self.refresh_stalls(engine),
            *(self._bounded(self.refresh_lag(c), f"lag of {c.group}:{c.topic}") for c in consumers),
        )

    async def _bounded(self, refresh: Any, what: str) -> None:
        try:
            async with asyncio.timeout(self.scrape_timeout_s):
                await refresh
        except Exception as exc:  # away or slow: the last values stay
            log.debug("metrics source unavailable; serving the last values", source=what, error=repr(exc))

    async def refresh_outbox(self, engine: AsyncEngine) -> None:
        async with engine.connect() as conn:
            row = (await conn.execute(_OUTBOX_STATE)).one()
        self.outbox_backlog.set(row.backlog)
        self.outbox_oldest_age.set(float(row.oldest_age_s))

    def watch_stall(self, check: StallCheck) -> None:
        """Show a stall check's series from the start: none stalled, its threshold."""
        if any(known.kind == check.kind for known in self.stall_checks):
            raise ValueError(f"two stall checks of kind {check.kind!r}")
        if self._stall_gauges is None:
            self._stall_gauges = (
                Gauge(
                    "portal_stalled_documents",
                    "Documents that have waited longer than their threshold for their next step, by kind.",
                    ["kind"],
                    registry=self.registry,
                ),
                Gauge(
                    "portal_stalled_oldest_age_seconds",
                    "Age of the oldest document waiting for that step (0 when none is), by kind.",
                    ["kind"],
                    registry=self.registry,
                ),
                Gauge(
                    "portal_stalled_threshold_seconds",
                    "How long a document may wait for that step before it counts as stalled, by kind.",
                    ["kind"],
                    registry=self.registry,
                ),
            )
        self.stall_checks.append(check)
        self.record_stall(Stall(check.kind, 0, 0.0, check.threshold_s))

    async def refresh_stalls(self, engine: AsyncEngine) -> None:
        """Read every stall check, each within ``scrape_timeout_s``; one that does not answer keeps its last values."""
        await asyncio.gather(
            *(
                self._bounded(self.refresh_stall(engine, check), f"stall check {check.kind}")
                for check in self.stall_checks
            )
        )

    async def refresh_stall(self, engine: AsyncEngine, check: StallCheck) -> None:
        self.record_stall(await read_stall(engine, check))

    def record_stall(self, stall: Stall) -> None:
        """Keep a check's reading: its gauges and what /health/ready reports."""
        assert self._stall_gauges is not None, "watch_stall registers the gauges"
        count, oldest_age, threshold = self._stall_gauges
        count.labels(stall.kind).set(stall.count)
        oldest_age.labels(stall.kind).set(stall.oldest_age_s)
        threshold.labels(stall.kind).set(stall.threshold_s)
        self.stalls[stall.kind] = stall

    async def refresh_lag(self, consumer: EventConsumer) -> None:
        self.consumer_lag.labels(consumer.topic, consumer.group).set(await consumer_lag(consumer))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


async def consumer_lag(consumer: EventConsumer) -> int:
    """How far the group's member in this process is behind: the log end offset of each assigned
    partition minus the position of the next record to hand to the handler. A process that holds
    no partitions has no lag.

    The log end comes from the broker (ListOffsets: fresh even while a handler is stuck and the
    consumer fetches nothing) or from the last fetch's high watermark, whichever is further: the
    embedded broker answers ListOffsets with the start of the last record batch plus one."""
    kafka = getattr(consumer.subscriber, "consumer", None)  # FastStream's AIOKafkaConsumer, once started
    if kafka is None:
        return 0
    partitions = list(kafka.assignment())
    if not partitions:
        return 0
    ends = await kafka.end_offsets(partitions)
    lag = 0
    for partition in partitions:
        end = max(ends[partition], kafka.highwater(partition) or 0)
        lag += max(0, end - await kafka.position(partition))
    return lag


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse_samples(exposition: str) -> Samples:
    """Every sample of a Prometheus text exposition, keyed by name and labels (for tests and tools)."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def sample_value(samples: Samples, name: str, **labels: str) -> float | None:
    """The value of the sample ``name`` with exactly these labels, or None if there is none."""
    return samples.get((name, frozenset(labels.items())))


def metrics_router(
    metrics: ServiceMetrics,
    internal: Networks,
    engine: AsyncEngine | None = None,
    consumers: Callable[[], Sequence[EventConsumer]] = lambda: (),
) -> APIRouter:
    """``GET /metrics`` for internal callers; the gauges read elsewhere are refreshed first when
    the service has a database (``engine``)."""
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    async def scrape(request: Request) -> Response:
        if not internal_caller(request, internal):
            return not_found(request)
        if engine is not None:
            await metrics.refresh(engine, consumers())
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return router


class RequestMetricsMiddleware(HttpMiddleware):
    """Request latency by route template (``/things/{thing_id}``, never the raw path, so that
    the number of series stays bounded). Pure ASGI: it sees the status of every answer, also
    of one that fails with an exception (counted as 500)."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        super().__init__(app)
        self.metrics = metrics

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or UNMATCHED_ROUTE
            with contextlib.suppress(Exception):  # a metric must never break an answer
                self.metrics.observe_request(scope["method"], template, status, time.perf_counter() - started)
