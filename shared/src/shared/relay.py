"""The outbox relay: publishes unsent outbox rows to Kafka in order and marks them sent.

One relay at a time per database publishes: the one holding a session-level advisory lock on
its own connection. Standing relays (more instances of a service) try for the lock whenever
they are woken and take over as soon as the publishing one's connection ends; the connection
asks the server to probe an idle client (TCP keepalives), so a relay whose host vanished gives
the lock up in under a minute. A row is marked sent only after the broker has acknowledged it
with ``acks="all"``; a crash in between publishes it again, which the consumers' inbox absorbs.

The relay talks to PostgreSQL over that one connection, also the one it listens on, with two
statements per batch (read the unsent rows, mark them sent) and no transaction around them:
holding the lock, it is the only writer of ``sent_at``. Every commit that writes outbox rows
wakes it (``NOTIFY``), and so does the end of its connection (it reconnects at once); it also
polls, in case a notification was missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer

from shared import faults, tracing
from shared.outbox import OUTBOX_CHANNEL
from shared.settings import plain_database_url

log = structlog.get_logger(__name__)

_RELAY_LOCK = 0x6F7574626F78  # "outbox"

_TAKE_LOCK = "SELECT pg_try_advisory_lock($1)"
_SELECT_UNSENT = (
    "SELECT id, topic, key, value, headers::text AS headers FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1"
)
_MARK_SENT = "UPDATE outbox SET sent_at = $1 WHERE id = ANY($2::bigint[])"

# A client that stops answering (its host gone, a network cut) is noticed by the server after
# about idle + interval × count seconds, which ends its session and frees the lock for another.
KEEPALIVES = {"tcp_keepalives_idle": "10", "tcp_keepalives_interval": "5", "tcp_keepalives_count": "3"}


class OutboxRelay:
    def __init__(
        self,
        producer: AIOKafkaProducer,
        *,
        database_url: str,
        batch_size: int = 200,
        poll_interval_s: float = 1.0,
    ) -> None:
        self._producer = producer
        self._dsn = plain_database_url(database_url)
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._wake = asyncio.Event()
        self._stopping = False
        self._stopped = asyncio.Event()
        self._connection: asyncpg.Connection | None = None
        self._leading = False
        self.published = 0

    @property
    def leading(self) -> bool:
        """Whether this relay holds the lock: the one that publishes."""
        return self._leading

    async def publish_pending(self) -> int:
        """Publish one batch if this relay leads; returns how many rows it published."""
        connection = await self._connect()
        if not self._leading:
            self._leading = bool(await connection.fetchval(_TAKE_LOCK, _RELAY_LOCK))
            if not self._leading:
                return 0
            log.info("outbox relay publishing")
        rows = await connection.fetch(_SELECT_UNSENT, self._batch_size)
        if not rows:
            return 0
        stored = [json.loads(row["headers"]) for row in rows]
        scopes = {row["topic"] for row in rows} | {str(headers.get("type")) for headers in stored}
        await faults.reached("relay.before_publish", *scopes)
        with tracing.publishing([(row["topic"], headers) for row, headers in zip(rows, stored, strict=True)]) as sent:
            sends = [
                await self._producer.send(
                    row["topic"],
                    value=row["value"],
                    key=row["key"].encode(),
                    headers=[(k, str(v).encode()) for k, v in headers.items()],
                )
                for row, headers in zip(rows, sent, strict=True)
            ]
            await asyncio.gather(*sends)
        await connection.execute(_MARK_SENT, datetime.now(UTC), [row["id"] for row in rows])
        self.published += len(rows)
        return len(rows)

    async def run(self) -> None:
        """Publish until cancelled or stopped; woken by NOTIFY on commit, polling as a fallback."""
        backoff = 0.2
        try:
            while True:
                stopping = self._stopping
                # Cleared before reading the outbox, never after: a commit notified while a batch
                # is being published is then still pending when the batch is done, and read at once.
                self._wake.clear()
                try:
                    while await self.publish_pending() >= self._batch_size:
                        pass
                    backoff = 0.2
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # broker or database away: keep the rows, try again
                    log.warning("outbox relay failed; retrying", error=str(exc), backoff_s=backoff)
                    await self.close()
                    if stopping:
                        return  # the rows stay for the next relay
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 5.0)
                    continue
                if stopping:
                    return
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_interval_s)
        finally:
            self._stopped.set()

    async def stop(self, timeout_s: float = 5.0) -> None:
        """Let ``run`` finish the batch in flight, publish what was committed before this call,
        and return; waits at most ``timeout_s`` (then cancel the task). Stopping a service so,
        after its consumers and HTTP server, leaves no row published and not marked sent, and no
        event of its last commits waiting for the next start."""
        self._stopping = True
        self._wake.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopped.wait(), timeout_s)

    async def close(self) -> None:
        """End the connection, and with it the lock if this relay held it."""
        connection, self._connection = self._connection, None
        self._leading = False
        if connection is not None and not connection.is_closed():
            with contextlib.suppress(Exception):
                await connection.close(timeout=2)

    async def _connect(self) -> asyncpg.Connection:
        if self._connection is not None and not self._connection.is_closed():
            return self._connection
        await self.close()  # a connection that ended took the lock with it
        connection = await asyncpg.connect(self._dsn, timeout=5, server_settings=KEEPALIVES)
        try:
            await connection.add_listener(OUTBOX_CHANNEL, self._on_notify)
            # Lost, it hears no more commits: reconnect (and try for the lock again) at once.
            connection.add_termination_listener(self._on_notify)
        except BaseException:
            await connection.close(timeout=2)
            raise
        self._connection = connection
        return connection

    def _on_notify(self, *_: object) -> None:
        self._wake.set()
