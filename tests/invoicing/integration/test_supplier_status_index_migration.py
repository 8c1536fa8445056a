"""Migration 0013 on a real database: it matches the tables, the index is valid and can be dropped
and built again, and a supplier's invoices in one status are read newest first from it in the
plan PostgreSQL keeps for the prepared page statement (any supplier, any status). Through the
index of a supplier's invoices by date the page reads past every invoice in the other statuses:
at the read-path benchmark's full size (40,000 invoices of the measured supplier, 8 % pending)
611 rows for the 51 of its first page of pending ones, and all 40,000 for a status it has none in."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from alembic import command
from sqlalchemy.ext.asyncio import AsyncSession

from invoicing.adapters import pages
from invoicing.entrypoints.api import INVOICE_DOCUMENT
from invoicing.migrate import SERVICE_ROOT
from portal_dev.migrations import upgraded_with
from portal_dev.query_plans import generic_plans
from portal_dev.testing import Servers
from shared.auth import Principal
from shared.json_documents import PageReader
from shared.migrate import alembic_config
from shared.settings import plain_database_url

# Invoices of one big supplier and of many small ones, in the benchmark's mix of statuses.
INVOICES = (
    "INSERT INTO invoices (id, tenant_id, supplier_id, purchase_order_id, purchase_order_number, number,"
    " currency, status, net_total, tax_total, gross_total, balance_due, submission, submitted_at, revision,"
    " created_at, updated_at)"
    " SELECT gen_random_uuid(), $1, CASE WHEN n % 50 = 0 THEN $2 ELSE gen_random_uuid() END,"
    " gen_random_uuid(), 'PO-1', 'INV-' || n, 'EUR',"
    " (ARRAY['draft', 'pending', 'approved', 'approved', 'approved', 'paid', 'paid', 'paid', 'paid',"
    " 'paid', 'paid', 'rejected'])[1 + n % 12], 10, 2, 12, 0, 1, now(), 1,"
    " now() - n * interval '1 minute', now()"
    " FROM generate_series(1, 20000) AS n"
)
INDEX = "ix_invoices_supplier_status_created"


async def valid(url: str) -> bool:
    connection = await asyncpg.connect(plain_database_url(url))
    try:
        return bool(
            await connection.fetchval(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1",
                INDEX,
            )
        )
    finally:
        await connection.close()


async def test_a_suppliers_invoices_in_one_status_are_read_newest_first_from_their_index(servers: Servers) -> None:
    tenant_id, supplier_id = uuid.uuid4(), uuid.uuid4()
    database_url = await upgraded_with(
        servers,
        "invoicing",
        SERVICE_ROOT,
        written_at="0012_outbox_inbox_pruning",
        rows=[(INVOICES, tenant_id, supplier_id)],
    )
    caller = Principal(user_id=uuid.uuid4(), role="supplier", supplier_ids=frozenset({supplier_id}))

    async def first_page(session: AsyncSession) -> None:
        query = pages.page_query(
            INVOICE_DOCUMENT,
            scope=caller,
            status="pending",
            purchase_order_id=None,
            limit=51,
            after=None,
            today=datetime.now(UTC).date(),
        )
        await PageReader(session).items(query)

    plans = await generic_plans(database_url, first_page, analyze=["invoices"])

    assert len(plans) == 1
    scan = plans[0].splitlines()[1]
    assert f"Index Scan Backward using {INDEX} on invoices" in scan, plans[0]
    assert "Sort" not in plans[0].split("SubPlan")[0], plans[0]


async def test_the_index_is_built_valid_and_can_be_undone_and_built_again(servers: Servers) -> None:
    url = await upgraded_with(
        servers,
        "invoicing",
        SERVICE_ROOT,
        written_at="0012_outbox_inbox_pruning",
        rows=[(INVOICES, uuid.uuid4(), uuid.uuid4())],
    )
    assert await valid(url)

    config = alembic_config(Path(SERVICE_ROOT), url)
    await asyncio.to_thread(command.downgrade, config, "0012_outbox_inbox_pruning")
    assert not await valid(url)
    await asyncio.to_thread(command.upgrade, config, "heads")
    await asyncio.to_thread(command.check, config)
    assert await valid(url)
