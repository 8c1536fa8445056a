"""Spans leave the process with their secrets redacted, as the logs do (``shared.redaction``): a
span's name, attributes and events carry request paths and URLs, and the link of an invitation, a
password reset or an email change has its token in the path. Imported only when tracing is on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from shared.redaction import redact_text


class RedactingExporter(SpanExporter):
    """Exports spans as ``exporter`` does, their secrets redacted as the logs' are
    (``shared.redaction``): a span's name, attributes and events' attributes carry request paths
    and URLs, and an invitation's or a password reset's link has its token in the path."""

    def __init__(self, exporter: SpanExporter) -> None:
        self._exporter = exporter

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self._exporter.export([_redacted(span) for span in spans])

    def shutdown(self) -> None:
        self._exporter.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._exporter.force_flush(timeout_millis)


def _redacted(span: ReadableSpan) -> ReadableSpan:
    events = [
        Event(event.name, attributes=_redacted_attributes(event.attributes), timestamp=event.timestamp)
        for event in span.events
    ]
    return ReadableSpan(
        name=redact_text(span.name),
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=_redacted_attributes(span.attributes),
        events=events,
        links=span.links,
        kind=span.kind,
        status=span.status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


def _redacted_attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    return {name: redact_text(value) if isinstance(value, str) else value for name, value in (attributes or {}).items()}
