"""Migration 0130 on a real database: it matches the tables, and orders, organisations and
suppliers kept before it read as having no delivery address and no legal details yet, on the
organisation's default payment terms."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
from alembic import command

from orders.bootstrap import bootstrap
from orders.config import Settings
from portal_dev.testing import Servers, Tokens, running
from shared.settings import plain_database_url
from tests.orders.integration.test_acknowledged_revision_migration import _alembic


async def test_orders_kept_before_the_migration_print_dashes_until_the_parties_are_announced_again(
    servers: Servers, broker: str, tokens: Tokens
) -> None:
    database_url = await servers.create_database("orders")
    config = _alembic(database_url)
    await asyncio.to_thread(command.upgrade, config, "0120_taxes")
    tenant_id, supplier_id, order_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        await conn.execute(
            "INSERT INTO organisations (tenant_id, name, supplier_portal_enabled, revision)"
            " VALUES ($1, 'Globex', true, 3)",
            tenant_id,
        )
        await conn.execute(
            "INSERT INTO suppliers (id, tenant_id, name, currency, portal_status, revision)"
            " VALUES ($1, $2, 'Acme Tools', 'EUR', 'active', 2)",
            supplier_id,
            tenant_id,
        )
        await conn.execute(
            "INSERT INTO purchase_orders (id, tenant_id, number, supplier_id, supplier_name, currency, status,"
            " initiator_id, net_total, tax_total, gross_total, created_at, updated_at, submitted_at, revision)"
            " VALUES ($1, $2, 'PO-000001', $3, 'Acme Tools', 'EUR', 'sent', $4, 0, 0, 0, now(), now(), now(), 2)",
            order_id,
            tenant_id,
            supplier_id,
            uuid.uuid4(),
        )
    finally:
        await conn.close()

    await asyncio.to_thread(command.upgrade, config, "heads")
    # The tables as the code declares them: nothing left for autogenerate to add.
    await asyncio.to_thread(command.check, config)

    settings = Settings(
        database_url=database_url,
        kafka_bootstrap_servers=broker,
        kafka_enable_idempotence=False,
        jwt_public_key_file=tokens.public_key_file,
        log_format="console",
    )
    async with running(bootstrap(settings)) as client:
        answer = await client.get(
            f"/api/v1/purchase-orders/{order_id}", headers=tokens.headers(tokens.supplier(supplier_id))
        )
        order = answer.json()
        assert (order["delivery_address"], order["payment_terms_days"]) == (None, 30)
        assert order["buyer"]["legal_name"] is None and order["supplier"]["tax_id"] is None
        assert (order["initiator_name"], order["initiator_email"]) == (None, None)
