"""Login limits on real PostgreSQL: 429 with Retry-After per account and address, per address and
per account; the wait grows with each further failure; the attempt is counted before the hash."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from gateway.adapters import passwords
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


async def test_guesses_from_one_address_do_not_lock_the_owner_out_from_another(start_gateway: StartGateway) -> None:
    async with start_gateway(login_free_failures_per_account_and_ip=3, login_first_delay_s=600) as client_from:
        guesser, owner = client_from("198.51.100.1"), client_from("198.51.100.2")
        for _ in range(3):
            assert (await _attempt(guesser, "wrong-password")).status_code == 401
        blocked = await _attempt(guesser, ADMIN_PASSWORD)  # even the right password waits
        from_elsewhere = await _attempt(owner, ADMIN_PASSWORD)
        other_account = await _attempt(guesser, "wrong-password", email="someone@buyer.example")

    assert blocked.status_code == 429
    assert blocked.headers["content-type"] == "application/problem+json"
    assert 590 <= int(blocked.headers["Retry-After"]) <= 600
    assert blocked.json()["status"] == 429 and "too many" in blocked.json()["detail"]
    assert from_elsewhere.status_code == 200
    assert other_account.status_code == 401


async def test_the_wait_doubles_with_each_further_failure(start_gateway: StartGateway) -> None:
    overrides = {"login_free_failures_per_account_and_ip": 2, "login_first_delay_s": 2, "login_max_delay_s": 60}
    async with start_gateway(**overrides) as client_from:
        client = client_from("198.51.100.7")
        for _ in range(2):
            assert (await _attempt(client, "wrong-password")).status_code == 401
        waits = []
        for failure in range(3):
            # Right after a failure beyond the free ones the next attempt waits; once it may, the
            # wrong password is one more failure.
            waited = await _attempt(client, "wrong-password")
            assert waited.status_code == 429, waited.text
            waits.append(int(waited.headers["Retry-After"]))

            async def tried_again() -> bool | None:
                answer = await _attempt(client, "wrong-password")
                return answer.status_code == 401 or None

            await poll_until(tried_again, timeout_s=30, interval_s=0.25, what=f"the wait after failure {failure + 3}")
        last = await _attempt(client, ADMIN_PASSWORD)

    # 2 s, 4 s, 8 s after the latest failure (less the moments since it); then 16 s.
    assert waits[0] <= 2 < waits[1] <= 4 < waits[2] <= 8, waits
    assert last.status_code == 429 and 8 < int(last.headers["Retry-After"]) <= 16


async def test_an_address_is_limited_across_accounts(start_gateway: StartGateway) -> None:
    async with start_gateway(login_free_failures_per_ip=4, login_first_delay_s=600) as client_from:
        attacker, other = client_from("203.0.113.9"), client_from("203.0.113.10")
        for n in range(4):
            assert (await _attempt(attacker, "wrong-password", email=f"user{n}@buyer.example")).status_code == 401
        blocked = await _attempt(attacker, "wrong-password", email="fresh@buyer.example")
        from_elsewhere = await _attempt(other, ADMIN_PASSWORD)

    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert from_elsewhere.status_code == 200


async def test_an_account_is_limited_across_addresses_more_loosely(start_gateway: StartGateway) -> None:
    overrides = {"login_free_failures_per_account_and_ip": 2, "login_free_failures_per_account": 6}
    async with start_gateway(**overrides, login_first_delay_s=600) as client_from:
        for n in range(3):
            client = client_from(f"192.0.2.{n + 1}")
            for _ in range(2):
                assert (await _attempt(client, "wrong-password")).status_code == 401
        blocked = await _attempt(client_from("192.0.2.99"), ADMIN_PASSWORD)

    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 500


async def test_a_burst_of_concurrent_wrong_passwords_is_counted_before_any_hash(
    start_gateway: StartGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified = 0

    class CountingHasher(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            nonlocal verified
            verified += 1
            return super().verify(hash, password)

    monkeypatch.setattr(passwords, "_hasher", CountingHasher())
    async with start_gateway(login_free_failures_per_account_and_ip=3, login_first_delay_s=600) as client_from:
        clients = [client_from("198.51.100.8") for _ in range(12)]
        answers = await asyncio.gather(*(_attempt(client, "wrong-password") for client in clients))

    codes = sorted(answer.status_code for answer in answers)
    assert codes == [401] * 3 + [429] * 9, codes
    assert verified == 3


async def test_a_right_password_forgives_the_account_from_that_address_and_successes_never_count(
    start_gateway: StartGateway,
) -> None:
    overrides = {"login_free_failures_per_account_and_ip": 3, "login_first_delay_s": 600}
    async with start_gateway(**overrides) as client_from:
        client = client_from("198.51.100.3")
        for _ in range(2):
            assert (await _attempt(client, "wrong-password")).status_code == 401
        assert (await _attempt(client, ADMIN_PASSWORD)).status_code == 200
        # Forgiven: two more failures are free before the third counts.
        for _ in range(2):
            assert (await _attempt(client, "wrong-password")).status_code == 401
        assert (await _attempt(client, ADMIN_PASSWORD)).status_code == 200
        signed_in = [(await _attempt(client, ADMIN_PASSWORD)).status_code for _ in range(20)]

    assert signed_in == [200] * 20


async def test_the_limit_holds_across_restarts(start_gateway: StartGateway) -> None:
    limits = {"login_free_failures_per_account_and_ip": 2, "login_first_delay_s": 900}
    async with start_gateway(**limits) as client_from:
        client = client_from("198.51.100.4")
        for _ in range(2):
            assert (await _attempt(client, "wrong-password")).status_code == 401

    async with start_gateway(**limits) as client_from:  # a new instance on the same database
        blocked = await _attempt(client_from("198.51.100.4"), ADMIN_PASSWORD)

    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 800


async def test_the_block_ends_when_the_window_passes(start_gateway: StartGateway) -> None:
    # A window of a few seconds: long enough for the failed attempts (argon2) on a busy machine.
    overrides = {"login_free_failures_per_account_and_ip": 2, "login_window_s": 5, "login_first_delay_s": 600}
    async with start_gateway(**overrides) as client_from:
        client = client_from("198.51.100.6")
        for _ in range(2):
            assert (await _attempt(client, "wrong-password")).status_code == 401
        blocked = await _attempt(client, ADMIN_PASSWORD)

        async def signed_in() -> bool | None:
            return (await _attempt(client, ADMIN_PASSWORD)).status_code == 200 or None

        assert await poll_until(signed_in, timeout_s=30, interval_s=0.2, what="the window to pass")

    assert blocked.status_code == 429 and 1 <= int(blocked.headers["Retry-After"]) <= 5


async def test_a_forwarded_address_is_believed_only_from_a_trusted_proxy(start_gateway: StartGateway) -> None:
    overrides = {"login_free_failures_per_account_and_ip": 2, "login_first_delay_s": 600}
    async with start_gateway(**overrides, trusted_proxies="10.0.0.0/24") as client_from:
        proxy, stranger = client_from("10.0.0.5"), client_from("203.0.113.50")

        async def attempt(client: httpx.AsyncClient, password: str, forwarded_for: str) -> int:
            answer = await client.post(
                TOKEN, json={"email": ADMIN_EMAIL, "password": password}, headers={"x-forwarded-for": forwarded_for}
            )
            return answer.status_code

        # Behind the trusted proxy (two hops of it), the address before it is the client's, whatever
        # that client wrote into the header itself.
        guesses = [await attempt(proxy, "wrong-password", f"192.0.2.{n}, 198.51.100.60, 10.0.0.9") for n in range(2)]
        guesser_again = await attempt(proxy, ADMIN_PASSWORD, "198.51.100.60")
        owner_behind_the_proxy = await attempt(proxy, ADMIN_PASSWORD, "198.51.100.61")
        # From a peer that is no trusted proxy the header is ignored: the peer is the client.
        stranger_guesses = [await attempt(stranger, "wrong-password", f"198.51.100.{70 + n}") for n in range(2)]
        stranger_claiming_another = await attempt(stranger, ADMIN_PASSWORD, "198.51.100.99")

    assert guesses == [401, 401]
    assert guesser_again == 429
    assert owner_behind_the_proxy == 200
    assert stranger_guesses == [401, 401]
    assert stranger_claiming_another == 429


async def test_the_standard_forwarded_header_when_the_proxies_write_that(start_gateway: StartGateway) -> None:
    overrides = {"login_free_failures_per_account_and_ip": 1, "login_first_delay_s": 600}
    async with start_gateway(**overrides, trusted_proxies="10.0.0.5", trusted_proxy_header="forwarded") as client_from:
        proxy = client_from("10.0.0.5")

        async def attempt(password: str, headers: dict[str, str]) -> int:
            answer = await proxy.post(TOKEN, json={"email": ADMIN_EMAIL, "password": password}, headers=headers)
            return answer.status_code

        guess = await attempt("wrong-password", {"forwarded": 'for="[2001:db8::7]:4711";proto=https'})
        again = await attempt(ADMIN_PASSWORD, {"forwarded": 'for="[2001:db8::7]"'})
        # X-Forwarded-For is not what these proxies write: a client's own is no address of its.
        spoofed = await attempt(ADMIN_PASSWORD, {"forwarded": 'for="[2001:db8::7]"', "x-forwarded-for": "192.0.2.1"})
        other = await attempt(ADMIN_PASSWORD, {"forwarded": "for=192.0.2.1"})

    assert (guess, again, spoofed, other) == (401, 429, 429, 200)
