"""Login rate limits on real PostgreSQL: 429 with Retry-After per account and per address, reset on success."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest

from gateway.bootstrap import bootstrap
from gateway.config import Settings
from portal_dev.testing import poll_until, running
from tests.gateway.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

TOKEN = "/api/v1/auth/token"

StartGateway = Callable[..., AbstractAsyncContextManager[Callable[[str], httpx.AsyncClient]]]


@pytest.fixture
def start_gateway(gateway_settings: Callable[..., Settings]) -> StartGateway:
    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[Callable[[str], httpx.AsyncClient]]:
        """A running gateway; the yielded function gives a client calling from a given address."""
        settings = gateway_settings(**overrides)
        runtime = bootstrap(settings)
        clients: list[httpx.AsyncClient] = []

        def client_from(ip: str) -> httpx.AsyncClient:
            transport = httpx.ASGITransport(app=runtime.app, client=(ip, 40000))
            clients.append(httpx.AsyncClient(transport=transport, base_url="http://gateway"))
            return clients[-1]

        async with running(runtime):
            try:
                yield client_from
            finally:
                for client in clients:
                    await client.aclose()

    return start


async def _attempt(client: httpx.AsyncClient, password: str, email: str = ADMIN_EMAIL) -> httpx.Response:
    return await client.post(TOKEN, json={"email": email, "password": password})


async def test_an_account_is_refused_with_429_and_retry_after_after_too_many_failures(
    start_gateway: StartGateway,
) -> None:
    async with start_gateway(login_max_failures_per_account=3, login_window_s=900) as client_from:
        client = client_from("198.51.100.1")
        for _ in range(3):
            assert (await _attempt(client, "wrong-password")).status_code == 401
        blocked = await _attempt(client, ADMIN_PASSWORD)  # even the right password waits
        # Another address does not help: the limit is the account's.
        elsewhere = await _attempt(client_from("198.51.100.2"), "wrong-password")
        other_account = await _attempt(client, "wrong-password", email="someone@buyer.example")

    assert blocked.status_code == 429
    assert blocked.headers["content-type"] == "application/problem+json"
    assert 890 <= int(blocked.headers["Retry-After"]) <= 900
    assert blocked.json()["status"] == 429 and "too many" in blocked.json()["detail"]
    assert elsewhere.status_code == 429 and "Retry-After" in elsewhere.headers
    assert other_account.status_code == 401


async def test_a_successful_sign_in_resets_the_account_and_successes_are_never_limited(
    start_gateway: StartGateway,
) -> None:
    async with start_gateway(login_max_failures_per_account=3, login_max_failures_per_ip=100) as client_from:
        client = client_from("198.51.100.3")
        for _ in range(2):
            assert (await _attempt(client, "wrong-password")).status_code == 401
        assert (await _attempt(client, ADMIN_PASSWORD)).status_code == 200
        # Reset: two more failures are allowed before the third blocks.
        for _ in range(2):
            assert (await _attempt(client, "wrong-password")).status_code == 401
        assert (await _attempt(client, ADMIN_PASSWORD)).status_code == 200
        signed_in = [(await _attempt(client, ADMIN_PASSWORD)).status_code for _ in range(20)]

    assert signed_in == [200] * 20


async def test_an_address_is_limited_across_accounts(start_gateway: StartGateway) -> None:
    async with start_gateway(login_max_failures_per_account=100, login_max_failures_per_ip=4) as client_from:
        attacker, other = client_from("203.0.113.9"), client_from("203.0.113.10")
        for n in range(4):
            assert (await _attempt(attacker, "wrong-password", email=f"user{n}@buyer.example")).status_code == 401
        blocked = await _attempt(attacker, "wrong-password", email="fresh@buyer.example")
        from_elsewhere = await _attempt(other, ADMIN_PASSWORD)

    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert from_elsewhere.status_code == 200


async def test_the_limit_holds_across_restarts(start_gateway: StartGateway) -> None:
    limits = {"login_max_failures_per_account": 2, "login_window_s": 900}
    async with start_gateway(**limits) as client_from:
        client = client_from("198.51.100.4")
        for _ in range(2):
            assert (await _attempt(client, "wrong-password")).status_code == 401

    async with start_gateway(**limits) as client_from:  # a new instance on the same database
        blocked = await _attempt(client_from("198.51.100.5"), ADMIN_PASSWORD)

    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 800


async def test_the_block_ends_when_the_window_passes(start_gateway: StartGateway) -> None:
    # A window of a few seconds: long enough for the failed attempts (argon2) on a busy machine.
    async with start_gateway(login_max_failures_per_account=2, login_window_s=5) as client_from:
        client = client_from("198.51.100.6")
        for _ in range(2):
            assert (await _attempt(client, "wrong-password")).status_code == 401
        blocked = await _attempt(client, ADMIN_PASSWORD)

        async def signed_in() -> bool | None:
            return (await _attempt(client, ADMIN_PASSWORD)).status_code == 200 or None

        assert await poll_until(signed_in, timeout_s=30, interval_s=0.2, what="the window to pass")

    assert blocked.status_code == 429 and 1 <= int(blocked.headers["Retry-After"]) <= 5
