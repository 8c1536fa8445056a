"""Migration 0110 on a real database: it matches the tables, and orders acknowledged before it are
taken as acknowledged as they stand."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
from alembic import command
from alembic.config import Config

from orders.bootstrap import bootstrap
from orders.config import Settings
from orders.migrate import SERVICE_ROOT
from portal_dev.testing import Servers, Tokens, running
from shared.settings import plain_database_url


def _alembic(database_url: str) -> Config:
    config = Config(str(SERVICE_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(SERVICE_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


async def test_orders_acknowledged_before_the_migration_have_no_change_waiting(
    servers: Servers, broker: str, tokens: Tokens
) -> None:
    database_url = await servers.create_database("orders")
    config = _alembic(database_url)
    await asyncio.to_thread(command.upgrade, config, "0102")
    tenant_id, supplier_id = uuid.uuid4(), uuid.uuid4()
    acknowledged, sent = uuid.uuid4(), uuid.uuid4()
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        for order_id, number, status, acknowledged_at in (
            (acknowledged, "PO-000001", "acknowledged", "now()"),
            (sent, "PO-000002", "sent", "NULL"),
        ):
            await conn.execute(
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
        supplier = tokens.headers(tokens.supplier(supplier_id))
        before = (await client.get(f"/api/v1/purchase-orders/{acknowledged}", headers=supplier)).json()
        assert (before["acknowledged_revision"], before["change_unacknowledged"]) == (4, False)
        assert (
            await client.post(f"/api/v1/purchase-orders/{acknowledged}/acknowledge", headers=supplier)
        ).status_code == 409
        waiting = (await client.get(f"/api/v1/purchase-orders/{sent}", headers=supplier)).json()
        assert (waiting["acknowledged_revision"], waiting["change_unacknowledged"]) == (None, False)
