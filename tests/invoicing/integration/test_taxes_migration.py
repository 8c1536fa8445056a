"""Migration 0010 on a real database: it matches the tables, and invoices written before taxes are
untaxed (0 % lines, a tax of zero, the gross total their net total), their balance due what the
payments left of it."""

from __future__ import annotations

import uuid

from invoicing.bootstrap import bootstrap
from invoicing.config import Settings
from invoicing.migrate import SERVICE_ROOT
from portal_dev.migrations import settings_on, upgraded_with
from portal_dev.testing import Servers, Tokens, running


async def test_invoices_written_before_taxes_are_untaxed_and_owe_their_net_less_payments(
    servers: Servers, broker: str, tokens: Tokens
) -> None:
    tenant_id, supplier_id, invoice_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    database_url = await upgraded_with(
        servers,
        "invoicing",
        SERVICE_ROOT,
        written_at="0008_attachment_filename",
        rows=[
            (
                "INSERT INTO invoices (id, tenant_id, supplier_id, purchase_order_id, purchase_order_number, number,"
                " currency, status, net_total, submission, submitted_at, revision, created_at, updated_at)"
                " VALUES ($1, $2, $3, $4, 'PO-000001', 'INV-1', 'EUR', 'partly_paid', 51.68, 1, now(), 4, now(),"
                " now())",
                invoice_id,
                tenant_id,
                supplier_id,
                uuid.uuid4(),
            ),
            (
                "INSERT INTO invoice_lines (id, invoice_id, line_no, description, quantity, unit_price, net_amount)"
                " VALUES ($1, $2, 1, 'Bolts', 10, 5.168, 51.68)",
                uuid.uuid4(),
                invoice_id,
            ),
            (
                "INSERT INTO payments (id, invoice_id, amount, paid_at) VALUES ($1, $2, 50.00, now())",
                uuid.uuid4(),
                invoice_id,
            ),
        ],
    )
    async with running(bootstrap(settings_on(Settings, database_url, broker, tokens))) as client:
        supplier = tokens.headers(tokens.supplier(supplier_id))
        invoice = (await client.get(f"/api/v1/invoices/{invoice_id}", headers=supplier)).json()
        totals = ("net_total", "tax_total", "gross_total", "paid_total", "balance_due")
        assert [invoice[name] for name in totals] == ["51.68", "0.00", "51.68", "50.00", "1.68"]
        assert [(line["tax_rate"], line["tax_amount"]) for line in invoice["lines"]] == [("0", "0.00")]
        assert (invoice["kind"], invoice["credited_total"]) == ("invoice", "0")
        listed = (await client.get("/api/v1/invoices", headers=supplier)).json()["items"]
        assert [[i[name] for name in totals] for i in listed] == [["51.68", "0.00", "51.68", "50.00", "1.68"]]
