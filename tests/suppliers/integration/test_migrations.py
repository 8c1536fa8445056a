"""Migration 0002 on a real database: it matches the tables, and suppliers activated before it get a profile."""

from __future__ import annotations

import uuid

from portal_dev.migrations import settings_on, upgraded_with
from portal_dev.testing import Servers, Tokens, running
from suppliers.bootstrap import bootstrap
from suppliers.config import Settings
from suppliers.migrate import SERVICE_ROOT


async def test_suppliers_activated_before_profiles_existed_get_one_copied_from_their_record(
    servers: Servers, broker: str, tokens: Tokens
) -> None:
    supplier_id, tenant_id = uuid.uuid4(), uuid.uuid4()
    database_url = await upgraded_with(
        servers,
        "suppliers",
        SERVICE_ROOT,
        written_at="0001",
        rows=[
            (
                "INSERT INTO suppliers VALUES ($1, $2, 'Old Supplier', 'old@supplier.example', NULL, 'EUR', 5,"
                " '[]', '{\"region\": \"north\"}', 'inactive', 3, now(), now())",
                supplier_id,
                tenant_id,
            )
        ],
    )
    async with running(bootstrap(settings_on(Settings, database_url, broker, tokens))) as client:
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
