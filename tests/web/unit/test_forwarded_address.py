"""The pages call the gateway with the person's address: the chain of addresses the page request
came with, its peer appended, goes with every call made while serving it (and with no other)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from web.adapters.gateway_api import FORWARDING, ForwardingMiddleware, GatewayApi


def _app() -> FastAPI:
    app = FastAPI()
    app.add_middleware(ForwardingMiddleware)

    @app.get("/sign-in")
    async def page() -> dict[str, str]:
        return GatewayApi(client=None)._headers()  # type: ignore[arg-type]

    return app


async def test_the_page_requests_addresses_go_with_its_calls_to_the_gateway() -> None:
    transport = httpx.ASGITransport(app=_app(), client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://web") as client:
        sent = (await client.get("/sign-in", headers={"x-forwarded-for": "203.0.113.7, 127.0.0.1"})).json()
        alone = (await client.get("/sign-in")).json()

    assert sent["x-forwarded-for"] == "203.0.113.7, 127.0.0.1, 127.0.0.1"
    assert alone["x-forwarded-for"] == "127.0.0.1" and alone["forwarded"] == "for=127.0.0.1"
    assert FORWARDING.get() == {}
