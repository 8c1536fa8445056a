"""RFC 9457 problem details: every error of every service answers ``application/problem+json``."""

from __future__ import annotations

from typing import Any

import asyncpg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.db import database_unavailable
from shared.errors import DomainError

log = structlog.get_logger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://supplier-portal.dev/problems/"
# How long a client should wait before retrying while the database is away.
RETRY_AFTER_S = 5


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    slug: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if part not in ("body",)]
        errors.append(
            {"field": ".".join(location) or "body", "message": error.get("msg", "invalid"), "type": error.get("type")}
        )
    return errors


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
        if exc.retry_after_s is not None:
            headers["Retry-After"] = str(exc.retry_after_s)
        return problem(exc.status, exc.title, exc.detail, slug=exc.type_slug, errors=exc.errors, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        return problem(422, "Invalid input", "the request has invalid fields", slug="invalid-input", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug = {404: "not-found", 405: "method-not-allowed", 401: "unauthorized"}.get(exc.status_code, "http-error")
        return problem(
            exc.status_code, str(exc.detail), str(exc.detail), slug=slug, headers=getattr(exc, "headers", None)
        )

    async def _database_or_internal(_: Request, exc: Exception) -> JSONResponse:
        if database_unavailable(exc):
            log.warning("database unavailable", error=repr(exc))
            return unavailable()
        log.exception("unhandled error")
        return problem(500, "Internal error", "the request could not be completed", slug="internal")

    # The errors a database outage raises, handled inside the app; ``Exception`` also catches
    # what a middleware raises (the idempotency store is the database too).
    for error_type in (SQLAlchemyError, asyncpg.PostgresError, OSError, Exception):
        app.add_exception_handler(error_type, _database_or_internal)


def unavailable() -> JSONResponse:
    """503 while the service's database is unreachable: the client may retry after a pause."""
    return problem(
        503,
        "Service unavailable",
        "the service's database is unreachable; try again shortly",
        slug="unavailable",
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )
