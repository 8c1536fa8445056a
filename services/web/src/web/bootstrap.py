"""Composition root of the web portal: its pages, its sessions' database, its client of the gateway.

Unlike the other services it neither consumes nor publishes events: it is a client of the
gateway's public API, with a small database of its own for sessions.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import timedelta
from pathlib import Path

import structlog
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared import tracing
from shared.internal_access import internal_caller
from shared.logs import configure_logging
from shared.metrics import RequestMetricsMiddleware, ServiceMetrics, metrics_router
from shared.networks import Networks
from shared.runtime import CorrelationMiddleware
from web.adapters.gateway_api import ApiProblem, ForwardingMiddleware, GatewayClient, SessionLost, Unreachable
from web.adapters.session_store import SessionStore
from web.config import Settings
from web.domain.sessions import key_digest
from web.entrypoints import (
    account_pages,
    approval_pages,
    auth_pages,
    colleague_pages,
    credit_note_pages,
    dashboard_pages,
    invoice_pages,
    order_editor_pages,
    order_pages,
    profile_pages,
    rfp_buyer_pages,
    rfp_pages,
    settings_pages,
    supplier_pages,
)
from web.entrypoints.deps import FormExpired, SignInRequired, now
from web.entrypoints.rendering import render
from web.entrypoints.security import SESSION_COOKIE, SecurityHeadersMiddleware

log = structlog.get_logger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"


def bootstrap(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings.service_name, fmt=settings.log_format, level=settings.log_level)
    tracing.configure(settings.service_name, settings.otel_exporter_otlp_endpoint)
    metrics = ServiceMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.gateway_client = GatewayClient(settings.gateway_url, settings.gateway_timeout_s)
        sessions = await SessionStore.connect(settings.database_url, size=settings.database_pool_size)
        app.state.sessions = sessions
        purge = asyncio.create_task(_purge_sessions(sessions, settings), name="session-purge")
        log.info("service started")
        try:
            yield
        finally:
            purge.cancel()
            with suppress(asyncio.CancelledError):
                await purge
            await app.state.gateway_client.close()
            await sessions.close()
            log.info("service stopped")
            tracing.shutdown()

    app = FastAPI(title="Supplier portal — web", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(CorrelationMiddleware)
    app.add_middleware(ForwardingMiddleware)
    app.add_middleware(RequestMetricsMiddleware, metrics=metrics)
    tracing.instrument_app(app)
    _install_error_pages(app)
    internal = Networks.parse(settings.internal_networks)
    app.include_router(_operations_router(settings, internal))
    app.include_router(metrics_router(metrics, internal))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (
        auth_pages,
        dashboard_pages,
        order_editor_pages,
        order_pages,
        invoice_pages,
        credit_note_pages,
        approval_pages,
        rfp_buyer_pages,  # its /rfps/new before rfp_pages' /rfps/{rfp_id}
        rfp_pages,
        profile_pages,
        supplier_pages,
        settings_pages,
        account_pages,
        colleague_pages,
    ):
        app.include_router(module.router)
    return app


async def _purge_sessions(sessions: SessionStore, settings: Settings) -> None:
    idle = timedelta(seconds=settings.session_idle_timeout_s)
    while True:
        try:
            if purged := await sessions.purge_ended(now(), idle):
                log.info("ended sessions removed", count=purged)
        except Exception as exc:  # the database away: try again later
            log.warning("session purge failed", error=repr(exc))
        await asyncio.sleep(300)


def _operations_router(settings: Settings, internal: Networks) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "ok", "service": settings.service_name}

    @router.get("/health/ready")
    async def ready(request: Request) -> JSONResponse:
        checks = {"database": await _database_ok(request), "gateway": await _gateway_ok(request)}
        ok = all(checks.values())
        body: dict[str, object] = {"status": "ok" if ok else "unavailable"}
        if internal_caller(request, internal):  # what was checked: for the internal networks only
            body |= {"service": settings.service_name, "checks": checks}
        return JSONResponse(body, status_code=200 if ok else 503)

    return router


async def _database_ok(request: Request) -> bool:
    try:
        async with asyncio.timeout(3):
            await request.app.state.sessions.ping()
        return True
    except Exception:
        return False


async def _gateway_ok(request: Request) -> bool:
    """The gateway answers (its own liveness: the pages need nothing more to start)."""
    try:
        async with asyncio.timeout(3):
            answer = await request.app.state.gateway_client.request("GET", "/health/live", {})
        return answer.status == 200
    except Exception:
        return False


def _to_sign_in(request: Request, next_path: str, *, ended: bool = False) -> Response:
    """To the sign-in page and back to ``next_path`` after it; ``ended``: the session was cut
    short (its token refused), which the page says."""
    target = "/sign-in?" + _query(next=next_path, **({"ended": "1"} if ended else {}))
    if request.headers.get("hx-request"):
        return Response(status_code=200, headers={"HX-Redirect": target})
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _query(**params: str) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


def _install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        return _to_sign_in(request, exc.next_path)

    @app.exception_handler(SessionLost)
    async def _lost(request: Request, exc: SessionLost) -> Response:
        from web.entrypoints.deps import asked_path

        if key := request.cookies.get(SESSION_COOKIE):
            await request.app.state.sessions.remove(key_digest(key))
        return _to_sign_in(request, asked_path(request), ended=True)

    @app.exception_handler(FormExpired)
    async def _expired(request: Request, exc: FormExpired) -> Response:
        return render(
            request,
            "error.html",
            status_code=403,
            title="This form has expired",
            detail="Go back, reload the page and try again.",
        )

    @app.exception_handler(ApiProblem)
    async def _problem(request: Request, exc: ApiProblem) -> Response:
        if exc.status == 404:
            return _not_found(request)
        detail = exc.detail or exc.title
        return render(request, "error.html", status_code=exc.status, title=exc.title, detail=detail)

    @app.exception_handler(Unreachable)
    async def _unreachable(request: Request, exc: Unreachable) -> Response:
        log.warning("gateway unreachable", error=str(exc))
        detail = "The portal cannot reach the system just now. Try again in a moment."
        return render(request, "error.html", status_code=503, title="Temporarily unavailable", detail=detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return _not_found(request)
        return render(request, "error.html", status_code=exc.status_code, title=str(exc.detail), detail="")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if any(error.get("loc", ("",))[0] == "path" for error in exc.errors()):
            return _not_found(request)
        detail = "The address has a value the portal does not understand."
        return render(request, "error.html", status_code=400, title="Bad request", detail=detail)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> Response:
        log.exception("page failed")
        detail = "Something went wrong on our side. Try again; if it keeps happening, tell the buyer."
        return render(request, "error.html", status_code=500, title="Something went wrong", detail=detail)


def _not_found(request: Request) -> HTMLResponse:
    detail = "There is no such page, or it is not yours to see."
    return render(request, "error.html", status_code=404, title="Not found", detail=detail)
