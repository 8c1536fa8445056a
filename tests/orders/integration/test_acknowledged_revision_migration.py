"""Migration 0110 on a real database: it matches the tables, and orders acknowledged before it are
taken as acknowledged as they stand."""

from __future__ import annotations

import uuid

from orders.bootstrap import bootstrap
from orders.config import Settings
from orders.migrate import SERVICE_ROOT
from portal_dev.migrations import settings_on, upgraded_with
from portal_dev.testing import Servers, Tokens, running


async def test_orders_acknowledged_before_the_migration_have_no_change_waiting(
    servers: Servers, broker: str, tokens: Tokens
) -> None:
    tenant_id, supplier_id = uuid.uuid4(), uuid.uuid4()
    acknowledged, sent = uuid.uuid4(), uuid.uuid4()
    database_url = await upgraded_with(
        servers,
        "orders",
        SERVICE_ROOT,
        written_at="0102",
        rows=[
            (
                "INSERT INTO purchase_orders (id, tenant_id, number, supplier_id, supplier_name, currency,"
                " status, initiator_id, net_total, created_at, updated_at, submitted_at, acknowledged_at, revision)"
                f" VALUES ($1, $2, $3, $4, 'Acme Tools', 'EUR', $5, $6, 0, now(), now(), now(), {acknowledged_at}, 4)",
                order_id,
                tenant_id,
                number,
                supplier_id,
                status,
                uuid.uuid4(),
            )
            for order_id, number, status, acknowledged_at in (
                (acknowledged, "PO-000001", "acknowledged", "now()"),
                (sent, "PO-000002", "sent", "NULL"),
            )
        ],
    )
    async with running(bootstrap(settings_on(Settings, database_url, broker, tokens))) as client:
        supplier = tokens.headers(tokens.supplier(supplier_id))
        before = (await client.get(f"/api/v1/purchase-orders/{acknowledged}", headers=supplier)).json()
        assert (before["acknowledged_revision"], before["change_unacknowledged"]) == (4, False)
        assert (
            await client.post(f"/api/v1/purchase-orders/{acknowledged}/acknowledge", headers=supplier)
        ).status_code == 409
        waiting = (await client.get(f"/api/v1/purchase-orders/{sent}", headers=supplier)).json()
        assert (waiting["acknowledged_revision"], waiting["change_unacknowledged"]) == (None, False)
