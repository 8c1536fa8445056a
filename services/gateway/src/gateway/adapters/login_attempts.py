"""Stores failed sign-ins per scope and key, so that login limits hold across restarts and instances."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.adapters.tables import login_attempts


class LoginAttemptRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def failures(self, scope: str, key: str, *, since: datetime, limit: int) -> list[datetime]:
        """The times of the latest ``limit`` failures of ``key`` after ``since``."""
        query = (
            select(login_attempts.c.at)
            .where(login_attempts.c.scope == scope, login_attempts.c.key == key, login_attempts.c.at > since)
            .order_by(login_attempts.c.at.desc())
            .limit(limit)
        )
        return list((await self._session.execute(query)).scalars())

    async def record_failure(self, scope: str, key: str, *, at: datetime, since: datetime) -> None:
        """Record one failure; failures of ``key`` that left the window are dropped on the way."""
        await self._session.execute(
            delete(login_attempts).where(
                login_attempts.c.scope == scope, login_attempts.c.key == key, login_attempts.c.at <= since
            )
        )
        await self._session.execute(insert(login_attempts).values(scope=scope, key=key, at=at))

    async def clear(self, scope: str, key: str) -> None:
        await self._session.execute(
            delete(login_attempts).where(login_attempts.c.scope == scope, login_attempts.c.key == key)
        )
