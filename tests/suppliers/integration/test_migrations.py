"""Migration 0002 on a real database: it matches the tables, and suppliers activated before it get a profile."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
from alembic import command
from alembic.config import Config

from portal_dev.testing import Servers, Tokens, running
from shared.settings import plain_database_url
from suppliers.bootstrap import bootstrap
from suppliers.config import Settings
from suppliers.migrate import SERVICE_ROOT


def _alembic(database_url: str) -> Config:
    config = Config(str(SERVICE_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(SERVICE_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


async def test_suppliers_activated_before_profiles_existed_get_one_copied_from_their_record(
    servers: Servers, broker: str, tokens: Tokens
) -> None:
    database_url = await servers.create_database("suppliers")
    config = _alembic(database_url)
    await asyncio.to_thread(command.upgrade, config, "0001")
    supplier_id, tenant_id = uuid.uuid4(), uuid.uuid4()
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        await conn.execute(
            "INSERT INTO suppliers VALUES ($1, $2, 'Old Supplier', 'old@supplier.example', NULL, 'EUR', 5,"
            " '[]', '{\"region\": \"north\"}', 'inactive', 3, now(), now())",
            supplier_id,
            tenant_id,
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
        supplier_user = tokens.headers(tokens.supplier(supplier_id))
        response = await client.get(f"/api/v1/portal/profiles/{supplier_id}", headers=supplier_user)
        assert response.status_code == 200, response.text
        profile = response.json()
        assert (profile["name"], profile["email"], profile["portal_status"]) == (
            "Old Supplier",
            "old@supplier.example",
            "inactive",
        )
        buyer = tokens.headers(tokens.buyer(tenant_id))
        assert (await client.post(f"/api/v1/suppliers/{supplier_id}/portal/activate", headers=buyer)).status_code == 200
