"""The invoice PDF: parties, purchase order, issue date, status, currency, lines and totals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

from pypdf import PdfReader

from invoicing.adapters.pdf import PrintedBeside, render_invoice_pdf
from invoicing.domain.events import invoice_state
from invoicing.domain.lines import LineDraft
from invoicing.domain.read_models import PurchaseOrder
from shared.contracts.invoicing import InvoiceSnapshot
from shared.documents import Party, payment_terms_text
from tests.invoicing.unit.fakes import NOW, make_invoice, make_po, make_verdict


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def test_the_pdf_shows_both_parties_the_po_the_lines_and_the_totals() -> None:
    po: PurchaseOrder = make_po(("10", "100.00"), ("3", "7.50"))
    invoice = make_invoice(po, [LineDraft(ln.line_id, ln.quantity, ln.unit_price) for ln in po.lines])
    invoice.edit({"issue_date": date(2026, 3, 1)}, NOW)
    invoice.submit(NOW)
    invoice.record_verdict(make_verdict(invoice), approver_id=po.initiator_id, now=NOW)
    invoice.record_payment(Decimal("22.50"), NOW)

    beside = PrintedBeside(supplier=Party("Acme Tools"), buyer=Party("Globex Buying"))
    pdf = render_invoice_pdf(InvoiceSnapshot(**invoice_state(invoice)), beside)
    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf)
    for expected in ("Invoice INV-1", "Acme Tools", "Globex Buying", "PO-1", "2026-03-01", "partly paid", "EUR"):
        assert expected in text, expected
    for expected in ("item 1", "item 2", "1,000.00", "22.50", "1,022.50", "1,000.00"):
        assert expected in text, expected


def test_a_party_whose_name_is_not_known_shows_a_dash_never_its_id_as_a_missing_issue_date_does() -> None:
    po = make_po()
    invoice = make_invoice(po)
    text = text_of(render_invoice_pdf(InvoiceSnapshot(**invoice_state(invoice))))
    assert str(po.supplier_id) not in text and str(po.tenant_id) not in text
    assert "Supplier -" in text and "Buyer -" in text
    assert "Issue date -" in text and "Status draft" in text


def test_the_pdf_names_the_supplier_as_issuer_and_the_buyer_as_recipient_with_due_date_and_terms() -> None:
    invoice = make_invoice(make_po())
    invoice.edit({"issue_date": date(2028, 1, 31)}, NOW)
    invoice.submit(NOW, payment_terms_days=30)
    supplier = Party("Acme", "Acme Tools GmbH", "Main St 1\n10115 Berlin", "DE999999999")
    buyer = Party("Globex", "Globex Buying Ltd", "1 Mill Lane\nLeeds LS1 4AP", "GB123456789")

    text = text_of(
        render_invoice_pdf(InvoiceSnapshot(**invoice_state(invoice)), PrintedBeside(supplier=supplier, buyer=buyer))
    )
    lines = text.splitlines()
    # The issuer comes first, each party's legal name, address (line by line) and tax ID under it.
    assert lines.index("Supplier Acme Tools GmbH") < lines.index("Buyer Globex Buying Ltd")
    for expected in ("Address Main St 1", "10115 Berlin", "Tax ID DE999999999", "Leeds LS1 4AP", "Tax ID GB123456789"):
        assert expected in lines, expected
    for expected in ("Issue date 2028-01-31", "Due date 2028-03-01", "Payment terms 30 days net"):
        assert expected in lines, expected


def test_payment_terms_read_as_people_write_them() -> None:
    assert [payment_terms_text(days) for days in (None, 0, 1, 30)] == [
        None,
        "Due on receipt",
        "1 day net",
        "30 days net",
    ]
