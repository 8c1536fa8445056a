"""W3C trace context from a writer to the next hop (headers of an outbox row, of a Kafka record),
spans of every hop in one trace, and tracing off unless an OTLP endpoint is configured."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from shared import tracing
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings
from tests.otlp_receiver import OtlpReceiver

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


def test_a_span_started_from_a_writers_headers_continues_the_writers_trace(spans: InMemorySpanExporter) -> None:
    with tracing.tracer().start_as_current_span("request") as request:
        headers = tracing.context_headers()
    version, trace_id, span_id, flags = headers["traceparent"].split("-")
    assert (version, trace_id, span_id) == (
        "00",
        format(request.get_span_context().trace_id, "032x"),
        format(request.get_span_context().span_id, "016x"),
    )
    assert int(flags, 16) & 1  # sampled

    with tracing.continued_span("handle", parent=headers, kind=SpanKind.CONSUMER) as handle:
        pass
    assert handle.get_span_context().trace_id == request.get_span_context().trace_id
    [_, finished] = spans.get_finished_spans()
    assert finished.name == "handle" and finished.kind is SpanKind.CONSUMER
    assert finished.parent is not None and finished.parent.span_id == request.get_span_context().span_id


def test_kafka_header_pairs_carry_the_trace_and_its_vendor_state(spans: InMemorySpanExporter) -> None:
    record_headers = [("type", b"InvoiceSubmitted"), ("traceparent", PARENT.encode()), ("tracestate", b"vendor=abc")]
    with tracing.continued_span("handle", parent=record_headers, kind=SpanKind.CONSUMER) as handle:
        onward = tracing.context_headers()
    assert format(handle.get_span_context().trace_id, "032x") == TRACE_ID
    assert onward["traceparent"].split("-")[1] == TRACE_ID
    assert onward["tracestate"] == "vendor=abc"
    [finished] = spans.get_finished_spans()
    assert finished.parent is not None and format(finished.parent.span_id, "016x") == "00f067aa0ba902b7"


def test_publishing_puts_the_publish_spans_context_on_the_stored_headers(spans: InMemorySpanExporter) -> None:
    stored = {"type": "InvoiceSubmitted", "id": str(uuid.uuid4()), "correlation_id": "c-1", "traceparent": PARENT}
    with tracing.publishing([("invoicing.invoice.v1", stored)]) as [published]:
        pass
    [publish] = spans.get_finished_spans()
    assert publish.name == "invoicing.invoice.v1 publish" and publish.kind is SpanKind.PRODUCER
    assert publish.parent is not None and format(publish.parent.span_id, "016x") == "00f067aa0ba902b7"
    assert {k: published[k] for k in ("type", "id", "correlation_id")} == {
        k: stored[k] for k in ("type", "id", "correlation_id")
    }
    assert published["traceparent"] == f"00-{TRACE_ID}-{format(publish.context.span_id, '016x')}-01"


def test_a_publish_that_fails_ends_its_span_as_failed(spans: InMemorySpanExporter) -> None:
    with pytest.raises(TimeoutError), tracing.publishing([("t", {"traceparent": PARENT}), ("t", {})]):
        raise TimeoutError("broker away")
    finished = spans.get_finished_spans()
    assert [span.status.status_code for span in finished] == [StatusCode.ERROR, StatusCode.ERROR]
    assert [event.name for span in finished for event in span.events] == ["exception", "exception"]


def test_with_tracing_off_nothing_is_recorded_and_no_trace_headers_are_written() -> None:
    assert not tracing.enabled()
    with tracing.continued_span("handle", parent={"traceparent": PARENT}, kind=SpanKind.CONSUMER) as handle:
        assert not handle.is_recording()
        assert tracing.context_headers() == {}
    stored = {"type": "InvoiceSubmitted", "id": "1"}
    with tracing.publishing([("t", stored)]) as [published]:
        assert published == stored
    assert tracing.configure("orders", None) is None and not tracing.enabled()


router = APIRouter()


@router.get("/ping")
async def ping() -> dict[str, str]:
    """The trace context that an event written here would carry."""
    return tracing.context_headers()


async def test_without_an_otlp_endpoint_a_service_has_no_tracer_provider_and_no_exporter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    runtime = ServiceRuntime(ServiceSettings(service_name="orders", log_format="console"), title="t", routers=[router])
    try:
        assert tracing.provider() is None
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.app), base_url="http://s") as http:
            answer = await http.get("/ping", headers={"traceparent": PARENT})
        assert answer.status_code == 200 and answer.json() == {}
    finally:
        await runtime.engine.dispose()


@contextlib.asynccontextmanager
async def exporting(
    monkeypatch: pytest.MonkeyPatch, service: str
) -> AsyncIterator[tuple[ServiceRuntime, OtlpReceiver]]:
    """A service traced to a collector of the test's own (started with the OTLP endpoint set), and
    that collector; tracing off and everything closed afterwards."""
    sink = OtlpReceiver()
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", sink.url)
    runtime = ServiceRuntime(ServiceSettings(service_name=service, log_format="console"), title="t", routers=[router])
    provider = tracing.provider()
    try:
        assert provider is not None
        yield runtime, sink
    finally:
        tracing.use(None)
        if provider is not None:
            provider.shutdown()
        await runtime.engine.dispose()
        sink.close()


async def test_with_an_otlp_endpoint_a_service_exports_its_spans_over_otlp_http(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with exporting(monkeypatch, "orders") as (runtime, sink):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.app), base_url="http://s") as http:
            answer = await http.get("/ping", headers={"traceparent": PARENT})
            assert answer.json()["traceparent"].split("-")[1] == TRACE_ID
            assert (await http.get("/health/live")).status_code == 200  # probes are not traced
        tracing.shutdown()  # what the runtime does when it stops: export what is buffered
        assert sink.posts == [("/v1/traces", "application/x-protobuf")]
        exported = sink.received()
        assert {span.service for span in exported} == {"orders"}
        assert [span.name for span in exported if span.kind == "server"] == ["GET /ping"]
        assert {span.trace_id for span in exported} == {TRACE_ID}


@router.post("/api/v1/auth/invitations/{token}/accept")
async def accept(token: str) -> dict[str, str]:
    if token.startswith("bad"):
        raise ValueError(f"no invitation /invitations/{token}")
    return {}


async def test_exported_spans_carry_no_invitation_or_reset_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """Paths with a link's token (invitations, password resets, email changes) are redacted in every
    exported span's name, attributes and events, as in the logs."""
    secret, failing = "s3cr3t-Invitation-Token", "bad-Reset-Token-42"
    async with exporting(monkeypatch, "gateway") as (runtime, sink):
        transport = httpx.ASGITransport(app=runtime.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://s") as http:
            assert (
                await http.post(f"/api/v1/auth/invitations/{secret}/accept?next=/password-reset/{secret}")
            ).status_code == 200
            await http.post(f"/api/v1/auth/invitations/{failing}/accept")
        with tracing.tracer().start_as_current_span(f"visit /email-change/{secret}") as span:
            span.set_attribute("url.full", f"https://portal.example/password-reset/{secret}")
        tracing.shutdown()
        exported = sink.received()
        assert [span.name for span in exported if span.kind == "server"]  # the requests were traced
        assert all(secret not in repr(span) and failing not in repr(span) for span in exported)
        assert any("[redacted]" in repr(span) for span in exported)
