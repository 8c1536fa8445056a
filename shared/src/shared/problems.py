"""RFC 9457 problem details: every error of every service answers ``application/problem+json``."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.errors import DomainError

log = structlog.get_logger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://supplier-portal.dev/problems/"


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
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
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

    async def _unavailable(_: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable", error=str(exc))
        return problem(
            503,
            "Service unavailable",
            "the service's database is unreachable; try again shortly",
            slug="unavailable",
            headers={"Retry-After": "5"},
        )

    for error_type in (OperationalError, InterfaceError, ConnectionError, OSError, TimeoutError):
        app.add_exception_handler(error_type, _unavailable)

    @app.exception_handler(DBAPIError)
    async def _dbapi(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:
            return await _unavailable(request, exc)
        log.exception("database error")
        return problem(500, "Internal error", "the request could not be completed", slug="internal")

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return problem(500, "Internal error", "the request could not be completed", slug="internal")
