"""``GET /api/v1/health`` over every service's ready answer: "ok"; "stalled" with 200 when every
service is ready but one reports documents waiting too long (the API can serve: a load balancer or
uptime check must not act on it); "degraded" with 503 when one is not ready. Small real HTTP
servers stand in for the services."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from gateway.bootstrap import bootstrap
from gateway.config import Settings
from gateway.entrypoints.proxy import overall_health
from portal_dev.testing import Tokens

READY = {"status": "ok", "checks": {"database": True, "broker": True}}
STALLED = READY | {"stalled": {"invoice_matching": {"count": 33, "threshold_s": 60, "oldest_age_s": 412.0}}}
UNAVAILABLE = {"status": "unavailable", "checks": {"database": False, "broker": True}}


def test_a_stall_is_reported_with_200_and_a_service_not_ready_with_503_before_anything() -> None:
    assert overall_health({"orders": READY, "invoicing": READY | {"stalled": {}}}) == ("ok", 200)
    assert overall_health({"orders": READY, "invoicing": STALLED}) == ("stalled", 200)
    assert overall_health({"orders": UNAVAILABLE, "invoicing": STALLED}) == ("degraded", 503)
    assert overall_health({"orders": {"status": "unreachable"}, "invoicing": READY}) == ("degraded", 503)


def service_answering(ready: dict[str, Any]) -> type[BaseHTTPRequestHandler]:
    body = json.dumps(ready).encode()

    class Service(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if ready["status"] == "ok" else 503)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Service


@pytest.fixture
def start_services() -> Iterator[Any]:
    started: list[ThreadingHTTPServer] = []

    def start(answers: dict[str, dict[str, Any]]) -> dict[str, str]:
        urls = {}
        for name, ready in answers.items():
            server = ThreadingHTTPServer(("127.0.0.1", 0), service_answering(ready))
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
            started.append(server)
            urls[f"{name}_url"] = f"http://127.0.0.1:{server.server_address[1]}"
        return urls

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


async def gateway_health(tokens: Tokens, urls: dict[str, str], client: str = "127.0.0.1") -> httpx.Response:
    settings = Settings(
        jwt_private_key_file=tokens.private_key_file,
        jwt_public_key_file=tokens.public_key_file,
        log_format="console",
        **urls,  # type: ignore[arg-type]
    )
    runtime = bootstrap(settings)
    try:
        transport = httpx.ASGITransport(app=runtime.app, client=(client, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            return await http.get("/api/v1/health")
    finally:
        await runtime.app.state.upstreams.close()
        await runtime.engine.dispose()


SERVICES = ("suppliers", "orders", "invoicing", "matching", "notifier", "web")


async def test_the_gateway_says_stalled_with_200_and_names_the_service_and_kind(tokens: Tokens, start_services) -> None:  # type: ignore[no-untyped-def]
    urls = start_services({name: STALLED if name == "invoicing" else READY for name in SERVICES})

    answer = await gateway_health(tokens, urls)

    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "stalled"
    assert body["stalled"] == {"invoicing": STALLED["stalled"]}
    assert body["services"]["invoicing"]["stalled"] == STALLED["stalled"]
    assert {name: service["status"] for name, service in body["services"].items()} == dict.fromkeys(SERVICES, "ok")


async def test_a_service_that_is_not_ready_makes_it_degraded_even_with_a_stall(tokens: Tokens, start_services) -> None:  # type: ignore[no-untyped-def]
    answers = {name: READY for name in SERVICES} | {"invoicing": STALLED, "orders": UNAVAILABLE}

    answer = await gateway_health(tokens, start_services(answers))

    assert answer.status_code == 503
    assert answer.json()["status"] == "degraded"
    assert answer.json()["stalled"] == {"invoicing": STALLED["stalled"]}


async def test_outside_the_internal_networks_the_answer_is_the_status_alone(tokens: Tokens, start_services) -> None:  # type: ignore[no-untyped-def]
    answers = {name: READY for name in SERVICES} | {"invoicing": STALLED, "orders": UNAVAILABLE}
    urls = start_services(answers)

    outside = await gateway_health(tokens, urls, client="203.0.113.9")
    ready = await gateway_health(tokens, start_services(dict.fromkeys(SERVICES, READY)), client="198.51.100.4")

    assert outside.status_code == 503 and outside.json() == {"status": "degraded"}
    assert ready.status_code == 200 and ready.json() == {"status": "ok"}
