"""Structured logs: JSON lines in production, readable lines on a terminal.

Every line carries ``service``, ``correlation_id``, ``tenant_id`` and ``event_id`` (null where
not known: a line outside any request, an anonymous request), the fields of the request or event
being handled (``shared.correlation``), and ``trace_id``/``span_id`` while a span is recording
(``shared.tracing``); the lines of libraries that log through ``logging`` too.
Secrets are redacted from every line, the service's own and its libraries' (``shared.redaction``);
tracebacks are plain text, never with local variables."""

from __future__ import annotations

import logging
import sys

import structlog
from opentelemetry import trace

from shared import correlation
from shared.redaction import redact_secrets

# Present on every line, null when not known, so that a log query can rely on them.
KEY_FIELDS = ("service", "correlation_id", "tenant_id", "event_id")


class _Output:
    """What the last ``configure_logging`` chose. Loggers cache their processors on first use;
    these processors read it when they run, so a later configuration (another service in the
    same process, a test) applies to every logger."""

    service = "service"
    renderer: structlog.processors.JSONRenderer | structlog.dev.ConsoleRenderer = structlog.processors.JSONRenderer()
    keep_nulls = True  # JSON lines keep the key fields when null; a terminal shows what is known


class _StandardError:
    """``sys.stderr`` as it is when a line is written (not as it was when a logger was made)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def add_key_fields(_: object, __: str, event: structlog.typing.EventDict) -> structlog.typing.EventDict:
    """The service, the unit's fields (correlation, tenant, event) and the current trace."""
    fields: dict[str, object] = {**dict.fromkeys(KEY_FIELDS), "service": _Output.service}
    fields.update(correlation.log_fields())
    span = trace.get_current_span().get_span_context()
    if span.is_valid:
        fields["trace_id"] = format(span.trace_id, "032x")
        fields["span_id"] = format(span.span_id, "016x")
    return {**fields, **event}


def _render(logger: object, name: str, event: structlog.typing.EventDict) -> str | bytes:
    if not _Output.keep_nulls:
        event = {k: v for k, v in event.items() if v is not None or k not in KEY_FIELDS}
    return _Output.renderer(logger, name, event)


def configure_logging(service: str, *, fmt: str = "json", level: str = "INFO") -> None:
    _Output.service = service
    _Output.renderer = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
    )
    _Output.keep_nulls = fmt == "json"
    renderer = _render
    shared_processors: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_key_fields,
    ]
    structlog.configure(
        processors=[*shared_processors, structlog.processors.format_exc_info, redact_secrets, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(_StandardError()),  # type: ignore[arg-type]
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(_StandardError())
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared_processors,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                redact_secrets,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every upstream call of the gateway at INFO; the request metrics and spans have them.
    for noisy in ("aiokafka", "faststream", "uvicorn.access", "mail.log", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
