"""Every service's migration of the pruning indexes on a real database: from the revision before
it, with outbox rows and inbox entries written then, to the tables the code declares; the indexes
are valid, the rows kept and pruned by age, and the migration can be undone and applied again."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import asyncpg
import pytest
from alembic import command

from gateway.migrate import SERVICE_ROOT as GATEWAY
from invoicing.migrate import SERVICE_ROOT as INVOICING
from matching.migrate import SERVICE_ROOT as MATCHING
from notifier.migrate import SERVICE_ROOT as NOTIFIER
from orders.migrate import SERVICE_ROOT as ORDERS
from portal_dev.migrations import upgraded_with
from portal_dev.testing import Servers
from shared.db import make_engine
from shared.migrate import alembic_config
from shared.pruning import Pruner
from shared.settings import DAY_S, plain_database_url
from suppliers.migrate import SERVICE_ROOT as SUPPLIERS

# Each service, its root and the revision before the pruning indexes.
SERVICES = {
    "gateway": (GATEWAY, "0140_matching_defaults"),
    "invoicing": (INVOICING, "0011_credit_notes"),
    "matching": (MATCHING, "0005_tolerances_receipts"),
    "notifier": (NOTIFIER, "0006_reminders"),
    "orders": (ORDERS, "0140_goods_receipts"),
    "suppliers": (SUPPLIERS, "0007_tolerance_amount"),
}
INDEXES = ["ix_inbox_received_at", "ix_outbox_sent_at"]
OUTBOX_ROW = (
    "INSERT INTO outbox (event_id, event_type, topic, key, value, headers, created_at, sent_at)"
    " VALUES ($1, 'SupplierUpdated', 'suppliers.supplier.v1', 'k', '\\x7b7d', '{}',"
    " now() - make_interval(days => $2), now() - make_interval(days => $2))"
)
INBOX_ROW = "INSERT INTO inbox (consumer, event_id, received_at) VALUES ('c', $1, now() - make_interval(days => $2))"


async def valid_indexes(url: str) -> list[str]:
    connection = await asyncpg.connect(plain_database_url(url))
    try:
        rows = await connection.fetch(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE c.relname = ANY($1::text[]) AND i.indisvalid ORDER BY c.relname",
            INDEXES,
        )
        return [row["relname"] for row in rows]
    finally:
        await connection.close()


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_the_pruning_indexes_are_built_on_a_service_s_database_and_its_old_rows_can_be_pruned(
    servers: Servers, service: str
) -> None:
    root, before = SERVICES[service]
    rows = [(OUTBOX_ROW, uuid.uuid4(), age) for age in (30, 1)] + [(INBOX_ROW, uuid.uuid4(), age) for age in (60, 1)]

    url = await upgraded_with(servers, service, Path(root), written_at=before, rows=rows)

    assert await valid_indexes(url) == INDEXES
    engine = make_engine(url)
    try:
        pruner = Pruner(engine, outbox_retention_s=14 * DAY_S, inbox_retention_s=45 * DAY_S, batch_size=10)
        pruned = await pruner.prune()
    finally:
        await engine.dispose()
    assert (pruned.outbox, pruned.inbox) == ([1], [1])

    config = alembic_config(Path(root), url)
    await asyncio.to_thread(command.downgrade, config, before)
    assert await valid_indexes(url) == []
    await asyncio.to_thread(command.upgrade, config, "heads")
    await asyncio.to_thread(command.check, config)
    assert await valid_indexes(url) == INDEXES
