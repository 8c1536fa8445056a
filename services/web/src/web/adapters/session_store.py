"""Sessions in the portal's own database."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from web.adapters.tables import sessions
from web.domain.sessions import WebSession


class SessionStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, session: WebSession) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(sessions.insert().values(**_row(session)))

    async def get(self, digest: str) -> WebSession | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(sessions).where(sessions.c.digest == digest))).mappings().first()
        return WebSession(**row) if row is not None else None

    async def touch(self, digest: str, now: datetime) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(update(sessions).where(sessions.c.digest == digest).values(last_seen_at=now))

    async def choose_supplier(self, digest: str, supplier_id: UUID | None, scoped_token: str | None) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(sessions)
                .where(sessions.c.digest == digest)
                .values(supplier_id=supplier_id, scoped_token=scoped_token)
            )

    async def remove(self, digest: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(sessions).where(sessions.c.digest == digest))

    async def purge_ended(self, now: datetime, idle_timeout: timedelta) -> int:
        """Delete the sessions that can no longer be used; how many there were."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                delete(sessions).where(or_(sessions.c.expires_at <= now, sessions.c.last_seen_at <= now - idle_timeout))
            )
        return int(result.rowcount or 0)


def _row(session: WebSession) -> dict[str, object]:
    return {column.name: getattr(session, column.name) for column in sessions.columns}
