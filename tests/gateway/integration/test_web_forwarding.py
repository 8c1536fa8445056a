"""The web portal behind the gateway's address, on real HTTP: every path outside the API goes to
the web service as it came (method, path, query, form body, cookies) and its answer comes back
as it went (status, every Set-Cookie, a redirect left to the browser); the gateway's own routes
and the API keep winning; a web service that is away is a page saying so, not a stack trace."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from urllib.parse import parse_qs

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from gateway.bootstrap import bootstrap
from gateway.config import Settings
from portal_dev.testing import running
from tests.gateway.integration.conftest import served


def web_service() -> FastAPI:
    """A stand-in for the web portal that answers with what it was sent."""
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST"])
    async def page(path: str, request: Request) -> Response:
        if path == "go-elsewhere":
            return RedirectResponse("/sign-in?next=%2Fgo-elsewhere", status_code=303)
        answer = JSONResponse(
            {
                "method": request.method,
                "raw_path": request.scope["raw_path"].decode(),
                "query": request.url.query,
                "body": (await request.body()).decode(),
                "cookie": request.headers.get("cookie"),
                "authorization": request.headers.get("authorization"),
                "forwarded_proto": request.headers.get("x-forwarded-proto"),
                "forwarded_for": request.headers.get("x-forwarded-for"),
                "forwarded": request.headers.get("forwarded"),
                "hx_request": request.headers.get("hx-request"),
            }
        )
        answer.set_cookie("first", "1", httponly=True)
        answer.set_cookie("second", "2", httponly=True)
        return answer

    return app


@pytest.fixture
async def gateway(gateway_settings: Callable[..., Settings]) -> AsyncIterator[httpx.AsyncClient]:
    async with served(web_service()) as web_url:
        async with running(bootstrap(gateway_settings(web_url=web_url))) as client:
            yield client


async def test_the_browsers_address_goes_on_to_the_pages_after_what_proxies_before_wrote(
    gateway: httpx.AsyncClient,
) -> None:
    # The in-process client connects from 127.0.0.1; a proxy before the gateway wrote its client.
    direct = (await gateway.get("/sign-in")).json()
    behind = (await gateway.get("/sign-in", headers={"x-forwarded-for": "203.0.113.7"})).json()

    assert (direct["forwarded_for"], direct["forwarded"]) == ("127.0.0.1", "for=127.0.0.1")
    assert behind["forwarded_for"] == "203.0.113.7, 127.0.0.1"


async def test_a_page_request_reaches_the_web_portal_as_it_came(gateway: httpx.AsyncClient) -> None:
    answer = await gateway.post(
        "/invoices/new?purchase_order_id=42&x=%2F",
        content=b"csrf_token=abc&number=INV-1",
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "cookie": "portal_session=key",
            "hx-request": "true",
            "authorization": "Bearer someone-elses",
        },
    )
    assert answer.status_code == 200, answer.text
    sent = answer.json()
    assert sent["method"] == "POST"
    assert sent["raw_path"] == "/invoices/new"
    assert parse_qs(sent["query"]) == {"purchase_order_id": ["42"], "x": ["/"]}
    assert sent["body"] == "csrf_token=abc&number=INV-1"
    assert sent["cookie"] == "portal_session=key"
    assert sent["hx_request"] == "true"
    assert sent["forwarded_proto"] == "http"
    # A page request carries no API token on to the pages: they keep their own.
    assert sent["authorization"] is None
    assert sorted(answer.headers.get_list("set-cookie")) == [
        "first=1; HttpOnly; Path=/; SameSite=lax",
        "second=2; HttpOnly; Path=/; SameSite=lax",
    ]


async def test_the_root_and_a_redirect_are_the_browsers_to_follow(gateway: httpx.AsyncClient) -> None:
    assert (await gateway.get("/")).json()["raw_path"] == "/"
    moved = await gateway.get("/go-elsewhere")
    assert moved.status_code == 303
    assert moved.headers["location"] == "/sign-in?next=%2Fgo-elsewhere"


async def test_the_api_and_the_gateways_own_routes_are_not_pages(gateway: httpx.AsyncClient) -> None:
    assert (await gateway.get("/health/live")).json()["service"] == "gateway"
    assert (await gateway.get("/api/v1/no-such-service")).headers["content-type"] == "application/problem+json"
    assert "openapi" in (await gateway.get("/docs")).text.lower()


async def test_a_web_portal_that_is_away_is_a_page_saying_so(gateway_settings: Callable[..., Settings]) -> None:
    async with running(bootstrap(gateway_settings())) as gateway:  # web_url: nobody listens there
        answer = await gateway.get("/purchase-orders")
    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith("text/html")
    assert "Temporarily unavailable" in answer.text
    assert answer.headers["retry-after"] == "5"


async def test_the_api_documentation_page_loads_its_scripts_and_styles_from_the_gateway(
    gateway: httpx.AsyncClient,
) -> None:
    page = (await gateway.get("/docs")).text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(source.startswith("/") and not source.startswith("//") for source in sources), sources
    for source in sources:
        answer = await gateway.get(source)
        assert answer.status_code == 200 and answer.content, source
    script = await gateway.get("/docs/assets/swagger-ui-bundle.js")
    assert script.headers["content-type"].startswith(("application/javascript", "text/javascript"))
    # Only the page's own assets: another file of the package is not served.
    unknown = await gateway.get("/docs/assets/index.html")
    assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"


async def test_the_gateways_metrics_and_readiness_detail_are_not_for_outside_callers(
    gateway_settings: Callable[..., Settings],
) -> None:
    async with served(web_service()) as web_url:
        runtime = bootstrap(gateway_settings(web_url=web_url))
        async with running(runtime) as inside:
            transport = httpx.ASGITransport(app=runtime.app, client=("203.0.113.9", 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as outside:
                metrics = await outside.get("/metrics")
                ready = await outside.get("/health/ready")
                # A path that is not the gateway's own goes to the pages, marked as forwarded.
                variant = await outside.get("/metrics/")
            inside_metrics = await inside.get("/metrics")

    assert metrics.status_code == 404 and metrics.headers["content-type"] == "application/problem+json"
    assert set(ready.json()) == {"status"}
    assert variant.json()["forwarded_for"] == "203.0.113.9"
    assert inside_metrics.status_code == 200 and "portal_http_request_duration_seconds" in inside_metrics.text
