"""Pruning the outbox and the inbox by age, so that neither grows for ever.

An outbox row the relay marked sent longer ago than ``OUTBOX_RETENTION_S`` is deleted; a row not
sent yet never is, whatever its age, and neither is one the relay is publishing (it has no
``sent_at`` until the broker acknowledged it). An inbox entry recorded longer ago than
``INBOX_RETENTION_S`` is deleted; the settings refuse a retention that the broker could outlive
with a redelivery (``shared.settings.check_retention``).

Each statement deletes at most ``PRUNE_BATCH_SIZE`` rows, found by the index on their time, in a
transaction of its own: no lock is held for longer than one batch. The rows are locked with
``SKIP LOCKED``: a row another transaction holds (``publish_again`` clearing its mark, a consumer
recording an event) is left for the next pass rather than waited for, and a row whose mark was
cleared meanwhile no longer qualifies when it is locked. Every instance of a service prunes, each
on its own rows.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import structlog
from prometheus_client import Counter
from sqlalchemy import TextClause, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

log = structlog.get_logger(__name__)

OUTBOX, INBOX = "outbox", "inbox"
PRUNED_TABLES = (OUTBOX, INBOX)

PRUNE_OUTBOX = text(
    "DELETE FROM outbox WHERE id IN ("
    " SELECT id FROM outbox WHERE sent_at < now() - make_interval(secs => :retention_s)"
    " ORDER BY sent_at LIMIT :batch_size FOR UPDATE SKIP LOCKED)"
)
PRUNE_INBOX = text(
    "DELETE FROM inbox WHERE (consumer, event_id) IN ("
    " SELECT consumer, event_id FROM inbox WHERE received_at < now() - make_interval(secs => :retention_s)"
    " ORDER BY received_at LIMIT :batch_size FOR UPDATE SKIP LOCKED)"
)

# The indexes those statements read by, for every service's migration to create without blocking
# the writes of a busy outbox meanwhile (run in Alembic's ``autocommit_block``). An index that a
# failed concurrent build left behind, invalid, is dropped first.
CREATE_INDEXES_SQL = [
    "DROP INDEX CONCURRENTLY IF EXISTS ix_outbox_sent_at",
    "CREATE INDEX CONCURRENTLY ix_outbox_sent_at ON outbox (sent_at) WHERE sent_at IS NOT NULL",
    "DROP INDEX CONCURRENTLY IF EXISTS ix_inbox_received_at",
    "CREATE INDEX CONCURRENTLY ix_inbox_received_at ON inbox (received_at)",
]
DROP_INDEXES_SQL = [
    "DROP INDEX CONCURRENTLY IF EXISTS ix_inbox_received_at",
    "DROP INDEX CONCURRENTLY IF EXISTS ix_outbox_sent_at",
]

_UNDEFINED_TABLE = "42P01"


@dataclass(frozen=True)
class Pruned:
    """What one pass deleted: the rows of each statement, per table."""

    outbox: list[int]
    inbox: list[int]

    @property
    def rows(self) -> int:
        return sum(self.outbox) + sum(self.inbox)


class Pruner:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        outbox_retention_s: float,
        inbox_retention_s: float,
        batch_size: int,
        pruned_rows: Counter | None = None,
    ) -> None:
        """``pruned_rows`` counts the rows deleted, labelled by table (the service's counter)."""
        if outbox_retention_s <= 0 or inbox_retention_s <= 0 or batch_size < 1:
            raise ValueError("the retentions and the batch size must be positive")
        self._engine = engine
        self._retention_s = {OUTBOX: outbox_retention_s, INBOX: inbox_retention_s}
        self._batch_size = batch_size
        self._pruned_rows = pruned_rows
        self._missing: set[str] = set()

    async def prune(self) -> Pruned:
        """One pass: delete what is past its retention, batch after batch, until a batch is short."""
        return Pruned(outbox=await self._prune(OUTBOX, PRUNE_OUTBOX), inbox=await self._prune(INBOX, PRUNE_INBOX))

    async def _prune(self, table: str, statement: TextClause) -> list[int]:
        if table in self._missing:
            return []
        batches: list[int] = []
        arguments = {"retention_s": self._retention_s[table], "batch_size": self._batch_size}
        while True:
            try:
                async with self._engine.begin() as connection:
                    deleted = int((await connection.execute(statement, arguments)).rowcount or 0)
            except DBAPIError as exc:
                if getattr(exc.orig, "sqlstate", None) != _UNDEFINED_TABLE:
                    raise
                # A database without the table (a test's small service): nothing to prune there.
                log.info("no table to prune", table=table)
                self._missing.add(table)
                return batches
            batches.append(deleted)
            if deleted and self._pruned_rows is not None:
                self._pruned_rows.labels(table).inc(deleted)
            if deleted < self._batch_size:
                return batches

    async def run(self, every_s: float) -> None:
        """Prune now and then every ``every_s`` until cancelled; a pass that fails (the database
        away) is tried again at the next one."""
        while True:
            try:
                pruned = await self.prune()
                if pruned.rows:
                    log.info(
                        "outbox and inbox pruned",
                        outbox_rows=sum(pruned.outbox),
                        inbox_rows=sum(pruned.inbox),
                        statements=len(pruned.outbox) + len(pruned.inbox),
                        outbox_retention_s=self._retention_s[OUTBOX],
                        inbox_retention_s=self._retention_s[INBOX],
                    )
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("outbox and inbox pruning failed; trying again later", error=str(exc), every_s=every_s)
            await asyncio.sleep(every_s)
