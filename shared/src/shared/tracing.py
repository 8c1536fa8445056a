"""Distributed tracing with OpenTelemetry: one trace from an HTTP request to the last email.

The hops of one invoice's journey, each a span of the same trace:

- HTTP: the server span of every request (FastAPI instrumentation), continued from the
  caller's ``traceparent``; the gateway's calls to the services carry it on (httpx instrumentation).
- Outbox: a row is written in the request's (or handler's) transaction and published later by
  the relay, so the row keeps the W3C trace context of its writer in its ``headers``
  (``traceparent``, ``tracestate``); the relay's publish span continues that trace and puts its own
  context in the Kafka record's headers.
- Consumer: the handling of a record is a span continued from the record's headers.
- Email: a queued email keeps the trace context of the handler that queued it; its sending is a
  span of that trace.

Export is over OTLP/HTTP (protobuf) when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set (the usual OTLP
variables, ``OTEL_EXPORTER_OTLP_HEADERS`` and so on, apply). Unset, tracing is off: no provider, no
exporter, no instrumentation; the helpers here do nothing and no trace headers are written.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from opentelemetry import propagate, trace
from opentelemetry.trace import INVALID_SPAN, Span, SpanKind, Status, StatusCode

if TYPE_CHECKING:
    import httpx
    from fastapi import FastAPI
    from opentelemetry.sdk.trace import TracerProvider

TRACE_HEADERS = ("traceparent", "tracestate")
_INSTRUMENTATION = "shared"
# Probes and scrapes every few seconds would bury the traces worth reading.
_UNTRACED_URLS = "/health/,/metrics"

_provider: TracerProvider | None = None


def configure(service: str, otlp_endpoint: str | None) -> TracerProvider | None:
    """Trace this process when ``otlp_endpoint`` is set: spans of ``service`` exported over OTLP/HTTP
    in batches. Returns the provider, or None when tracing stays off."""
    if not otlp_endpoint:
        return None
    # Imported only when tracing is on: a service without it does not load the SDK.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    from shared.span_redaction import RedactingExporter

    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service}))
    exporter = OTLPSpanExporter(endpoint=traces_url(otlp_endpoint))
    provider.add_span_processor(BatchSpanProcessor(RedactingExporter(exporter)))
    use(provider)
    return provider


def traces_url(otlp_endpoint: str) -> str:
    """The traces URL under an OTLP/HTTP base endpoint, as the OTLP specification builds it."""
    return otlp_endpoint.rstrip("/") + "/v1/traces"


def use(provider: TracerProvider | None) -> None:
    """Trace with ``provider`` from now on (None: off). ``configure`` calls it; tests use it to
    record spans in memory."""
    global _provider
    _provider = provider


def provider() -> TracerProvider | None:
    return _provider


def enabled() -> bool:
    return _provider is not None


def shutdown() -> None:
    """Export what is buffered; the service is stopping."""
    if _provider is not None:
        _provider.force_flush(timeout_millis=5000)


def tracer() -> trace.Tracer:
    return _provider.get_tracer(_INSTRUMENTATION) if _provider is not None else trace.NoOpTracer()


def instrument_app(app: FastAPI) -> None:
    """A server span for every request, continued from the caller's ``traceparent``."""
    if _provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=_provider,
        excluded_urls=_UNTRACED_URLS,
        exclude_spans=["receive", "send"],  # a span per ASGI message is noise
    )


def instrument_client(client: httpx.AsyncClient) -> None:
    """A client span for every call, and the trace context in the call's headers."""
    if _provider is None:
        return
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    HTTPXClientInstrumentor.instrument_client(client, tracer_provider=_provider)


def context_headers(span: Span | None = None) -> dict[str, str]:
    """The W3C trace context of ``span`` (default: the current one) as headers; empty when no
    span is recording."""
    carrier: dict[str, str] = {}
    if _provider is None:
        return carrier
    context = trace.set_span_in_context(span) if span is not None else None
    propagate.inject(carrier, context=context)
    return {k: v for k, v in carrier.items() if k in TRACE_HEADERS}


def _context_of(headers: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> Any:
    """The trace context carried by ``headers``: a mapping (an outbox row's) or Kafka's
    ``(name, bytes)`` pairs."""
    pairs = headers.items() if isinstance(headers, Mapping) else (headers or ())
    carrier = {
        name.lower(): value.decode("latin-1") if isinstance(value, bytes) else str(value)
        for name, value in pairs
        if name.lower() in TRACE_HEADERS and value is not None
    }
    return propagate.extract(carrier)


def start_span(
    name: str,
    *,
    parent: Mapping[str, Any] | Iterable[tuple[str, Any]] | None,
    kind: SpanKind,
    attributes: Mapping[str, str | int] | None = None,
) -> Span:
    """A span continued from the trace context in ``parent`` (headers), not made current; the
    caller ends it. The invalid span when tracing is off."""
    if _provider is None:
        return INVALID_SPAN
    return tracer().start_span(name, context=_context_of(parent), kind=kind, attributes=attributes)


@contextlib.contextmanager
def continued_span(
    name: str,
    *,
    parent: Mapping[str, Any] | Iterable[tuple[str, Any]] | None,
    kind: SpanKind,
    attributes: Mapping[str, str | int] | None = None,
) -> Iterator[Span]:
    """The current span while the block runs, continued from the trace context in ``parent``."""
    if _provider is None:
        yield INVALID_SPAN
        return
    with tracer().start_as_current_span(name, context=_context_of(parent), kind=kind, attributes=attributes) as span:
        yield span


@contextlib.contextmanager
def calling(method: str, url: str) -> Iterator[Span]:
    """A client span for a call made on aiohttp itself (httpx's calls have theirs from its
    instrumentation), a child of the current span; ``context_headers(span)`` carries it on. Failed
    if the block raises; the caller records the answer's status (``http.response.status_code``)."""
    if _provider is None:
        yield INVALID_SPAN
        return
    attributes = {"http.request.method": method, "url.full": url}
    with tracer().start_as_current_span(method, kind=SpanKind.CLIENT, attributes=attributes) as span:
        yield span


@contextlib.contextmanager
def publishing(messages: Sequence[tuple[str, Mapping[str, Any]]]) -> Iterator[list[dict[str, Any]]]:
    """Producer spans for ``(topic, stored headers)`` messages, each continued from the trace
    context stored with it; yields each message's headers carrying its span's context instead.
    The spans end with the block (failed if it raises): after the broker's acknowledgement."""
    spans = [
        start_span(
            f"{topic} publish",
            parent=headers,
            kind=SpanKind.PRODUCER,
            attributes={
                "messaging.system": "kafka",
                "messaging.operation.type": "send",
                "messaging.destination.name": topic,
            },
        )
        for topic, headers in messages
    ]
    try:
        yield [{**headers, **context_headers(span)} for (_, headers), span in zip(messages, spans, strict=True)]
    except BaseException as exc:
        for span in spans:
            record_failure(exc, span)
        raise
    finally:
        for span in spans:
            span.end()


def consuming(topic: str, group: str, record: Any) -> contextlib.AbstractContextManager[Span]:
    """The span of a consumer handling one Kafka record, continued from the record's headers."""
    return continued_span(
        f"{topic} process",
        parent=getattr(record, "headers", None),
        kind=SpanKind.CONSUMER,
        attributes={
            "messaging.system": "kafka",
            "messaging.operation.type": "process",
            "messaging.destination.name": topic,
            "messaging.consumer.group.name": group,
            "messaging.destination.partition.id": str(getattr(record, "partition", "")),
            "messaging.kafka.offset": int(getattr(record, "offset", -1)),
        },
    )


def annotate(**attributes: str | int | None) -> None:
    """Attributes of the current span (the fields that become known while handling)."""
    span = trace.get_current_span()
    if span.is_recording():
        span.set_attributes({k: v for k, v in attributes.items() if v is not None})


def record_failure(exc: BaseException, span: Span | None = None) -> None:
    """Mark ``span`` (default: the current one) as failed by ``exc``."""
    span = span if span is not None else trace.get_current_span()
    if span.is_recording():
        span.record_exception(exc)
        span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"[:500]))
