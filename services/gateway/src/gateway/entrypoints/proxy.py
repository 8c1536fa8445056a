"""Routing of ``/api/v1/...`` to the owning service, aggregated health and OpenAPI.

The gateway forwards the caller's token untouched: each service verifies it itself.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

import aiohttp
import httpx
import structlog
import swagger_ui_bundle
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from starlette.requests import ClientDisconnect
from starlette.routing import compile_path
from yarl import URL

from gateway.adapters.upstreams import (
    FORWARDED_REQUEST_HEADERS,
    FORWARDED_RESPONSE_HEADERS,
    ClientBody,
    Upstreams,
    owner_of,
)
from shared import tracing
from shared.correlation import current_correlation_id
from shared.internal_access import internal_caller
from shared.networks import next_hop_headers
from shared.problems import PROBLEM_JSON, problem

log = structlog.get_logger(__name__)

router = APIRouter(tags=["gateway"])

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
# Routed operations can also time out at the gateway.
GATEWAY_TIMEOUT = {
    "description": "The service behind the gateway did not answer in time",
    "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


def _upstreams(request: Request) -> Upstreams:
    upstreams: Upstreams = request.app.state.upstreams
    return upstreams


@router.get(
    "/api/v1/health",
    responses={503: {"description": "A service is not ready", "content": {"application/json": {"schema": {}}}}},
)
async def health(request: Request) -> JSONResponse:
    """The system's readiness as the gateway sees it: ``status`` for anyone (what a load balancer
    or an uptime check reads); each service's answer only for the internal networks."""
    # ``status``: ``ok``; ``stalled`` (still 200) when every service is ready but some report
    # documents waiting longer than their threshold for their next step (listed under ``stalled``
    # by service and kind, as each service's /health/ready reports them); ``degraded`` (503) when
    # a service is not ready, stalled or not.
    upstreams = _upstreams(request)

    async def check(service: str) -> tuple[str, dict[str, Any]]:
        try:
            answer = await upstreams.client.get(upstreams.url(service, "/health/ready"), timeout=3.0)
            return service, answer.json() | {"http_status": answer.status_code}
        except (httpx.HTTPError, ValueError) as exc:
            return service, {"status": "unreachable", "error": type(exc).__name__}

    results = dict(await asyncio.gather(*(check(s) for s in upstreams.urls)))
    status, status_code = overall_health(results)
    body: dict[str, Any] = {"status": status}
    if not internal_caller(request, request.app.state.runtime.internal_networks):
        return JSONResponse(body, status_code=status_code)
    body["services"] = results
    stalled = {service: result["stalled"] for service, result in results.items() if result.get("stalled")}
    if stalled:
        body["stalled"] = stalled
    return JSONResponse(body, status_code=status_code)


def overall_health(results: dict[str, dict[str, Any]]) -> tuple[str, int]:
    """The aggregate status and HTTP status of the services' ready answers. A stall answers 200:
    the API can serve, and a load balancer or uptime check that reads 503 as "take it out" or
    "down" would act on the wrong thing; a person or an alert reads ``status``."""
    if not all(result.get("status") == "ok" for result in results.values()):
        return "degraded", 503
    if any(result.get("stalled") for result in results.values()):
        return "stalled", 200
    return "ok", 200


@router.get("/api/v1/openapi.json", include_in_schema=False)
async def openapi(request: Request) -> JSONResponse:
    """The gateway's own routes and every service's routes under /api/v1, in one document."""
    app: FastAPI = request.app
    upstreams = _upstreams(request)
    document = json.loads(json.dumps(app.openapi()))
    document["info"] = {
        "title": "Supplier portal API",
        "version": "1.0.0",
        "description": "Events: every service's AsyncAPI document is listed at "
        "[/api/v1/docs/events](/api/v1/docs/events) (the gateway's own at [/asyncapi](/asyncapi)).",
    }
    document["paths"] = {p: v for p, v in document["paths"].items() if p.startswith("/api/v1")}
    schemas = document.setdefault("components", {}).setdefault("schemas", {})

    async def fetch(service: str) -> tuple[str, dict[str, Any] | None]:
        try:
            answer = await upstreams.client.get(upstreams.url(service, "/openapi.json"), timeout=5.0)
            return service, answer.json()
        except (httpx.HTTPError, ValueError):
            return service, None

    for service, spec in await asyncio.gather(*(fetch(s) for s in upstreams.api_services)):
        if spec is None:
            continue
        prefix = service.capitalize()
        # Prefix the service's schema names so that two services' "Page" never collide.
        text = json.dumps(spec).replace('"#/components/schemas/', f'"#/components/schemas/{prefix}')
        spec = json.loads(text)
        for path, item in spec.get("paths", {}).items():
            if path.startswith("/api/v1") and owner_of(path.removeprefix("/api/v1/")) == service:
                for operation in item.values():
                    if isinstance(operation, dict) and "responses" in operation:
                        operation["responses"].setdefault("504", GATEWAY_TIMEOUT)
                document["paths"][path] = item
        for name, schema in spec.get("components", {}).get("schemas", {}).items():
            schemas[prefix + name] = schema
    return JSONResponse(document)


# Swagger UI's script and styles come from the swagger-ui-bundle package, served by the gateway:
# the page loads nothing from another site.
SWAGGER_UI = Path(swagger_ui_bundle.swagger_ui_path)
SWAGGER_ASSETS = {"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"}


@router.get("/docs", include_in_schema=False)
async def docs() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/api/v1/openapi.json",
        title="Supplier portal API",
        swagger_js_url="/docs/assets/swagger-ui-bundle.js",
        swagger_css_url="/docs/assets/swagger-ui.css",
        swagger_favicon_url="/docs/assets/favicon-32x32.png",
    )


@router.get("/docs/assets/{name}", include_in_schema=False)
async def docs_asset(name: str) -> Response:
    if name not in SWAGGER_ASSETS:
        return problem(404, "Not found", f"no asset {name} of the API documentation", slug="not-found")
    return FileResponse(SWAGGER_UI / name, headers={"Cache-Control": "public, max-age=86400"})


def _gateway_methods(request: Request) -> str:
    """The methods of the gateway's own documented route at this path (empty if it has none there)."""
    allowed: set[str] = set()
    for path, item in request.app.openapi()["paths"].items():
        if compile_path(path)[0].fullmatch(request.url.path):
            allowed |= {method.upper() for method in item if method in ("get", "put", "post", "delete", "patch")}
    return ", ".join(sorted(allowed))


def _target(upstreams: Upstreams, service: str, request: Request) -> httpx.URL | None:
    """The upstream URL: the path as the client encoded it (decoded, a %0B or %2F in an id would
    make another URL, or none); None where it would leave the service's part of the API."""
    raw_path: bytes = request.scope.get("raw_path") or request.url.path.encode()
    try:
        target = httpx.URL(upstreams.url(service, raw_path.decode("latin-1")))
    except httpx.InvalidURL:
        return None
    # An escaped dot segment (%2e%2e) survives the URL as written and is resolved by the service's
    # server: /api/v1/purchase-orders/%2e%2e/%2e%2e/%2e%2e/metrics would be its /metrics.
    raw_segments = target.raw_path.split(b"?")[0].split(b"/")
    if any(unquote_to_bytes(segment) in (b".", b"..") for segment in raw_segments):
        return None
    return target if owner_of(target.path.removeprefix("/api/v1/")) == service else None


@router.api_route("/api/v1/{path:path}", methods=METHODS, include_in_schema=False)
async def forward(path: str, request: Request) -> Response:
    service = owner_of(path)
    upstreams = _upstreams(request)
    target = _target(upstreams, service, request) if service else None
    if service is None and (allowed := _gateway_methods(request)):
        # One of the gateway's own routes, with a method it does not have.
        detail = f"{request.method} is not allowed on /api/v1/{path}"
        return problem(405, "Method not allowed", detail, slug="method-not-allowed", headers={"Allow": allowed})
    if service is None or target is None:
        return problem(404, "Not found", f"no route for /api/v1/{path}", slug="not-found")
    headers = {k: v for k, v in request.headers.items() if k.lower() in FORWARDED_REQUEST_HEADERS}
    headers["x-correlation-id"] = current_correlation_id() or headers.get("x-correlation-id", "")
    body = ClientBody.of(request, headers)
    # Marks the request as forwarded: a service answers it as a caller's, never as its own network's.
    peer = request.client.host if request.client else None
    headers |= next_hop_headers(request.headers.getlist("x-forwarded-for"), request.headers.getlist("forwarded"), peer)
    if request.scope.get("query_string"):
        # The query as httpx encodes the parameters the gateway read (what the services always got).
        target = httpx.URL(target, params=tuple(request.query_params.multi_items()))
    # On aiohttp itself, as the web portal's pages: httpx's own layers (the request and response
    # models, its auth and redirect handling) cost more than the pool's forward.
    try:
        with tracing.calling(request.method, str(target)) as span:
            headers |= tracing.context_headers(span)
            async with upstreams.api.request(
                request.method,
                URL(str(target), encoded=True),
                data=body,
                headers=headers,
                allow_redirects=False,
                timeout=upstreams.api_timeout,
            ) as answer:
                content = await answer.read()
                response_headers: dict[str, str] = {}
                for name, value in answer.headers.items():
                    key = name.lower()
                    if key in FORWARDED_RESPONSE_HEADERS:  # a repeated one as one value, as httpx gave it
                        earlier = response_headers.get(key)
                        response_headers[key] = value if earlier is None else f"{earlier}, {value}"
            if span.is_recording():
                span.set_attribute("http.response.status_code", answer.status)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        if body is not None and body.failure is not None:
            # The client's body failed, not the service: past the limit (the middleware answers
            # 413), or the client went away mid-upload (nobody is left to answer).
            if isinstance(body.failure, ClientDisconnect):
                return Response(status_code=400)
            raise body.failure from None
        if isinstance(exc, TimeoutError):
            return problem(504, "Gateway timeout", f"the {service} service did not answer in time", slug="timeout")
        log.warning("upstream unreachable", service=service, error=repr(exc))
        return problem(
            503,
            "Service unavailable",
            f"the {service} service is unavailable; try again shortly",
            slug="unavailable",
            headers={"Retry-After": "5"},
        )
    return Response(content=content, status_code=answer.status, headers=response_headers)
