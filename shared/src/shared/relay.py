"""The outbox relay: publishes unsent outbox rows to Kafka in order and marks them sent.

One relay at a time per database publishes: the one holding a session-level advisory lock on
its own connection. Standing relays (more instances of a service) try for the lock whenever
they are woken and take over as soon as the publishing one's connection ends; the connection
asks the server to probe an idle client (TCP keepalives), so a relay whose host vanished gives
the lock up in under a minute. A row is marked sent only after the broker has acknowledged it
with ``acks="all"``; a crash in between publishes it again, which the consumers' inbox absorbs.

The relay talks to PostgreSQL over that one connection, also the one it listens on, with two
statements per batch (read the unsent rows, mark them sent) and no transaction around them:
holding the lock, it is the only one that marks rows sent (``publish_again`` only clears the mark
of rows already sent, never of a row a batch in flight holds). Every commit that writes outbox
rows wakes it (``NOTIFY``), and so does the end of its connection (it reconnects at once); it
also polls, in case a notification was missed.

A broker that restarted empty (the embedded one keeps everything in memory) has lost what the
relay published to it. Such a broker answers with another cluster id (the embedded one takes a
new one at each start; Apache Kafka keeps one for the life of its data), so the publishing relay
asks for it when it starts publishing, after each failure and at most every
``broker_check_interval_s`` otherwise, and compares it with the one in ``relay_state``. Another
one: in one transaction, the rows sent within the republish window become unsent again and the
new id is stored; the relay then publishes them again in id order with the rest. The check comes
before a batch is read, never between a batch's publication and its mark, so every row marked
sent before the check is inside the window (a batch that reached the fresh broker before the
check goes out twice: the consumers' inbox drops the copy). The pruning (``shared.pruning``)
deletes only rows sent longer ago than the outbox's retention, which the settings keep at least
as long as the window, and never a row without ``sent_at``: none that a batch in flight holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError
from aiokafka.protocol.metadata import MetadataRequest

from shared import faults, tracing
from shared.outbox import OUTBOX_CHANNEL
from shared.settings import plain_database_url

log = structlog.get_logger(__name__)

_RELAY_LOCK = 0x6F7574626F78  # "outbox"

_TAKE_LOCK = "SELECT pg_try_advisory_lock($1)"
_SELECT_UNSENT = (
    "SELECT id, topic, key, value, headers::text AS headers FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1"
)
# On the database's clock, the one the republish window and ``publish_again`` measure with. Sent
# as plain text with the ids in it (integers the outbox gave), so that the server plans it for the
# outbox as it is at each batch: a prepared statement is given, after its fifth run, one plan kept
# for the session, and one made while a new service's outbox holds a few rows reads the whole
# table, as it would at every batch thereafter (sent rows stay for the retention) until the next
# ANALYZE. Reading the unsent rows keeps its prepared plan: the index of unsent rows, whose scan
# skips the rows marked since (a plan per run reads them all again, from the table, until VACUUM).
_MARK_SENT = "UPDATE outbox SET sent_at = now() WHERE id = ANY('{{{ids}}}'::bigint[])"
_MARK_UNSENT_SINCE = "UPDATE outbox SET sent_at = NULL WHERE sent_at >= $1"
_WINDOW_START = "SELECT now() - $1::interval"
_STORED_CLUSTER_ID = "SELECT cluster_id FROM relay_state ORDER BY seen_at DESC LIMIT 1"
_FORGET_CLUSTER_IDS = "DELETE FROM relay_state"
_STORE_CLUSTER_ID = "INSERT INTO relay_state (cluster_id, seen_at) VALUES ($1, now())"

DEFAULT_REPUBLISH_WINDOW_S = 7 * 86_400.0  # Kafka's default retention

# A client that stops answering (its host gone, a network cut) is noticed by the server after
# about idle + interval × count seconds, which ends its session and frees the lock for another.
KEEPALIVES = {"tcp_keepalives_idle": "10", "tcp_keepalives_interval": "5", "tcp_keepalives_count": "3"}


ClusterIdQuestion = Callable[[], Awaitable[str | None]]


async def ask_cluster_id(producer: AIOKafkaProducer) -> str | None:
    """The cluster id of the broker ``producer`` publishes to, or None from a broker too old to say
    (Metadata before v2): one Metadata request for no topics, on the producer's own connections."""
    client = producer.client
    node_id = client.get_random_node()
    if node_id is None:
        raise KafkaConnectionError("the producer knows no broker to ask for its cluster id")
    answer = await client.send(node_id, MetadataRequest([], allow_auto_topic_creation=False))
    cluster_id = getattr(answer, "cluster_id", None)
    return str(cluster_id) if cluster_id else None


async def publish_again(connection: asyncpg.Connection, since: datetime) -> int:
    """Mark the outbox rows sent at or after ``since`` unsent and wake the relay, which publishes
    them again, in id order with any rows not sent yet; returns how many. Harmless to the
    consumers, which skip an event they have handled (their inbox); a consumer that had not seen
    one (a fresh broker, a new consumer group) gets it. ``since`` must carry its time zone."""
    if since.tzinfo is None:
        raise ValueError("publish_again needs a time with its time zone")
    async with connection.transaction():
        status = await connection.execute(_MARK_UNSENT_SINCE, since)
        await connection.execute(f"NOTIFY {OUTBOX_CHANNEL}")  # delivered on commit
    return int(status.split()[-1])


class OutboxRelay:
    def __init__(
        self,
        producer: AIOKafkaProducer,
        *,
        database_url: str,
        batch_size: int = 200,
        poll_interval_s: float = 1.0,
        ask_cluster_id: ClusterIdQuestion | None = None,
        broker_check_interval_s: float = 2.0,
        republish_window_s: float = DEFAULT_REPUBLISH_WINDOW_S,
        on_republished: Callable[[int], object] | None = None,
        topic_prefix: str = "",
    ) -> None:
        """``ask_cluster_id`` asks the broker its cluster id (``ask_cluster_id(producer)``); without
        it the relay never notices a fresh broker. ``on_republished`` hears how many rows a fresh
        broker made the relay publish again (the service's counter). ``topic_prefix`` goes before
        each row's topic on the cluster (``ServiceSettings.kafka_topic_prefix``)."""
        if broker_check_interval_s <= 0 or republish_window_s <= 0:
            raise ValueError("the broker check interval and the republish window must be positive")
        self._producer = producer
        self._dsn = plain_database_url(database_url)
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._ask_cluster_id = ask_cluster_id
        self._broker_check_interval_s = broker_check_interval_s
        self._republish_window = timedelta(seconds=republish_window_s)
        self._on_republished = on_republished
        self._topic_prefix = topic_prefix
        # The broker's cluster id as this relay last checked it against relay_state, and when to
        # ask the broker again; both forgotten with the lock (another relay may have published).
        self._cluster_id: str | None = None
        self._next_broker_check = 0.0
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
        # Here, before a batch is read: never between a batch's publication and its mark.
        if self._ask_cluster_id is not None and asyncio.get_running_loop().time() >= self._next_broker_check:
            await self._check_broker(connection, self._ask_cluster_id)
        rows = await connection.fetch(_SELECT_UNSENT, self._batch_size)
        if not rows:
            return 0
        stored = [json.loads(row["headers"]) for row in rows]
        scopes = {row["topic"] for row in rows} | {str(headers.get("type")) for headers in stored}
        await faults.reached("relay.before_publish", *scopes)
        with tracing.publishing([(row["topic"], headers) for row, headers in zip(rows, stored, strict=True)]) as sent:
            sends = [
                await self._producer.send(
                    self._topic_prefix + row["topic"],
                    value=row["value"],
                    key=row["key"].encode(),
                    headers=[(k, str(v).encode()) for k, v in headers.items()],
                )
                for row, headers in zip(rows, sent, strict=True)
            ]
            await asyncio.gather(*sends)
        await connection.execute(_MARK_SENT.format(ids=",".join(str(int(row["id"])) for row in rows)))
        self.published += len(rows)
        return len(rows)

    async def _check_broker(self, connection: asyncpg.Connection, ask: ClusterIdQuestion) -> None:
        """Compare the broker's cluster id with the stored one; another id: publish the window again.
        The first id a database sees is stored with nothing published again."""
        cluster_id = await ask()
        self._next_broker_check = asyncio.get_running_loop().time() + self._broker_check_interval_s
        if cluster_id is None or cluster_id == self._cluster_id:
            return
        republished = 0
        try:
            async with connection.transaction():
                stored = await connection.fetchval(_STORED_CLUSTER_ID)
                if stored is not None and stored != cluster_id:
                    since = await connection.fetchval(_WINDOW_START, self._republish_window)
                    republished = await publish_again(connection, since)
                if stored != cluster_id:
                    await connection.execute(_FORGET_CLUSTER_IDS)
                    await connection.execute(_STORE_CLUSTER_ID, cluster_id)
        except asyncpg.UndefinedTableError:
            log.warning("outbox relay cannot notice a fresh broker: the database has no relay_state table")
            self._ask_cluster_id = None
            return
        self._cluster_id = cluster_id
        if stored is None:
            log.info("outbox relay recorded the broker's cluster id", cluster_id=cluster_id)
        elif stored != cluster_id:
            log.warning(
                "outbox relay found a fresh broker; publishing again what it sent within the window",
                previous_cluster_id=stored,
                cluster_id=cluster_id,
                republished=republished,
                window_s=self._republish_window.total_seconds(),
            )
            if self._on_republished is not None:
                self._on_republished(republished)

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
        self._cluster_id, self._next_broker_check = None, 0.0  # checked again when leading again
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
