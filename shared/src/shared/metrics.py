"""Prometheus metrics of a service, served unauthenticated at ``GET /metrics``.

Every runtime has its own registry (tests build several runtimes in one process). Counters and
histograms are updated where things happen (the HTTP middleware, the event consumers, the email
sender); the outbox and consumer-lag gauges are read when Prometheus scrapes, each with a short
deadline: a database or broker that is away leaves the last values in place, so a scrape never
fails or hangs because of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import structlog
from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
        self.consumer_lag = Gauge(
            "portal_consumer_lag",
            "Messages on the partitions assigned to this process that its consumer group has not yet "
            "received (log end offset minus position, summed over the partitions).",
            ["topic", "group"],
            registry=self.registry,
        )
        self._emails: tuple[Counter, Counter] | None = None

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
    metrics: ServiceMetrics, engine: AsyncEngine, consumers: Callable[[], Sequence[EventConsumer]]
) -> APIRouter:
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    async def scrape() -> Response:
        await metrics.refresh(engine, consumers())
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return router


class RequestMetricsMiddleware:
    """Request latency by route template (``/things/{thing_id}``, never the raw path, so that
    the number of series stays bounded). Pure ASGI: it sees the status of every answer, also
    of one that fails with an exception (counted as 500)."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
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
