"""Inbox for idempotent consumers: ``(consumer, event_id)`` recorded with the handler's effect,
kept for ``INBOX_RETENTION_S``, longer than the broker may deliver the event again (``shared.pruning``).

``InboxUnitOfWork`` is what the consumer engine (``shared.messaging``) needs of a service's unit
of work to do that around every handler: the inbox, a commit, and a block that rolls back
whatever was not committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import Column, DateTime, Index, MetaData, String, Table, Uuid
from sqlalchemy.ext.asyncio import AsyncSession

from shared.driver import driver_statements


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", Uuid, primary_key=True),
        Column("received_at", DateTime(timezone=True), nullable=False),
        # What the pruning (``shared.pruning``) reads old entries by.
        Index("ix_inbox_received_at", "received_at"),
    )


# Every consumed event records itself; a batch's events at once (those recorded before come back
# without a row). Run through the session's asyncpg connection (``shared.driver``).
_RECORD = (
    "INSERT INTO inbox (consumer, event_id, received_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING event_id"
)
_RECORD_ALL = (
    "INSERT INTO inbox (consumer, event_id, received_at)"
    " SELECT $1, event_id, $2 FROM unnest($3::uuid[]) AS event_id"
    " ON CONFLICT DO NOTHING RETURNING event_id"
)


class BatchRecords:
    """The inbox records of a batch's events, written by one statement before their handlers run
    (``record_all``), in the batch's transaction: each unit of work's ``first_time`` is then
    answered from here, without a statement of its own. An event twice in the batch is new the
    first time it is asked about only."""

    def __init__(self, consumer: str, event_ids: Sequence[UUID], new: set[UUID]) -> None:
        self._consumer = consumer
        self._recorded = set(event_ids)
        self._new = new

    def answer(self, consumer: str, event_id: UUID) -> bool | None:
        """Whether the event is new to ``consumer``; None when this batch did not record it."""
        if consumer != self._consumer or event_id not in self._recorded:
            return None
        if event_id in self._new:
            self._new.discard(event_id)
            return True
        return False


async def record_all(session: AsyncSession, consumer: str, event_ids: Sequence[UUID]) -> BatchRecords:
    """Record ``event_ids`` for ``consumer`` in ``session``'s transaction with one statement."""
    connection = await driver_statements(session)
    found = await connection.fetch(_RECORD_ALL, consumer, datetime.now(UTC), list(event_ids))
    return BatchRecords(consumer, event_ids, {row[0] for row in found})


class Inbox:
    def __init__(self, session: AsyncSession, batch: BatchRecords | None = None) -> None:
        self._session = session
        self._batch = batch

    async def first_time(self, consumer: str, event_id: UUID) -> bool:
        """Record the event for ``consumer``; False when it was recorded before (a redelivery).

        Concurrent deliveries of one event serialise on the primary key: the second waits for
        the first transaction and then sees the conflict. In a batch whose records were written
        together (``record_all``) the answer is already there.
        """
        if self._batch is not None:
            answer = self._batch.answer(consumer, event_id)
            if answer is not None:
                return answer
        connection = await driver_statements(self._session)
        return await connection.fetchrow(_RECORD, consumer, event_id, datetime.now(UTC)) is not None


class InboxUnitOfWork(Protocol):
    """One transaction holding a handler's effect and the inbox record of its event; leaving the
    block without ``commit`` (a redelivery, a failure) rolls both back."""

    inbox: Inbox

    async def __aenter__(self) -> Any: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> Any: ...

    async def commit(self) -> None: ...
