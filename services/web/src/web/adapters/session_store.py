"""Sessions in the portal's own database, on a plain asyncpg pool: every page reads its session,
so the read is one prepared statement (through SQLAlchemy it cost a page 0.9 ms of CPU)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

from shared.settings import plain_database_url
from web.adapters.tables import sessions
from web.domain.sessions import WebSession

COLUMNS = [column.name for column in sessions.columns]
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM sessions WHERE digest = $1"
_INSERT = (
    f"INSERT INTO sessions ({', '.join(COLUMNS)}) VALUES ({', '.join(f'${n}' for n in range(1, len(COLUMNS) + 1))})"
)


async def _json_as_python(connection: asyncpg.Connection) -> None:
    await connection.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    """A connection goes back to the pool as it is: the store sets no session state (no ``SET``,
    ``LISTEN``, cursor or advisory lock) for asyncpg's reset query to undo, which cost every page a
    second round trip to the database. asyncpg still rolls back a transaction left open."""


class SessionStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @classmethod
    async def connect(cls, database_url: str, *, size: int = 5) -> SessionStore:
        pool = await asyncpg.create_pool(
            plain_database_url(database_url), min_size=1, max_size=size, init=_json_as_python, reset=_nothing_to_reset
        )
        return cls(pool)

    async def close(self) -> None:
        await self._pool.close()

    async def ping(self) -> None:
        await self._pool.fetchval("SELECT 1")

    async def add(self, session: WebSession) -> None:
        await self._pool.execute(_INSERT, *(getattr(session, name) for name in COLUMNS))

    async def get(self, digest: str) -> WebSession | None:
        row = await self._pool.fetchrow(_SELECT, digest)
        return WebSession(**dict(row)) if row is not None else None

    async def touch(self, digest: str, now: datetime) -> None:
        await self._pool.execute("UPDATE sessions SET last_seen_at = $2 WHERE digest = $1", digest, now)

    async def choose_supplier(self, digest: str, supplier_id: UUID | None, scoped_token: str | None) -> None:
        await self._pool.execute(
            "UPDATE sessions SET supplier_id = $2, scoped_token = $3 WHERE digest = $1",
            digest,
            supplier_id,
            scoped_token,
        )

    async def renew(self, digest: str, access_token: str, scoped_token: str | None, expires_at: datetime) -> None:
        """The session goes on with new tokens (the person changed its password: the old ones ended)."""
        await self._pool.execute(
            "UPDATE sessions SET access_token = $2, scoped_token = $3, expires_at = $4 WHERE digest = $1",
            digest,
            access_token,
            scoped_token,
            expires_at,
        )

    async def remove(self, digest: str) -> None:
        await self._pool.execute("DELETE FROM sessions WHERE digest = $1", digest)

    async def purge_ended(self, now: datetime, idle_timeout: timedelta) -> int:
        """Delete the sessions that can no longer be used; how many there were."""
        status = await self._pool.execute(
            "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2", now, now - idle_timeout
        )
        return int(status.split()[-1])
