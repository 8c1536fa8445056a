"""Error types that services raise; ``shared.problems`` maps them once to problem details."""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """A rule said no. ``status`` is the HTTP status it answers with at the edge."""

    status = 400
    title = "Request refused"
    type_slug = "refused"
    # Seconds a client should wait before asking again (answered as Retry-After), when it helps.
    retry_after_s: int | None = None
    # The detail of an error that always says the same (``raise InvoiceNotFound()``).
    default_detail: ClassVar[str] = ""

    def __init__(self, detail: str | None = None, *, errors: list[dict[str, Any]] | None = None) -> None:
        detail = self.default_detail if detail is None else detail
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class NotFound(DomainError):
    status = 404
    title = "Not found"
    type_slug = "not-found"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"
    type_slug = "forbidden"


class Unauthorized(DomainError):
    status = 401
    title = "Unauthorized"
    type_slug = "unauthorized"


class Conflict(DomainError):
    """The document is not in a state that allows this (or a concurrent change won)."""

    status = 409
    title = "Conflict"
    type_slug = "conflict"


class InvalidInput(DomainError):
    status = 422
    title = "Invalid input"
    type_slug = "invalid-input"


class RetryLater(Exception):
    """A consumer cannot handle an event yet (a read model it needs has not arrived)."""
