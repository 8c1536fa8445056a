"""What people read names the buyer organisation, never its id: the purchase order PDF the buyer
exports and the one the supplier receives by email, the invoice PDF and the supplier's view of
the order, for the organisation the first start creates (the admin's of ``portal.admin()``)."""

from __future__ import annotations

import io
import re
import uuid

import httpx
from pypdf import PdfReader

from tests.e2e.conftest import Portal

UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def assert_names_the_buyer(text: str, organisation: str, tenant_id: str) -> None:
    assert f"Buyer {organisation}" in " ".join(text.split()), text
    assert tenant_id not in text, text
    assert not re.search(r"Buyer\s+" + UUID_TEXT.pattern, text), text


async def test_the_first_organisations_documents_and_emails_carry_its_name(
    api: httpx.AsyncClient, portal: Portal
) -> None:
    buyer = await portal.admin()
    settings = (await api.get("/settings", headers=buyer)).json()
    organisation, tenant_id = settings["name"], (await api.get("/me", headers=buyer)).json()["tenant_id"]
    assert organisation and organisation != tenant_id
    email = f"names-{uuid.uuid4().hex[:8]}@supplier.example"
    supplier_id, supplier = await portal.onboard_supplier(buyer, name="Named Supplies", email=email)
    po = await portal.create_po(buyer, supplier_id, [{"description": "Cable", "quantity": "4", "unit_price": "12.50"}])
    await portal.submit_po(buyer, po["id"])

    exported = await api.get(f"/purchase-orders/{po['id']}/export", params={"format": "pdf"}, headers=buyer)
    assert exported.status_code == 200, exported.text
    assert_names_the_buyer(pdf_text(exported.content), organisation, tenant_id)

    [mail] = await portal.email(to=email, subject=po["number"])
    [attached] = [part for part in mail.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert_names_the_buyer(pdf_text(attached.get_content()), organisation, tenant_id)

    seen = (await api.get(f"/purchase-orders/{po['id']}", headers=supplier)).json()
    assert seen["buyer_name"] == organisation

    invoice = await portal.create_invoice(supplier, {"purchase_order_id": po["id"], "number": "NAMES-1"})
    invoice_pdf = await api.get(f"/invoices/{invoice['id']}/export", params={"format": "pdf"}, headers=supplier)
    assert invoice_pdf.status_code == 200, invoice_pdf.text
    assert_names_the_buyer(pdf_text(invoice_pdf.content), organisation, tenant_id)
