"""Migration 0130 on a real database: it matches the tables, and orders, organisations and
suppliers kept before it read as having no delivery address and no legal details yet, on the
organisation's default payment terms."""

from __future__ import annotations

import uuid

from orders.bootstrap import bootstrap
from orders.config import Settings
from orders.migrate import SERVICE_ROOT
from portal_dev.migrations import settings_on, upgraded_with
from portal_dev.testing import Servers, Tokens, running


async def test_orders_kept_before_the_migration_print_dashes_until_the_parties_are_announced_again(
    servers: Servers, broker: str, tokens: Tokens
) -> None:
    tenant_id, supplier_id, order_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    database_url = await upgraded_with(
        servers,
        "orders",
        SERVICE_ROOT,
        written_at="0120_taxes",
        rows=[
            (
                "INSERT INTO organisations (tenant_id, name, supplier_portal_enabled, revision)"
                " VALUES ($1, 'Globex', true, 3)",
                tenant_id,
            ),
            (
                "INSERT INTO suppliers (id, tenant_id, name, currency, portal_status, revision)"
                " VALUES ($1, $2, 'Acme Tools', 'EUR', 'active', 2)",
                supplier_id,
                tenant_id,
            ),
            (
                "INSERT INTO purchase_orders (id, tenant_id, number, supplier_id, supplier_name, currency, status,"
                " initiator_id, net_total, tax_total, gross_total, created_at, updated_at, submitted_at, revision)"
                " VALUES ($1, $2, 'PO-000001', $3, 'Acme Tools', 'EUR', 'sent', $4, 0, 0, 0, now(), now(), now(), 2)",
                order_id,
                tenant_id,
                supplier_id,
                uuid.uuid4(),
            ),
        ],
    )
    async with running(bootstrap(settings_on(Settings, database_url, broker, tokens))) as client:
        answer = await client.get(
            f"/api/v1/purchase-orders/{order_id}", headers=tokens.headers(tokens.supplier(supplier_id))
        )
        order = answer.json()
        assert (order["delivery_address"], order["payment_terms_days"]) == (None, 30)
        assert order["buyer"]["legal_name"] is None and order["supplier"]["tax_id"] is None
        assert (order["initiator_name"], order["initiator_email"]) == (None, None)
