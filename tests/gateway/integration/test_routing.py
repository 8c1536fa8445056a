"""The gateway's routing on real servers, with a real HTTP service behind it that answers with
the path it was asked for: the path goes on exactly as the client encoded it, a path that would
resolve outside the service's part of the API is not routed, and a method a route does not have
is 405 with the methods it does have."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request

from gateway.bootstrap import bootstrap
from gateway.config import Settings
from portal_dev.testing import running
from tests.gateway.integration.conftest import served


def echo_service() -> FastAPI:
    """A service that answers GET with the raw path it received (and 405 to anything else)."""
    app = FastAPI()

    @app.get("/api/v1/{path:path}")
    async def echo(path: str, request: Request) -> dict[str, str | None]:
        return {
            "raw_path": request.scope["raw_path"].decode(),
            "path": request.url.path,
            "forwarded_for": request.headers.get("x-forwarded-for"),
        }

    @app.get("/{path:path}")
    async def operational(path: str) -> dict[str, str]:
        return {"reached": path}  # /metrics, /health/...: never from the gateway

    return app


@pytest.fixture
async def echo_url() -> AsyncIterator[str]:
    async with served(echo_service()) as url:
        yield url


@pytest.fixture
async def gateway(gateway_settings: Callable[..., Settings], echo_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = gateway_settings(orders_url=echo_url)
    async with running(bootstrap(settings)) as client:
        yield client


async def asgi_get(client: httpx.AsyncClient, raw_path: bytes) -> tuple[int, dict[str, Any]]:
    """A GET with ``raw_path`` as is (an HTTP client would resolve its dot segments first)."""
    app = client._transport.app  # type: ignore[attr-defined]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": raw_path.decode(),
        "raw_path": raw_path,
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"service")],
        "client": ("127.0.0.1", 1234),
        "server": ("service", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"], dict(sent[0]["headers"]) | {b"body": b"".join(m.get("body", b"") for m in sent[1:])}


async def test_a_path_goes_on_exactly_as_the_client_encoded_it(gateway: httpx.AsyncClient) -> None:
    # A control character in an id was a 500 (the decoded path is no URL); %2F stays one segment.
    for raw in (
        "/api/v1/purchase-orders/a%0Bb",
        "/api/v1/purchase-orders/a%2F..%2F..%2Fhealth",
        "/api/v1/purchase-orders/%F4%8B%A4%8D",
    ):
        answer = await gateway.get(httpx.URL("http://service").copy_with(raw_path=raw.encode()))
        assert answer.status_code == 200, answer.text
        assert answer.json()["raw_path"] == raw


async def test_a_path_that_resolves_outside_the_services_part_is_not_routed(gateway: httpx.AsyncClient) -> None:
    status, _ = await asgi_get(gateway, b"/api/v1/purchase-orders/../../health/ready")
    assert status == 404
    status, _ = await asgi_get(gateway, b"/api/v1/purchase-orders/x/../" + str(uuid.uuid4()).encode())
    assert status == 200  # resolving inside the service's part is fine


async def test_a_method_a_route_does_not_have_is_405_with_the_ones_it_has(gateway: httpx.AsyncClient) -> None:
    own = await gateway.put("/api/v1/me")
    assert own.status_code == 405 and own.headers["allow"] == "GET", own.text
    assert own.headers["content-type"] == "application/problem+json"
    settings = await gateway.delete("/api/v1/settings")
    assert settings.status_code == 405 and settings.headers["allow"] == "GET, PATCH"
    # A routed one: the service's own 405, with its Allow header passed on.
    routed = await gateway.options("/api/v1/purchase-orders")
    assert routed.status_code == 405 and routed.headers["allow"] == "GET", routed.text
    unknown = await gateway.put("/api/v1/nothing-here")
    assert unknown.status_code == 404


async def test_no_path_reaches_a_services_metrics_or_health_and_what_goes_on_is_marked_forwarded(
    gateway: httpx.AsyncClient,
) -> None:
    tried = [
        b"/api/v1/purchase-orders/../../metrics",
        b"/api/v1/purchase-orders/%2e%2e/%2e%2e/metrics",
        b"/api/v1/purchase-orders/%2e%2e/%2e%2e/%2e%2e/metrics",
        b"/api/v1/purchase-orders/%2E%2E/%2e./.%2e/health/ready",
        b"/api/v1/purchase-orders/..%2F..%2Fhealth/ready",
        b"/api/v1/purchase-orders%2F..%2F..%2Fmetrics",
        b"/api/v1/metrics",
        b"/api/v1/health/ready",
    ]
    answers = {raw: await asgi_get(gateway, raw) for raw in tried}
    routed = await gateway.get("/api/v1/purchase-orders/1")

    # Refused, or the service's API answered (a path its API does not resolve, ``..`` included):
    # never its /metrics or /health.
    for raw, (status, headers) in answers.items():
        body = json.loads(headers[b"body"])
        assert status in (200, 404) and "reached" not in body, (raw, body)
        if status == 200:
            assert body["path"].startswith("/api/v1/purchase-orders/"), (raw, body)
    # What the gateway does forward says whom for: a service answers it as an outside caller's.
    assert routed.json()["forwarded_for"] == "127.0.0.1"
