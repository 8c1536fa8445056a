"""Inbox for idempotent consumers: ``(consumer, event_id)`` recorded with the handler's effect,
kept for ``INBOX_RETENTION_S``, longer than the broker may deliver the event again (``shared.pruning``).

``InboxUnitOfWork`` is what the consumer engine (``shared.messaging``) needs of a service's unit
of work to do that around every handler: the inbox, a commit, and a block that rolls back
whatever was not committed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import Column, DateTime, Index, MetaData, String, Table, Uuid, column, table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


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


_inbox = table(
    "inbox", column("consumer", String), column("event_id", Uuid), column("received_at", DateTime(timezone=True))
)

# Built once (the row is bound at execution): every consumed event records itself.
_RECORD = insert(_inbox).on_conflict_do_nothing().returning(_inbox.c.event_id)


class Inbox:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def first_time(self, consumer: str, event_id: UUID) -> bool:
        """Record the event for ``consumer``; False when it was recorded before (a redelivery).

        Concurrent deliveries of one event serialise on the primary key: the second waits for
        the first transaction and then sees the conflict.
        """
        row = {"consumer": consumer, "event_id": event_id, "received_at": datetime.now(UTC)}
        return (await self._session.execute(_RECORD, row)).first() is not None


class InboxUnitOfWork(Protocol):
    """One transaction holding a handler's effect and the inbox record of its event; leaving the
    block without ``commit`` (a redelivery, a failure) rolls both back."""

    inbox: Inbox

    async def __aenter__(self) -> Any: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> Any: ...

    async def commit(self) -> None: ...
