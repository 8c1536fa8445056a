"""What a pooled connection costs on checkout, on real PostgreSQL: nothing while a service is
busy; a connection the server hung up on is replaced without a round trip; one that sat idle
longer than ``PING_AFTER_IDLE_S`` is pinged first (the restart tests cover the server gone)."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from portal_dev.testing import Servers, poll_until
from shared import db
from shared.db import make_engine

pytestmark = pytest.mark.integration


@pytest.fixture
def pings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pings sent: the checkout's ping is the one ``fetchrow`` of a pooled connection (the
    statements go through prepared statements)."""
    sent: list[str] = []
    fetchrow = asyncpg.connection.Connection.fetchrow

    async def counted(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        sent.append(query)
        return await fetchrow(self, query, *args, **kwargs)

    monkeypatch.setattr(asyncpg.connection.Connection, "fetchrow", counted)
    return sent


async def backend(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_a_connection_used_again_at_once_is_not_pinged_and_one_idle_longer_is(
    servers: Servers, pings: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(await servers.create_database("checkout"), pool_size=1)
    try:
        first = await backend(engine)
        for _ in range(20):
            assert await backend(engine) == first
        assert pings == []

        monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)  # every connection counts as idle
        assert await backend(engine) == first
        assert pings == [";"]
    finally:
        await engine.dispose()


async def test_a_connection_the_server_ended_while_pooled_is_replaced_without_failing_the_checkout(
    servers: Servers, pings: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 3600.0)  # never pinged: the hang-up alone says it
    url = await servers.create_database("checkout")
    engine = make_engine(url, pool_size=1)
    other = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            ended = int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())
            pooled = (await conn.get_raw_connection()).driver_connection
        async with other.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": ended})
        await poll_until(lambda: pooled.is_closed(), what="the hang-up seen")

        assert await backend(engine) != ended
        assert pings == []
    finally:
        await engine.dispose()
        await other.dispose()


async def test_at_a_low_rate_the_connection_checked_in_last_serves_again_and_is_not_pinged(
    servers: Servers, pings: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three connections opened at once, then one request at a time: always the newest comes back
    out, so the others idle together and the one in use is never pinged."""
    engine = make_engine(await servers.create_database("checkout"), pool_size=3)
    try:
        connections = [await engine.connect() for _ in range(3)]
        pids = [int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()) for conn in connections]
        for conn in connections:
            await conn.close()
        assert {await backend(engine) for _ in range(10)} == {pids[-1]}
        assert pings == []
    finally:
        await engine.dispose()
