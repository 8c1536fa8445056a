"""The correlation id of the request or event being handled, carried through logs and events.

A unit of handling (an HTTP request, a consumed event) starts with ``bind``; what becomes known
later (the caller's tenant once the token is verified) is added with ``annotate``. The fields live
in one dictionary per unit, shared by every task and thread the unit starts: a dependency that
FastAPI runs in a worker thread, or the inner part of a middleware running in a task of its own,
adds to the same fields that the outer parts log with.
"""

from __future__ import annotations

from contextvars import ContextVar
from uuid import UUID

import structlog

_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
_causation_id: ContextVar[UUID | None] = ContextVar("causation_id", default=None)
_log_fields: ContextVar[dict[str, object] | None] = ContextVar("log_fields", default=None)


def current_correlation_id() -> str | None:
    return _correlation_id.get()


def current_causation_id() -> UUID | None:
    return _causation_id.get()


def bind(correlation_id: str | None, causation_id: UUID | None = None, **log_fields: object) -> None:
    """Start a unit of handling (an HTTP request or a consumed event); earlier fields are dropped."""
    _correlation_id.set(correlation_id)
    _causation_id.set(causation_id)
    _log_fields.set({"correlation_id": correlation_id, **log_fields})
    structlog.contextvars.clear_contextvars()


def annotate(**log_fields: object) -> None:
    """Add fields to every later log line of the unit being handled, wherever it logs from."""
    fields = _log_fields.get()
    if fields is None:
        _log_fields.set(dict(log_fields))
    else:
        fields.update(log_fields)


def unbind() -> None:
    """End the unit: later lines of this task belong to none."""
    _correlation_id.set(None)
    _causation_id.set(None)
    _log_fields.set(None)
    structlog.contextvars.clear_contextvars()


def log_fields() -> dict[str, object]:
    """The fields of the unit being handled (a copy)."""
    fields = _log_fields.get()
    return {} if fields is None else dict(fields)
