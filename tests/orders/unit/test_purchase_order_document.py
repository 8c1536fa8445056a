"""The purchase order PDF: parties by name, status, dates, lines and the net total."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader

from shared.contracts.purchase_order_document import render_purchase_order_pdf
from tests.orders.unit.builders import NOW, draft, line


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def test_the_pdf_shows_the_parties_by_name_the_lines_and_the_net_total() -> None:
    order = draft(line("1000", "0.125", "Hex bolt M8"), line("12.5", "348.00", "Steel plate 2mm"))
    order.lines[0].sku, order.lines[0].unit = "HB-M8", "pcs"
    order.buyer_name = "Globex Buying"
    order.submit(NOW)

    pdf = render_purchase_order_pdf(order.snapshot())
    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf)
    for expected in ("Purchase order PO-000001", "Buyer Globex Buying", "Supplier Acme Tools", "Status sent"):
        assert expected in text, expected
    for expected in ("Delivery date 2026-06-01", "Issued 2026-05-04 09:30 UTC", "HB-M8", "Hex bolt M8", "pcs"):
        assert expected in text, expected
    for expected in ("0.125", "125.00", "348.00", "4,350.00", "Net total (EUR)", "4,475.00"):
        assert expected in text, expected
    assert str(order.supplier_id) not in text and str(order.tenant_id) not in text


def test_the_pdf_shows_each_lines_rate_the_tax_per_rate_and_the_gross_total() -> None:
    order = draft(line("10", "100.00", "Steel", tax_rate="20"), line("2", "50.00", "Manual", tax_rate="0"))
    order.submit(NOW)
    text = text_of(render_purchase_order_pdf(order.snapshot()))
    for expected in ("Tax rate Net Tax Gross", "20 % 1,000.00 200.00 1,200.00", "0 % 100.00 0.00 100.00"):
        assert expected in text, expected
    for expected in ("Net total (EUR) 1,100.00", "Tax (EUR) 200.00", "Gross total (EUR) 1,300.00"):
        assert expected in text, expected


def test_an_unknown_buyer_and_a_missing_delivery_date_show_a_dash_and_a_draft_its_creation_time() -> None:
    order = draft()
    order.buyer_name, order.delivery_date = None, None
    text = text_of(render_purchase_order_pdf(order.snapshot()))
    assert "Buyer -" in text and "Delivery date -" in text
    assert "Status draft" in text and "Issued 2026-05-04 09:30 UTC" in text
