"""Transactional outbox: events are rows written in the business transaction.

The relay (``shared.relay``) publishes them in insertion order and marks them sent. A trigger
notifies the relay on commit so that no hop waits for a polling interval. Sent rows are deleted
once they are older than ``OUTBOX_RETENTION_S`` (``shared.pruning``); unsent ones never are.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from shared import tracing
from shared.contracts import Envelope, EventPayload
from shared.correlation import current_causation_id, current_correlation_id
from shared.driver import driver_statements

OUTBOX_CHANNEL = "outbox"


def outbox_table(metadata: MetaData) -> Table:
    """The outbox table in a service's metadata, so that its first migration creates it."""
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", Uuid, nullable=False, unique=True),
        Column("event_type", String(100), nullable=False),
        Column("topic", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("value", LargeBinary, nullable=False),
        Column("headers", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("sent_at", DateTime(timezone=True), nullable=True),
        Index("ix_outbox_unsent", "id", postgresql_where=text("sent_at IS NULL")),
        # What the pruning (``shared.pruning``) and the republishing read sent rows by.
        Index("ix_outbox_sent_at", "sent_at", postgresql_where=text("sent_at IS NOT NULL")),
    )


def relay_state_table(metadata: MetaData) -> Table:
    """The broker the relay last published to, one row: the cluster id it answered with and when
    a relay first found it. A broker that answers with another id is a fresh one (the embedded
    broker starts empty with a new id each time), and the relay publishes again what it had sent
    within the republish window (``shared.relay``)."""
    return Table(
        "relay_state",
        metadata,
        Column("cluster_id", Text, primary_key=True),
        Column("seen_at", DateTime(timezone=True), nullable=False),
    )


def insert_notify_trigger(table: str, channel: str) -> tuple[list[str], list[str]]:
    """The statements that make every statement inserting into ``table`` NOTIFY ``channel`` (heard
    on commit, so a listener wakes to rows it can read), and the statements that undo them; for
    migrations to run after creating the table."""
    function = f"{table}_notify"
    create = [
        f"""
    CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
    BEGIN
        PERFORM pg_notify('{channel}', '');
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
        f"""
    CREATE TRIGGER {function} AFTER INSERT ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION {function}()
    """,
    ]
    drop = [f"DROP TRIGGER IF EXISTS {function} ON {table}", f"DROP FUNCTION IF EXISTS {function}()"]
    return create, drop


# The relay wakes on commit of new outbox rows.
NOTIFY_TRIGGER_SQL, DROP_NOTIFY_TRIGGER_SQL = insert_notify_trigger("outbox", OUTBOX_CHANNEL)

# The rows of a unit of work (or of a batch's units) in their order, with one statement through
# the session's asyncpg connection (``shared.driver``): the ids follow the arrays' order.
_INSERT_ALL = (
    "INSERT INTO outbox (event_id, event_type, topic, key, value, headers, created_at)"
    " SELECT event_id, event_type, topic, key, value, headers::jsonb, created_at"
    " FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bytea[], $6::text[], $7::timestamptz[])"
    " AS row (event_id, event_type, topic, key, value, headers, created_at)"
)


async def write_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert outbox ``rows`` (``Outbox.rows``), in their order, with one statement."""
    if not rows:
        return
    connection = await driver_statements(session)
    await connection.execute(
        _INSERT_ALL,
        [row["event_id"] for row in rows],
        [row["event_type"] for row in rows],
        [row["topic"] for row in rows],
        [row["key"] for row in rows],
        [row["value"] for row in rows],
        [json.dumps(row["headers"]) for row in rows],
        [row["created_at"] for row in rows],
    )


class Outbox:
    """Collects the events of one unit of work; ``flush`` writes them in the same transaction."""

    def __init__(self, session: AsyncSession, producer: str) -> None:
        self._session = session
        self._producer = producer
        self._pending: list[tuple[Envelope, EventPayload]] = []

    def add(self, payload: EventPayload, *, tenant_id: UUID) -> Envelope:
        envelope = Envelope.wrap(
            payload,
            tenant_id=tenant_id,
            producer=self._producer,
            correlation_id=current_correlation_id(),
            causation_id=current_causation_id(),
        )
        self._pending.append((envelope, payload))
        return envelope

    def take(self, recorded: list[EventPayload], *, tenant_id: UUID) -> None:
        """Move the events an aggregate recorded here, in their order, and empty its list: saved
        twice, it publishes each event once."""
        for payload in recorded:
            self.add(payload, tenant_id=tenant_id)
        recorded.clear()

    @property
    def pending(self) -> list[Envelope]:
        return [envelope for envelope, _ in self._pending]

    async def flush(self) -> None:
        await write_rows(self._session, self.rows())

    def rows(self) -> list[dict[str, Any]]:
        """The pending events as outbox rows, taken out of the unit: written by ``flush``, or by a
        shared transaction with those of the other units at its commit."""
        if not self._pending:
            return []
        now = datetime.now(UTC)
        # The trace of the writer goes with each row: the relay publishes it later, in that trace.
        trace_headers = tracing.context_headers()
        rows = [
            {
                "event_id": envelope.id,
                "event_type": envelope.type,
                "topic": payload.topic,
                "key": payload.key(),
                "value": envelope.model_dump_json().encode(),
                "headers": {**envelope.headers(), **trace_headers},
                "created_at": now,
            }
            for envelope, payload in self._pending
        ]
        self._pending.clear()
        return rows
