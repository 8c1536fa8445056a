"""The floor: the pipeline's hops and commits with nothing else, in raw aiokafka and asyncpg.

Three stages in one process, on the same broker and PostgreSQL as the system under test:

1. *submit*: insert an invoice row (one commit), then publish to topic A;
2. *match*: consume A, insert a verdict row (one commit), publish to topic B;
3. *route*: consume B, update the invoice's status (one commit) — the invoice is done.

One transaction per message, offsets committed after the batch's effects, ``acks="all"``, and
the same ``fetch_max_wait_ms`` as the services. No envelope, inbox, outbox, HTTP, auth, ORM,
email: what is left is what the broker and the database cost, the floor the pipeline is compared
with. Each message carries its scheduled time and the time of each stage's commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from bench.timing import open_loop, rate_in_window, summary_ms, wait_for

PARTITIONS = 6
POOL_SIZE = 8
HOPS = ("submit (insert)", "publish + broker + match (insert)", "publish + broker + route (update)")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS floor_invoice (id uuid PRIMARY KEY, status text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS floor_verdict (id uuid PRIMARY KEY, invoice_id uuid NOT NULL, outcome text NOT NULL);
"""


@dataclass
class Trace:
    """One invoice's times (wall clock, seconds): scheduled, and each stage's commit."""

    scheduled: float
    submitted: float = 0.0
    matched: float = 0.0
    routed: float = 0.0
    done: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    def hops(self) -> tuple[float, float, float]:
        return (self.submitted - self.scheduled, self.matched - self.submitted, self.routed - self.matched)


@dataclass
class Floor:
    dsn: str
    bootstrap_servers: str
    fetch_max_wait_ms: int = 20
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    traces: dict[str, Trace] = field(default_factory=dict)
    errors: int = 0
    routed: int = 0

    @property
    def topics(self) -> tuple[str, str]:
        return f"bench.floor.{self.run_id}.submitted", f"bench.floor.{self.run_id}.verdicts"

    # -- stages ------------------------------------------------------------------------------
    async def submit(self, scheduled: float) -> str:
        invoice_id = str(uuid.uuid4())
        trace = self.traces[invoice_id] = Trace(scheduled)
        try:
            async with self._pool.acquire() as conn:
                await conn.execute(
                    "INSERT INTO floor_invoice (id, status, created_at) VALUES ($1, 'submitted', now())",
                    uuid.UUID(invoice_id),
                )
            trace.submitted = time.time()
            value = json.dumps({"id": invoice_id}).encode()
            await self._producer.send_and_wait(self.topics[0], value, key=invoice_id.encode())
        except Exception:
            self.errors += 1
            del self.traces[invoice_id]
            raise
        return invoice_id

    async def _match(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            batches = await consumer.getmany(timeout_ms=100, max_records=500)
            sends = []
            for records in batches.values():
                for record in records:
                    invoice_id = json.loads(record.value)["id"]
                    async with self._match_conn.transaction():
                        await self._match_conn.execute(
                            "INSERT INTO floor_verdict (id, invoice_id, outcome) VALUES ($1, $2, 'approved')",
                            uuid.uuid4(),
                            uuid.UUID(invoice_id),
                        )
                    if trace := self.traces.get(invoice_id):
                        trace.matched = time.time()
                    sends.append(await self._producer.send(self.topics[1], record.value, key=record.key))
            if sends:
                await asyncio.gather(*sends)
                await consumer.commit()

    async def _route(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            batches = await consumer.getmany(timeout_ms=100, max_records=500)
            for records in batches.values():
                for record in records:
                    invoice_id = json.loads(record.value)["id"]
                    async with self._route_conn.transaction():
                        await self._route_conn.execute(
                            "UPDATE floor_invoice SET status = 'approved' WHERE id = $1", uuid.UUID(invoice_id)
                        )
                    if trace := self.traces.get(invoice_id):
                        trace.routed = time.time()
                        trace.done.set()
                        self.routed += 1
            if batches:
                await consumer.commit()

    # -- lifecycle ---------------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Floor]:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap_servers)
        await admin.start()
        try:
            await admin.create_topics([NewTopic(t, PARTITIONS, 1) for t in self.topics])
        finally:
            await admin.close()
        self._pool = await asyncpg.create_pool(self.dsn, min_size=POOL_SIZE, max_size=POOL_SIZE)
        async with self._pool.acquire() as conn:
            await conn.execute(_SCHEMA)
        # Each consuming stage has a connection of its own, as each service has its own pool.
        self._match_conn = await asyncpg.connect(self.dsn)
        self._route_conn = await asyncpg.connect(self.dsn)
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap_servers, acks="all", enable_idempotence=False
        )
        await self._producer.start()
        consumers = [self._consumer(topic, f"bench-floor-{self.run_id}-{i}") for i, topic in enumerate(self.topics)]
        for consumer in consumers:
            await consumer.start()
        tasks = [asyncio.create_task(self._match(consumers[0])), asyncio.create_task(self._route(consumers[1]))]
        try:
            await wait_for(
                self._assigned(consumers), timeout_s=60, what="the floor's consumers to be assigned their partitions"
            )
            yield self
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            for consumer in consumers:
                await consumer.stop()
            await self._producer.stop()
            await self._match_conn.close()
            await self._route_conn.close()
            await self._pool.close()

    def _consumer(self, topic: str, group: str) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            topic,
            bootstrap_servers=self.bootstrap_servers,
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=self.fetch_max_wait_ms,
            session_timeout_ms=6000,
        )

    @staticmethod
    def _assigned(consumers: list[AIOKafkaConsumer]) -> Any:
        async def probe() -> bool:
            return all(len(c.assignment()) == PARTITIONS for c in consumers)

        return probe

    def done(self, ids: list[str]) -> int:
        return sum(1 for i in ids if (t := self.traces.get(i)) and t.routed)

    async def drain(self, *, timeout_s: float = 60) -> None:
        async def finished() -> bool:
            return all(t.routed for t in self.traces.values())

        await wait_for(finished, timeout_s=timeout_s, what="every floor invoice to be routed")

    # -- measurements ------------------------------------------------------------------------
    async def saturation(self, duration_s: float, *, clients: int = 32, warmup_s: float = 1.5) -> dict[str, Any]:
        """``clients`` each submit an invoice, wait until it is routed and go on with the next,
        for ``duration_s``, as the pipeline's clients do: at most ``clients`` invoices in flight.
        Throughput = invoices routed between ``warmup_s`` after the start and the end, per second."""
        self.traces.clear()
        self.routed = 0
        start = time.time()
        end = start + duration_s

        async def client() -> None:
            while time.time() < end:
                trace = self.traces[await self.submit(time.time())]
                await asyncio.wait_for(trace.done.wait(), 60)

        await asyncio.gather(*(client() for _ in range(clients)))
        await self.drain()
        finished = [t.routed for t in self.traces.values()]
        return {
            "duration_s": duration_s,
            "clients": clients,
            "submitted": len(self.traces),
            "throughput_per_s": round(rate_in_window(finished, start + warmup_s, end), 1),
            "drained_after_s": round(max(finished) - end, 2),
        }

    async def at_rate(self, rate_per_s: float, duration_s: float) -> dict[str, Any]:
        """Open loop at ``rate_per_s``: latency of each invoice from its scheduled time to its route commit."""
        self.traces.clear()
        self.routed = 0

        async def send(_: int, scheduled: float) -> None:
            await self.submit(scheduled)

        _, sent = await open_loop(rate_per_s, duration_s, send)
        await self.drain()
        traces = list(self.traces.values())
        return {
            "rate_per_s": round(rate_per_s, 1),
            "sent": sent,
            "end_to_end_ms": summary_ms(t.routed - t.scheduled for t in traces),
            "hops_ms": {name: summary_ms(t.hops()[i] for t in traces) for i, name in enumerate(HOPS)},
        }
