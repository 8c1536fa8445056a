"""Stores password-check attempts per scope and key, so that login limits hold across restarts and
instances; a transaction-level advisory lock per key makes counting and checking one step."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.adapters.tables import login_attempts


class LoginAttemptRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self, keys: Sequence[tuple[str, str]]) -> None:
        """Hold each key until the transaction ends (always in the same order: no deadlock), so
        that concurrent attempts of a key are counted one after the other."""
        for scope, key in sorted(set(keys)):
            await self._session.execute(
                select(func.pg_advisory_xact_lock(func.hashtextextended(f"login:{scope}:{key}", 0)))
            )

    async def failures(self, scope: str, key: str, *, since: datetime, limit: int) -> list[datetime]:
        """The times of the latest ``limit`` failures of ``key`` after ``since``."""
        query = (
            select(login_attempts.c.at)
            .where(login_attempts.c.scope == scope, login_attempts.c.key == key, login_attempts.c.at > since)
            .order_by(login_attempts.c.at.desc())
            .limit(limit)
        )
        return list((await self._session.execute(query)).scalars())

    async def record_failure(self, scope: str, key: str, *, at: datetime, since: datetime) -> int:
        """Record one failure (its row id); failures of ``key`` that left the window are dropped on the way."""
        await self._session.execute(
            delete(login_attempts).where(
                login_attempts.c.scope == scope, login_attempts.c.key == key, login_attempts.c.at <= since
            )
        )
        inserted = await self._session.execute(
            insert(login_attempts).values(scope=scope, key=key, at=at).returning(login_attempts.c.id)
        )
        return int(inserted.scalar_one())

    async def remove(self, rows: Sequence[int]) -> None:
        if rows:
            await self._session.execute(delete(login_attempts).where(login_attempts.c.id.in_(rows)))

    async def clear(self, scope: str, key: str) -> None:
        await self._session.execute(
            delete(login_attempts).where(login_attempts.c.scope == scope, login_attempts.c.key == key)
        )
