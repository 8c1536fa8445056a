"""One trace from an HTTP request to the consumer of the event it wrote, on a tiny service built
on ``ServiceRuntime`` with real PostgreSQL and broker: the request's span, the relay's publish
span (the row kept the request's trace context), and the consumer's span, each the parent of the
next; the Kafka record carries the publish span's ``traceparent``."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from portal_dev.testing import Servers, create_tables, poll_until, read_topic
from shared.contracts import Envelope
from shared.contracts.suppliers import SUPPLIERS_TOPIC, SupplierUpdated
from shared.db import SqlUnitOfWork, new_metadata
from shared.messaging import EventConsumer
from shared.outbox import outbox_table
from shared.runtime import Runtime, ServiceRuntime
from shared.settings import ServiceSettings

router = APIRouter()


@router.post("/suppliers/{name}", status_code=202)
async def update_supplier(name: str, runtime: Runtime) -> dict[str, str]:
    event = SupplierUpdated(
        supplier_id=uuid.uuid4(),
        tenant_id=uuid.uuid4(),
        name=name,
        email="ap@supplier.example",
        currency="EUR",
        tolerance_rate=Decimal(0),
        portal_status="active",
        revision=1,
        updated_at=datetime.now(UTC),
    )
    async with SqlUnitOfWork(runtime.session_factory, "traced") as uow:
        envelope = uow.outbox.add(event, tenant_id=event.tenant_id)
        await uow.commit()
    return {"event_id": str(envelope.id)}


@pytest.fixture
async def service(
    servers: Servers, broker: str, spans: InMemorySpanExporter
) -> AsyncIterator[tuple[ServiceRuntime, httpx.AsyncClient, list[Envelope]]]:
    url = await servers.create_database("traced")
    metadata = new_metadata()
    outbox_table(metadata)
    await create_tables(url, metadata)
    settings = ServiceSettings(
        service_name="traced",
        database_url=url,
        kafka_bootstrap_servers=broker,
        kafka_enable_idempotence=not servers.embedded_broker,
        kafka_fetch_max_wait_ms=20,
        log_format="console",
    )
    handled: list[Envelope] = []

    def consumers(runtime: ServiceRuntime) -> list[EventConsumer]:
        async def record(envelope: Envelope, payload: SupplierUpdated) -> None:
            handled.append(envelope)

        handlers: dict[Any, Any] = {SupplierUpdated: record}
        return [EventConsumer(SUPPLIERS_TOPIC, "traced.suppliers", handlers, runtime.settings, runtime.kafka_producer)]

    runtime = ServiceRuntime(settings, title="traced", routers=[router], consumers=consumers)
    await runtime.start()
    try:
        transport = httpx.ASGITransport(app=runtime.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as http:
            yield runtime, http, handled
    finally:
        await runtime.stop()


def one(spans: InMemorySpanExporter, name: str) -> ReadableSpan | None:
    found = [span for span in spans.get_finished_spans() if span.name == name]
    return found[0] if len(found) == 1 else None


async def test_a_request_its_outbox_event_and_the_consumer_of_that_event_are_one_trace(
    service: tuple[ServiceRuntime, httpx.AsyncClient, list[Envelope]], spans: InMemorySpanExporter, broker: str
) -> None:
    runtime, http, handled = service
    answer = await http.post("/suppliers/Acme")
    assert answer.status_code == 202
    consumed = await poll_until(
        lambda: one(spans, f"{SUPPLIERS_TOPIC} process"), timeout_s=30, what="the consumer's span"
    )
    request = one(spans, "POST /suppliers/{name}")
    publish = one(spans, f"{SUPPLIERS_TOPIC} publish")
    assert request is not None and publish is not None
    assert [envelope.id for envelope in handled] == [uuid.UUID(answer.json()["event_id"])]

    assert (request.kind, publish.kind, consumed.kind) == (SpanKind.SERVER, SpanKind.PRODUCER, SpanKind.CONSUMER)
    assert len({request.context.trace_id, publish.context.trace_id, consumed.context.trace_id}) == 1
    assert publish.parent is not None and publish.parent.span_id == request.context.span_id
    assert consumed.parent is not None and consumed.parent.span_id == publish.context.span_id
    assert consumed.attributes is not None
    assert consumed.attributes["messaging.message.id"] == answer.json()["event_id"]
    assert consumed.attributes["messaging.consumer.group.name"] == "traced.suppliers"

    [record] = await read_topic(broker, SUPPLIERS_TOPIC, 1)
    headers = dict(record.headers)
    trace_id, span_id = format(publish.context.trace_id, "032x"), format(publish.context.span_id, "016x")
    assert headers["traceparent"].decode().split("-")[1:3] == [trace_id, span_id]
    assert headers["id"].decode() == answer.json()["event_id"]
    assert runtime.relay is not None and runtime.relay.published == 1
