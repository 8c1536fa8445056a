"""End to end through the gateway: a supplier's payment terms set by the buyer give its invoice a
due date, and an approved invoice past it is listed as overdue on both sides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.e2e.conftest import Portal


async def test_a_supplier_on_ten_day_terms_gets_its_due_date_and_a_late_invoice_shows_as_overdue(
    api: httpx.AsyncClient, portal: Portal
) -> None:
    buyer = await portal.admin()
    supplier_id, supplier = await portal.onboard_supplier(
        buyer, name="Prompt Parts", email="billing@prompt-parts.example", payment_terms_days=10
    )
    assert (await api.get(f"/suppliers/{supplier_id}", headers=buyer)).json()["payment_terms_days"] == 10
    po = await portal.create_po(buyer, supplier_id, [{"description": "Gaskets", "quantity": "10", "unit_price": "5"}])
    await portal.submit_po(buyer, po["id"])

    issued = datetime.now(UTC).date() - timedelta(days=11)
    invoice = await portal.create_invoice(
        supplier, {"purchase_order_id": po["id"], "number": "PP-1", "issue_date": issued.isoformat()}
    )
    submitted = await api.post(f"/invoices/{invoice['id']}/submit", headers=supplier)
    assert submitted.status_code == 202, submitted.text
    assert submitted.json()["due_date"] == (issued + timedelta(days=10)).isoformat()

    approved = await portal.invoice_in(supplier, invoice["id"], "approved")
    assert approved["overdue"] is True and approved["due_date"] == submitted.json()["due_date"]
    mine = {"supplier_id": supplier_id}
    for side in (supplier, buyer):
        overdue = await api.get("/invoices", params={**mine, "overdue": "true"}, headers=side)
        assert [i["number"] for i in overdue.json()["items"]] == ["PP-1"]
        in_time = await api.get("/invoices", params={**mine, "overdue": "false"}, headers=side)
        assert in_time.json()["items"] == []
    refused = await api.get("/invoices", params={"overdue": "sometimes"}, headers=buyer)
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
