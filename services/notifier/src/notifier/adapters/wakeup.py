"""Wakes the email sender when emails are queued: PostgreSQL LISTEN on the emails channel.

Any instance's commit wakes every instance's sender; polling remains the fallback when the
listening connection is away.
"""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg

from notifier.adapters.tables import EMAILS_CHANNEL
from shared.settings import plain_database_url


class QueuedEmailsListener:
    def __init__(self, database_url: str) -> None:
        self._dsn = plain_database_url(database_url)
        self._connection: asyncpg.Connection | None = None
        self.wake = asyncio.Event()

    async def ensure_listening(self) -> None:
        if self._connection is not None and not self._connection.is_closed():
            return
        self._connection = await asyncpg.connect(self._dsn, timeout=5)
        await self._connection.add_listener(EMAILS_CHANNEL, self._on_notify)

    async def wait(self, timeout_s: float) -> None:
        """Until an email is queued or ``timeout_s`` passed."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.wake.wait(), max(timeout_s, 0.0))
        self.wake.clear()

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            with contextlib.suppress(Exception):
                await connection.close(timeout=2)

    def _on_notify(self, *_: object) -> None:
        self.wake.set()
