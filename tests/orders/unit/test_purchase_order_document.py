"""The purchase order PDF: the parties as businesses name themselves, who ordered, delivery,
payment terms, status, dates, lines and the totals."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader

from orders.domain.model import PurchaseOrder
from shared.contracts.orders import PartyDetails
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


def a_business_order() -> PurchaseOrder:
    order = draft(delivery_address="Globex Warehouse 3\nDock 12\n20457 Hamburg")
    order.buyer_name = "Globex"
    order.buyer = PartyDetails(
        legal_name="Globex Buying GmbH",
        address="Hauptstrasse 1\n10115 Berlin",
        tax_id="DE123456789",
        contact_name="Pat Purchasing",
        contact_email="purchasing@globex.example",
        contact_phone="+49 30 123456",
    )
    order.supplier = PartyDetails(legal_name="Acme Tools Ltd", address="7 Mill Road\nSheffield S1 2AB", tax_id="GB987")
    order.initiator_name, order.initiator_email = "Dana Buyer", "dana@globex.example"
    order.payment_terms_days = 30
    return order


def test_the_pdf_names_both_parties_as_businesses_with_their_legal_details_and_the_buyers_contact() -> None:
    order = a_business_order()
    order.submit(NOW)
    text = text_of(render_purchase_order_pdf(order.snapshot()))
    for expected in (
        "Buyer Globex Buying GmbH",
        "Address Hauptstrasse 1\n10115 Berlin",
        "Tax ID DE123456789",
        "Contact Pat Purchasing, purchasing@globex.example, +49 30 123456",
        "Supplier Acme Tools Ltd",
        "Address 7 Mill Road\nSheffield S1 2AB",
        "Tax ID GB987",
    ):
        assert expected in text, expected


def test_the_pdf_says_who_ordered_where_and_when_to_deliver_and_the_payment_terms() -> None:
    order = a_business_order()
    order.submit(NOW)
    text = text_of(render_purchase_order_pdf(order.snapshot()))
    for expected in (
        "Ordered by Dana Buyer (dana@globex.example)",
        "Delivery date 2026-06-01",
        "Delivery address Globex Warehouse 3\nDock 12\n20457 Hamburg",
        "Payment terms 30 days net",
    ):
        assert expected in text, expected


def test_an_order_without_a_delivery_address_is_delivered_to_the_buyers_address() -> None:
    order = a_business_order()
    order.delivery_address = None
    text = text_of(render_purchase_order_pdf(order.snapshot()))
    assert "Delivery address Hauptstrasse 1\n10115 Berlin" in text


def test_a_party_without_a_legal_name_is_named_by_its_name_and_details_not_known_show_a_dash() -> None:
    order = draft()
    order.buyer_name = "Globex"
    text = text_of(render_purchase_order_pdf(order.snapshot()))
    for expected in ("Buyer Globex", "Supplier Acme Tools", "Contact -", "Ordered by -", "Payment terms -"):
        assert expected in text, expected
    assert "Delivery address -" in text and "Tax ID -" in text


def test_terms_of_zero_days_read_due_on_receipt() -> None:
    order = a_business_order()
    order.payment_terms_days = 0
    assert "Payment terms Due on receipt" in text_of(render_purchase_order_pdf(order.snapshot()))


def test_long_names_and_addresses_wrap_onto_further_lines_beside_their_label() -> None:
    order = a_business_order()
    order.buyer = PartyDetails(
        legal_name="Globex Buying Corporation International Holdings " * 3, address="Avenue " * 60
    )
    order.delivery_address = "Warehouse " * 45
    text = text_of(render_purchase_order_pdf(order.snapshot()))
    # Nothing is cut off: every word is there, and the long values go on over several lines.
    assert text.count("Avenue") == 60 and text.count("Warehouse") == 45
    assert max(len(printed_line) for printed_line in text.splitlines()) < 100
