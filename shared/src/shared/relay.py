"""The outbox relay: publishes unsent outbox rows to Kafka in order and marks them sent.

One relay at a time per database publishes (a transaction-scoped advisory lock), so two
instances of a service never reorder events. A row is marked sent only after the broker has
acknowledged it with ``acks="all"``; a crash in between publishes it again, which the
consumers' inbox absorbs.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared import faults, tracing
from shared.outbox import OUTBOX_CHANNEL
from shared.settings import plain_database_url

log = structlog.get_logger(__name__)

_RELAY_LOCK = 0x6F7574626F78  # "outbox"

_SELECT_UNSENT = text(
    "SELECT id, topic, key, value, headers FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT :limit FOR UPDATE"
)
_MARK_SENT = text("UPDATE outbox SET sent_at = :now WHERE id = ANY(:ids)")


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        producer: AIOKafkaProducer,
        *,
        database_url: str,
        batch_size: int = 200,
        poll_interval_s: float = 1.0,
    ) -> None:
        self._engine = engine
        self._producer = producer
        self._dsn = plain_database_url(database_url)
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._wake = asyncio.Event()
        self._listener: asyncpg.Connection | None = None
        self.published = 0

    async def publish_pending(self) -> int:
        """Publish one batch; returns how many rows were published (0: nothing to do)."""
        async with self._engine.begin() as conn:
            locked = (await conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _RELAY_LOCK})).scalar()
            if not locked:
                return 0
            rows = (await conn.execute(_SELECT_UNSENT, {"limit": self._batch_size})).all()
            if not rows:
                return 0
            scopes = {row.topic for row in rows} | {str(row.headers.get("type")) for row in rows}
            await faults.reached("relay.before_publish", *scopes)
            with tracing.publishing([(row.topic, row.headers) for row in rows]) as headers:
                sends = [
                    await self._producer.send(
                        row.topic,
                        value=row.value,
                        key=row.key.encode(),
                        headers=[(k, str(v).encode()) for k, v in row_headers.items()],
                    )
                    for row, row_headers in zip(rows, headers, strict=True)
                ]
                await asyncio.gather(*sends)
            await conn.execute(_MARK_SENT, {"now": datetime.now(UTC), "ids": [r.id for r in rows]})
        self.published += len(rows)
        return len(rows)

    async def run(self) -> None:
        """Publish until cancelled; woken by NOTIFY on commit, polling as a fallback."""
        backoff = 0.2
        while True:
            # Cleared before reading the outbox, never after: a commit notified while a batch is
            # being published is then still pending when the batch is done, and read at once.
            self._wake.clear()
            try:
                await self._ensure_listener()
                while await self.publish_pending() >= self._batch_size:
                    pass
                backoff = 0.2
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database away: keep the rows, try again
                log.warning("outbox relay failed; retrying", error=str(exc), backoff_s=backoff)
                await self._drop_listener()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_interval_s)

    async def close(self) -> None:
        await self._drop_listener()

    async def _ensure_listener(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            return
        self._listener = await asyncpg.connect(self._dsn, timeout=5)
        await self._listener.add_listener(OUTBOX_CHANNEL, self._on_notify)

    async def _drop_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None and not listener.is_closed():
            with contextlib.suppress(Exception):
                await listener.close(timeout=2)

    def _on_notify(self, *_: object) -> None:
        self._wake.set()
