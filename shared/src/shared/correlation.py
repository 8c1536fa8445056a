"""The correlation id of the request or event being handled, carried through logs and events."""

from __future__ import annotations

from contextvars import ContextVar
from uuid import UUID

import structlog

_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
_causation_id: ContextVar[UUID | None] = ContextVar("causation_id", default=None)


def current_correlation_id() -> str | None:
    return _correlation_id.get()


def current_causation_id() -> UUID | None:
    return _causation_id.get()


def bind(correlation_id: str, causation_id: UUID | None = None, **log_fields: object) -> None:
    """Start a unit of handling (an HTTP request or a consumed event)."""
    _correlation_id.set(correlation_id)
    _causation_id.set(causation_id)
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(correlation_id=correlation_id, **log_fields)
