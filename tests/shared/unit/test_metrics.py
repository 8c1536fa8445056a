"""The metrics of a service: request latency by route template, deliveries by outcome, the DLQ
count, emails, and gauges that keep their last values when their source does not answer."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from faststream.message import AckStatus

from shared.contracts import Envelope
from shared.contracts.identity import ORGANISATIONS_TOPIC, OrganisationSettingsChanged
from shared.db import make_engine
from shared.messaging import EventConsumer
from shared.metrics import (
    UNMATCHED_ROUTE,
    RequestMetricsMiddleware,
    Samples,
    ServiceMetrics,
    parse_samples,
    sample_value,
)
from shared.settings import ServiceSettings

GROUP = "invoicing.organisations"


def samples(metrics: ServiceMetrics) -> Samples:
    """Every sample of the exposition, parsed as Prometheus would."""
    return parse_samples(metrics.exposition().decode())


def value(metrics: ServiceMetrics, name: str, **labels: str) -> float | None:
    return sample_value(samples(metrics), name, **labels)


@pytest.fixture
def app_and_metrics() -> tuple[FastAPI, ServiceMetrics]:
    metrics = ServiceMetrics()
    app = FastAPI()
    app.add_middleware(RequestMetricsMiddleware, metrics=metrics)

    @app.get("/things/{thing_id}")
    async def thing(thing_id: int) -> dict[str, int]:
        return {"id": thing_id}

    @app.post("/broken")
    async def broken() -> None:
        raise RuntimeError("a bug")

    return app, metrics


@pytest.fixture
async def http(app_and_metrics: tuple[FastAPI, ServiceMetrics]) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app_and_metrics[0], raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        yield client


async def test_requests_are_counted_by_route_template_not_by_raw_path(
    app_and_metrics: tuple[FastAPI, ServiceMetrics], http: httpx.AsyncClient
) -> None:
    _, metrics = app_and_metrics
    for thing_id in (1, 2, 3):
        assert (await http.get(f"/things/{thing_id}")).status_code == 200
    assert (await http.get("/things/not-a-number")).status_code == 422
    for probe in ("/wp-admin", "/.env", "/things"):
        assert (await http.get(probe)).status_code == 404
    assert (await http.post("/broken")).status_code == 500

    name = "portal_http_request_duration_seconds_count"
    assert value(metrics, name, method="GET", route="/things/{thing_id}", status="200") == 3
    assert value(metrics, name, method="GET", route="/things/{thing_id}", status="422") == 1
    assert value(metrics, name, method="GET", route=UNMATCHED_ROUTE, status="404") == 3
    assert value(metrics, name, method="POST", route="/broken", status="500") == 1
    routes = {dict(labels)["route"] for (n, labels) in samples(metrics) if n == name}
    assert routes == {"/things/{thing_id}", UNMATCHED_ROUTE, "/broken"}


def test_each_service_metrics_have_a_registry_of_their_own() -> None:
    one, other = ServiceMetrics(), ServiceMetrics()
    one.observe_delivery("t.v1", "g", "dead_lettered", 0.01)
    assert value(one, "portal_dlq_messages_total", topic="t.v1") == 1
    assert value(other, "portal_dlq_messages_total", topic="t.v1") is None


def test_a_dead_lettered_delivery_counts_in_the_dlq_and_the_others_do_not() -> None:
    metrics = ServiceMetrics()
    metrics.watch_consumer("t.v1", "g")
    assert value(metrics, "portal_dlq_messages_total", topic="t.v1") == 0
    assert value(metrics, "portal_consumer_lag", topic="t.v1", group="g") == 0
    for outcome in ("ok", "ok", "retry", "dead_lettered"):
        metrics.observe_delivery("t.v1", "g", outcome, 0.01)
    count = "portal_handler_duration_seconds_count"
    assert [value(metrics, count, topic="t.v1", group="g", outcome=o) for o in ("ok", "retry", "dead_lettered")] == [
        2,
        1,
        1,
    ]
    assert value(metrics, "portal_dlq_messages_total", topic="t.v1") == 1


def test_email_counters_are_registered_once_by_the_service_that_sends_email() -> None:
    metrics = ServiceMetrics()
    assert value(metrics, "portal_emails_sent_total") is None
    sent, failed = metrics.emails()
    assert metrics.emails() == (sent, failed)
    sent.inc(2)
    failed.inc()
    assert (value(metrics, "portal_emails_sent_total"), value(metrics, "portal_emails_failed_total")) == (2, 1)


@pytest.fixture
async def silent_server() -> AsyncIterator[int]:
    """A TCP server that accepts connections and never answers (a frozen database)."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    for writer in held:
        writer.close()
    server.close()


async def test_a_database_that_does_not_answer_leaves_the_last_outbox_values(silent_server: int) -> None:
    metrics = ServiceMetrics(scrape_timeout_s=0.3)
    metrics.outbox_backlog.set(12)
    metrics.outbox_oldest_age.set(4.5)
    engine = make_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{silent_server}/portal")
    try:
        started = time.monotonic()
        await metrics.refresh(engine, [])
        assert time.monotonic() - started < 5, "a scrape waits for the deadline, not for the database"
    finally:
        await engine.dispose()
    assert value(metrics, "portal_outbox_backlog") == 12
    assert value(metrics, "portal_outbox_oldest_age_seconds") == 4.5


class Message:
    """What the consumer uses of FastStream's manually acknowledged Kafka message."""

    def __init__(self) -> None:
        self.raw_message = SimpleNamespace(partition=0, offset=7, key=b"k", headers=[])
        self.committed: AckStatus | None = None

    async def ack(self) -> None:
        self.committed = self.committed or AckStatus.ACKED

    async def nack(self) -> None:
        self.committed = self.committed or AckStatus.NACKED


class DeadLetters:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send_and_wait(self, topic: str, **_: Any) -> None:
        self.sent.append(topic)


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


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    async def no_sleep(_: float) -> None:
        return None

    monkeypatch.setattr("shared.messaging.asyncio.sleep", no_sleep)
    yield


async def test_deliveries_are_timed_by_outcome_and_poison_counts_in_the_dlq(no_backoff: None) -> None:
    failures = iter([RuntimeError("bug"), None])

    async def handler(envelope: Envelope, payload: Any) -> None:
        failure = next(failures, None)
        if failure is not None:
            raise failure

    metrics, dead_letters = ServiceMetrics(), DeadLetters()
    consumer = EventConsumer(
        topic=ORGANISATIONS_TOPIC,
        group=GROUP,
        handlers={OrganisationSettingsChanged: handler},
        settings=ServiceSettings(consumer_max_attempts=2),
        dead_letters=lambda: dead_letters,  # type: ignore[arg-type,return-value]
        metrics=metrics,
    )
    message = event()
    await consumer.consume_observed(message, Message())  # type: ignore[arg-type]  # fails: retry
    await consumer.consume_observed(message, Message())  # type: ignore[arg-type]  # ok
    await consumer.consume_observed(b"not an event", Message())  # type: ignore[arg-type]  # poison

    count = "portal_handler_duration_seconds_count"
    outcomes = {o: value(metrics, count, topic=ORGANISATIONS_TOPIC, group=GROUP, outcome=o) for o in ("ok", "retry")}
    assert outcomes == {"ok": 1, "retry": 1}
    assert value(metrics, count, topic=ORGANISATIONS_TOPIC, group=GROUP, outcome="dead_lettered") == 1
    assert value(metrics, "portal_dlq_messages_total", topic=ORGANISATIONS_TOPIC) == 1
    assert dead_letters.sent == [ORGANISATIONS_TOPIC + ".dlq"]
