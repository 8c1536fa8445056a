"""Migration 0005 on a real database: it matches the tables; a supplier stored before keeps its own
rate (no amount), an invoice stored before learns its supplier from its order, and a verdict
stored before keeps the rate it was decided with and stays the first of its submission."""

from __future__ import annotations

import json
import uuid

import asyncpg

from matching.migrate import SERVICE_ROOT
from portal_dev.migrations import upgraded_with
from portal_dev.testing import Servers
from shared.settings import plain_database_url


async def test_rows_stored_before_tolerance_amounts_and_receipts_read_as_they_were(servers: Servers) -> None:
    tenant_id, supplier_id, po_id, invoice_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    document = {"tolerance_rate": "5", "reasons": ["over_tolerance"]}
    database_url = await upgraded_with(
        servers,
        "matching",
        SERVICE_ROOT,
        written_at="0004_credit_notes",
        rows=[
            (
                "INSERT INTO supplier_tolerances (supplier_id, tenant_id, tolerance_rate, revision)"
                " VALUES ($1, $2, 5, 1)",
                supplier_id,
                tenant_id,
            ),
            (
                "INSERT INTO purchase_orders (id, tenant_id, supplier_id, currency, status, net_total, lines, revision)"
                " VALUES ($1, $2, $3, 'EUR', 'sent', 100, '[]', 2)",
                po_id,
                tenant_id,
                supplier_id,
            ),
            (
                "INSERT INTO invoices (id, tenant_id, purchase_order_id, status, submission, net_total, lines,"
                " revision, received_seq) VALUES ($1, $2, $3, 'pending', 1, 120, '[]', 3, 1)",
                invoice_id,
                tenant_id,
                po_id,
            ),
            (
                "INSERT INTO verdicts (id, tenant_id, invoice_id, purchase_order_id, submission, outcome, issued_at,"
                " document) VALUES ($1, $2, $3, $4, 1, 'needs_approval', now(), $5::jsonb)",
                uuid.uuid4(),
                tenant_id,
                invoice_id,
                po_id,
                json.dumps(document),
            ),
        ],
    )
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        supplier = await conn.fetchrow("SELECT tolerance_rate, tolerance_amount FROM supplier_tolerances")
        invoice = await conn.fetchrow("SELECT supplier_id, number, number_key FROM invoices")
        verdict = await conn.fetchrow("SELECT round, tolerance_rate, tolerance_amount FROM verdicts")
        match_against_receipts = await conn.fetchval("SELECT match_against_receipts FROM purchase_orders")
    finally:
        await conn.close()

    assert (supplier["tolerance_rate"], supplier["tolerance_amount"]) == (5, None)
    assert (invoice["supplier_id"], invoice["number"], invoice["number_key"]) == (supplier_id, "", "")
    assert (verdict["round"], verdict["tolerance_rate"], verdict["tolerance_amount"]) == (0, 5, None)
    assert match_against_receipts is False
