"""Taxes through the gateway: a PO with 20 % and 0 % lines, invoiced in full from the prefill and
paid up to its gross total; both sides read the same figures, on the documents and in the emails."""

from __future__ import annotations

from io import BytesIO

import httpx
from pypdf import PdfReader

from tests.e2e.conftest import Portal


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


async def test_a_po_taxed_at_20_and_0_percent_is_invoiced_in_full_and_paid_to_its_gross_total(
    api: httpx.AsyncClient, portal: Portal
) -> None:
    buyer = await portal.admin()
    supplier_id, supplier = await portal.onboard_supplier(buyer, name="Taxed Tools", email="sales@taxed.example")
    po = await portal.create_po(
        buyer,
        supplier_id,
        [
            {"description": "Drill", "quantity": "10", "unit_price": "100.00", "tax_rate": "20"},
            {"description": "Manual", "quantity": "5", "unit_price": "40.00", "tax_rate": "0"},
        ],
    )
    assert (po["net_total"], po["tax_total"], po["gross_total"]) == ("1200.00", "200.00", "1400.00")
    assert [(line["tax_rate"], line["tax_amount"]) for line in po["lines"]] == [("20", "200.00"), ("0", "0.00")]
    await portal.submit_po(buyer, po["id"])
    [po_mail] = await portal.email(to="sales@taxed.example", subject=po["number"])
    assert "Gross total:    1,400.00 EUR" in po_mail.get_body(preferencelist=("plain",)).get_content()
    exported = await api.get(f"/purchase-orders/{po['id']}/export", params={"format": "pdf"}, headers=supplier)
    assert "Gross total (EUR) 1,400.00" in text_of(exported.content)

    # The prefilled invoice takes the order's rates; matching decides on net (E = 0): approved.
    invoice = await portal.create_invoice(
        supplier, {"purchase_order_id": po["id"], "number": "TAX-1", "issue_date": "2026-11-23"}
    )
    assert [line["tax_rate"] for line in invoice["lines"]] == ["20", "0"]
    assert (invoice["tax_total"], invoice["gross_total"], invoice["balance_due"]) == ("200.00", "1400.00", "1400.00")
    assert (await api.post(f"/invoices/{invoice['id']}/submit", headers=supplier)).status_code == 202
    approved = await portal.invoice_in(supplier, invoice["id"], "approved")
    assert approved["matching"]["outcome"] == "auto_approved"

    # Paid up to the gross total, never beyond; the supplier sees what is left at every step.
    first = await api.post(f"/invoices/{invoice['id']}/payments", json={"amount": "1200.00"}, headers=buyer)
    assert first.status_code == 201, first.text
    assert (first.json()["status"], first.json()["balance_due"]) == ("partly_paid", "200.00")
    seen = (await api.get(f"/invoices/{invoice['id']}", headers=supplier)).json()
    assert (seen["gross_total"], seen["paid_total"], seen["balance_due"]) == ("1400.00", "1200.00", "200.00")
    beyond = await api.post(f"/invoices/{invoice['id']}/payments", json={"amount": "200.01"}, headers=buyer)
    assert beyond.status_code == 409 and "200.00 EUR" in beyond.json()["detail"], beyond.text
    rest = await api.post(f"/invoices/{invoice['id']}/payments", json={"amount": "200.00"}, headers=buyer)
    assert (rest.json()["status"], rest.json()["paid_total"], rest.json()["balance_due"]) == (
        "paid",
        "1400.00",
        "0.00",
    )
    [paid_mail] = await portal.email(to="sales@taxed.example", subject="TAX-1: Paid")
    assert "1,400.00 EUR of 1,400.00 EUR" in paid_mail.get_body(preferencelist=("plain",)).get_content()
    listed = (await api.get("/invoices", params={"purchase_order_id": po["id"]}, headers=supplier)).json()["items"]
    assert [(i["gross_total"], i["balance_due"]) for i in listed] == [("1400.00", "0.00")]
    pdf = await api.get(f"/invoices/{invoice['id']}/export", params={"format": "pdf"}, headers=supplier)
    text = text_of(pdf.content)
    for expected in ("20 % 1,000.00 200.00 1,200.00", "Gross total (EUR) 1,400.00", "Balance due (EUR) 0.00"):
        assert expected in text, expected
