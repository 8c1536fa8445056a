"""Migration 0140 on a real database: it matches the tables, and orders written before goods
receipts have received nothing, match against nothing, and take receipts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from orders.bootstrap import bootstrap
from orders.config import Settings
from orders.migrate import SERVICE_ROOT
from portal_dev.migrations import settings_on, upgraded_with
from portal_dev.testing import Servers, Tokens, running


async def test_orders_written_before_receipts_have_received_nothing_and_take_receipts(
    servers: Servers, broker: str, tokens: Tokens
) -> None:
    tenant_id, supplier_id, order_id, line_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    database_url = await upgraded_with(
        servers,
        "orders",
        SERVICE_ROOT,
        written_at="0131_credit_notes",
        rows=[
            (
                "INSERT INTO purchase_orders (id, tenant_id, number, supplier_id, supplier_name, currency, status,"
                " initiator_id, net_total, tax_total, gross_total, created_at, updated_at, submitted_at, revision)"
                " VALUES ($1, $2, 'PO-000001', $3, 'Acme Tools', 'EUR', 'sent', $4, 50.00, 0.00, 50.00,"
                " now(), now(), now(), 2)",
                order_id,
                tenant_id,
                supplier_id,
                uuid.uuid4(),
            ),
            (
                "INSERT INTO purchase_order_lines (id, purchase_order_id, line_no, description, quantity, unit_price,"
                " net_amount, invoiced_quantity, tax_rate, tax_amount) VALUES ($1, $2, 1, 'Bolts', 10, 5, 50.00, 0,"
                " 0, 0.00)",
                line_id,
                order_id,
            ),
        ],
    )
    async with running(bootstrap(settings_on(Settings, database_url, broker, tokens))) as client:
        buyer = tokens.headers(tokens.buyer(tenant_id))
        order = (await client.get(f"/api/v1/purchase-orders/{order_id}", headers=buyer)).json()
        assert order["match_against_receipts"] is False
        assert [line["received_quantity"] for line in order["lines"]] == ["0"]
        receipt = await client.post(
            f"/api/v1/purchase-orders/{order_id}/receipts",
            json={
                "received_on": datetime.now(UTC).date().isoformat(),
                "lines": [{"purchase_order_line_id": str(line_id), "quantity": "10"}],
            },
            headers=buyer,
        )
        assert receipt.status_code == 201, receipt.text
        assert receipt.json()["number"] == "PO-000001-GR1"
        listed = (await client.get("/api/v1/purchase-orders", headers=buyer)).json()["items"]
        assert [line["received_quantity"] for line in listed[0]["lines"]] == ["10"]
