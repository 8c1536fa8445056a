"""Migration 0120 on a real database: it matches the tables, and orders written before taxes are
untaxed (0 % lines, a tax of zero in the currency's scale, the gross total their net total)."""

from __future__ import annotations

import uuid

from orders.bootstrap import bootstrap
from orders.config import Settings
from orders.migrate import SERVICE_ROOT
from portal_dev.migrations import settings_on, upgraded_with
from portal_dev.testing import Servers, Tokens, running


async def test_orders_written_before_taxes_are_untaxed_with_their_net_as_gross(
    servers: Servers, broker: str, tokens: Tokens
) -> None:
    tenant_id, supplier_id, order_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    database_url = await upgraded_with(
        servers,
        "orders",
        SERVICE_ROOT,
        written_at="0112_relay_state",
        rows=[
            (
                "INSERT INTO purchase_orders (id, tenant_id, number, supplier_id, supplier_name, currency, status,"
                " initiator_id, net_total, created_at, updated_at, submitted_at, revision)"
                " VALUES ($1, $2, 'PO-000001', $3, 'Acme Tools', 'EUR', 'sent', $4, 51.68, now(), now(), now(), 2)",
                order_id,
                tenant_id,
                supplier_id,
                uuid.uuid4(),
            ),
            (
                "INSERT INTO purchase_order_lines (id, purchase_order_id, line_no, description, quantity, unit_price,"
                " net_amount, invoiced_quantity) VALUES ($1, $2, 1, 'Bolts', 10, 5.168, 51.68, 0)",
                uuid.uuid4(),
                order_id,
            ),
        ],
    )
    async with running(bootstrap(settings_on(Settings, database_url, broker, tokens))) as client:
        supplier = tokens.headers(tokens.supplier(supplier_id))
        order = (await client.get(f"/api/v1/purchase-orders/{order_id}", headers=supplier)).json()
        assert (order["net_total"], order["tax_total"], order["gross_total"]) == ("51.68", "0.00", "51.68")
        assert [(line["tax_rate"], line["tax_amount"]) for line in order["lines"]] == [("0", "0.00")]
        listed = (await client.get("/api/v1/purchase-orders", headers=supplier)).json()["items"]
        assert [(o["tax_total"], o["gross_total"]) for o in listed] == [("0.00", "51.68")]
