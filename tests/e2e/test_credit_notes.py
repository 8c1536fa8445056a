"""Credit notes through the gateway: an approved invoice credited in part, the credit approved on
the spot, the invoice's balance due lowered, and the order invoiced again for what was credited;
a credit beyond the invoice waits for the initiator."""

from __future__ import annotations

from decimal import Decimal

import httpx

from portal_dev.testing import poll_until
from tests.e2e.conftest import Portal


async def test_an_invoice_credited_in_part_lowers_its_balance_and_reopens_its_order(
    api: httpx.AsyncClient, portal: Portal
) -> None:
    buyer = await portal.admin()
    supplier_id, supplier = await portal.onboard_supplier(
        buyer, name="Credit Crafts", email="sales@credit.example", tolerance="0"
    )
    po = await portal.create_po(
        buyer, supplier_id, [{"description": "Chairs", "quantity": "50", "unit_price": "100.00", "tax_rate": "20"}]
    )
    await portal.submit_po(buyer, po["id"])
    [po_line] = po["lines"]
    invoice = await portal.create_invoice(
        supplier,
        {
            "purchase_order_id": po["id"],
            "number": "CC-1",
            "issue_date": "2026-11-23",
            "lines": [{"purchase_order_line_id": po_line["id"], "quantity": "30", "unit_price": "100.00"}],
        },
    )
    assert (await api.post(f"/invoices/{invoice['id']}/submit", headers=supplier)).status_code == 202
    await portal.invoice_in(supplier, invoice["id"], "approved")

    # A credit note of 5 of the 30 chairs: within the invoice, approved on the spot.
    [billed] = invoice["lines"]
    body = {
        "kind": "credit_note",
        "credited_invoice_id": invoice["id"],
        "number": "CC-1-C1",
        "issue_date": "2026-11-25",
        "lines": [{"invoice_line_id": billed["id"], "quantity": "5", "unit_price": "100.00"}],
    }
    created = await api.post("/invoices", json=body, headers=supplier)
    assert created.status_code == 201, created.text
    note = created.json()
    assert (note["kind"], note["credited_invoice_id"], note["purchase_order_id"]) == (
        "credit_note",
        invoice["id"],
        po["id"],
    )
    assert (note["net_total"], note["tax_total"], note["gross_total"]) == ("500.00", "100.00", "600.00")
    assert (await api.post(f"/invoices/{note['id']}/submit", headers=supplier)).status_code == 202
    approved = await portal.invoice_in(supplier, note["id"], "approved")
    assert approved["matching"]["outcome"] == "auto_approved"

    async def credited() -> dict | None:
        seen: dict = (await api.get(f"/invoices/{invoice['id']}", headers=supplier)).json()
        return seen if seen["credited_total"] == "600.00" else None

    seen = await poll_until(credited, timeout_s=30, what="the invoice to show its credit")
    assert (seen["gross_total"], seen["balance_due"]) == ("3600.00", "3000.00")
    await portal.email(to="sales@credit.example", subject="Credit note CC-1-C1 for PO")

    # The order takes the credited quantity back, and is invoiced again for it.
    async def reopened() -> dict | None:
        order: dict = (await api.get(f"/purchase-orders/{po['id']}", headers=buyer)).json()
        return order if Decimal(order["lines"][0]["invoiced_quantity"]) == 25 else None

    order = await poll_until(reopened, timeout_s=30, what="the order to take the credited chairs back")
    assert (order["status"], order["lines"][0]["remaining_quantity"]) == ("partially_invoiced", "25")
    again = await portal.create_invoice(supplier, {"purchase_order_id": po["id"], "number": "CC-2"})
    assert [line["quantity"] for line in again["lines"]] == ["25"]
    assert (await api.post(f"/invoices/{again['id']}/submit", headers=supplier)).status_code == 202
    rebilled = await portal.invoice_in(supplier, again["id"], "approved", "pending")
    assert rebilled["status"] == "approved", rebilled["matching"]
    assert (rebilled["matching"]["open_net"], rebilled["matching"]["excess"]) == ("2500.00", "0.00")

    # Crediting more than the invoice billed waits for the initiator.
    beyond = {**body, "number": "CC-1-C2", "lines": [{**body["lines"][0], "quantity": "26"}]}
    over = (await api.post("/invoices", json=beyond, headers=supplier)).json()
    assert (await api.post(f"/invoices/{over['id']}/submit", headers=supplier)).status_code == 202
    held = await portal.invoice_in(buyer, over["id"], "pending")
    assert held["matching"]["reasons"] == ["credit_exceeds_invoice"]
    await portal.email(to="admin@buyer.example", subject="Credit note CC-1-C2 for PO")

    # Lists tell the kinds apart; a credit note is never paid.
    notes = (await api.get("/invoices", params={"kind": "credit_note"}, headers=supplier)).json()["items"]
    assert sorted(n["number"] for n in notes) == ["CC-1-C1", "CC-1-C2"]
    refused = await api.post(f"/invoices/{note['id']}/payments", json={"amount": "1.00"}, headers=buyer)
    assert refused.status_code == 409 and "credit note" in refused.json()["detail"]
    pdf = await api.get(f"/invoices/{note['id']}/export", params={"format": "pdf"}, headers=supplier)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


async def test_a_credit_note_is_refused_for_an_invoice_that_is_not_approved(
    api: httpx.AsyncClient, portal: Portal
) -> None:
    buyer = await portal.admin()
    supplier_id, supplier = await portal.onboard_supplier(buyer, name="Early Crediting", email="cn@early.example")
    po = await portal.create_po(buyer, supplier_id, [{"description": "Desks", "quantity": "2", "unit_price": "50"}])
    await portal.submit_po(buyer, po["id"])
    draft = await portal.create_invoice(supplier, {"purchase_order_id": po["id"], "number": "EC-1"})
    body = {
        "kind": "credit_note",
        "credited_invoice_id": draft["id"],
        "number": "EC-1-C",
        "lines": [{"invoice_line_id": draft["lines"][0]["id"], "quantity": "1", "unit_price": "50"}],
    }
    refused = await api.post("/invoices", json=body, headers=supplier)
    assert refused.status_code == 409 and "only an approved invoice can be credited" in refused.json()["detail"]
    incomplete = await api.post("/invoices", json={**body, "lines": None}, headers=supplier)
    assert incomplete.status_code == 422
    assert [e["field"] for e in incomplete.json()["errors"]] == ["lines"]
