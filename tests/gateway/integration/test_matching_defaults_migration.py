"""Migration 0140 on a real database: it matches the tables, and an organisation founded before it
keeps what matching did until then (no tolerance, two-way matching) until its admin says otherwise."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from gateway.adapters.passwords import hash_password
from gateway.bootstrap import bootstrap
from gateway.config import Settings
from gateway.migrate import SERVICE_ROOT
from portal_dev.migrations import upgraded_with
from portal_dev.testing import Servers, running


async def test_an_organisation_founded_before_matching_defaults_has_none_and_its_admin_sets_them(
    servers: Servers, gateway_settings: Callable[..., Settings]
) -> None:
    tenant_id, admin_id = uuid.uuid4(), uuid.uuid4()
    database_url = await upgraded_with(
        servers,
        "gateway",
        SERVICE_ROOT,
        written_at="0130_payment_terms_and_profile",
        rows=[
            (
                "INSERT INTO organisations (id, name, invoice_issue_date_required, supplier_portal_enabled,"
                " created_at, revision, updated_at) VALUES ($1, 'Old Buyer', false, true, now(), 4, now())",
                tenant_id,
            ),
            (
                "INSERT INTO users (id, tenant_id, email, name, role, password_hash, active, created_at, updated_at)"
                " VALUES ($1, $2, 'old-admin@buyer.example', 'Old Admin', 'buyer_admin', $3, true, now(), now())",
                admin_id,
                tenant_id,
                await hash_password("old admin password"),
            ),
        ],
    )
    async with running(bootstrap(gateway_settings(database_url=database_url))) as client:
        token = await client.post(
            "/api/v1/auth/token", json={"email": "old-admin@buyer.example", "password": "old admin password"}
        )
        assert token.status_code == 200, token.text
        admin = {"Authorization": f"Bearer {token.json()['access_token']}"}
        settings = (await client.get("/api/v1/settings", headers=admin)).json()
        assert (settings["default_tolerance_rate"], settings["default_tolerance_amount"]) == ("0", None)
        assert settings["three_way_matching"] is False and settings["default_payment_terms_days"] == 30
        changed = await client.patch(
            "/api/v1/settings", json={"default_tolerance_amount": "50", "three_way_matching": True}, headers=admin
        )
        assert changed.status_code == 200, changed.text
        assert (changed.json()["default_tolerance_amount"], changed.json()["three_way_matching"]) == ("50", True)
