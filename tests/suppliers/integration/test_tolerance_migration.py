"""Migration 0007 on a real database: it matches the tables, suppliers written before it keep the
rate they were given (0 % included) with no amount, and new ones may have neither."""

from __future__ import annotations

import uuid

from portal_dev.migrations import settings_on, upgraded_with
from portal_dev.testing import Servers, Tokens, running
from suppliers.bootstrap import bootstrap
from suppliers.config import Settings
from suppliers.migrate import SERVICE_ROOT

INSERT_SUPPLIER = (
    "INSERT INTO suppliers (id, tenant_id, name, email, currency, tolerance_rate, contacts, custom_fields,"
    " portal_status, revision, created_at, updated_at)"
    " VALUES ($1, $2, $3, 'old@supplier.example', 'EUR', $4, '[]', '{}', 'not_invited', 1, now(), now())"
)


async def test_suppliers_written_before_tolerance_amounts_keep_their_rate_and_have_no_amount(
    servers: Servers, broker: str, tokens: Tokens
) -> None:
    tenant_id, with_rate, with_zero = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    database_url = await upgraded_with(
        servers,
        "suppliers",
        SERVICE_ROOT,
        written_at="0006_terms_and_legal_details",
        rows=[
            (INSERT_SUPPLIER, with_rate, tenant_id, "Five Percent", 5),
            (INSERT_SUPPLIER, with_zero, tenant_id, "Zero Percent", 0),
        ],
    )
    async with running(bootstrap(settings_on(Settings, database_url, broker, tokens))) as client:
        buyer = tokens.headers(tokens.buyer(tenant_id))
        listed = (await client.get("/api/v1/suppliers", headers=buyer)).json()["items"]
        assert {s["name"]: (s["tolerance_rate"], s["tolerance_amount"]) for s in listed} == {
            "Five Percent": ("5.0000", None),
            "Zero Percent": ("0.0000", None),
        }
        created = await client.post(
            "/api/v1/suppliers", json={"name": "New", "email": "new@supplier.example", "currency": "EUR"}, headers=buyer
        )
        assert created.status_code == 201, created.text
        assert (created.json()["tolerance_rate"], created.json()["tolerance_amount"]) == (None, None)
        amount = await client.patch(f"/api/v1/suppliers/{with_zero}", json={"tolerance_amount": "25"}, headers=buyer)
        assert amount.status_code == 200, amount.text
        assert (amount.json()["tolerance_rate"], amount.json()["tolerance_amount"]) == ("0.0000", "25.00")
