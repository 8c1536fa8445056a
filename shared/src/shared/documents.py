"""Printable documents rendered from event snapshots: the purchase order and invoice PDFs.

Orders serves the purchase order's as an export and the notifier attaches it to the supplier's
email; both render the same snapshot, so the supplier receives exactly what the buyer sees. fpdf2
is pure Python.

The parties appear by name, never by id: an id means nothing to the person reading. The names
come with the snapshot (the buyer's is the organisation's name as orders knew it when the order
was published); a name not known at all shows as "-", like any other missing detail.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fpdf import FPDF

from shared.contracts.invoicing import InvoiceSnapshot
from shared.contracts.orders import PurchaseOrderSnapshot


def _text(value: object) -> str:
    # The built-in PDF fonts cover Latin-1; anything else is replaced rather than failing.
    return str(value).encode("latin-1", "replace").decode("latin-1")


def _amount(value: Decimal) -> str:
    return f"{value:,.2f}" if value == value.quantize(Decimal("0.01")) else f"{value:,}"


def _name(name: str | None) -> str:
    """A party's name; "-" when none is known (never its id: see the module's docstring)."""
    return name or "-"


def render_purchase_order_pdf(po: PurchaseOrderSnapshot, *, buyer_name: str | None = None) -> bytes:
    """The order as its snapshot has it; ``buyer_name``, when given, is a name fresher than the
    snapshot's (a read model of organisations that has it while the snapshot had none)."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(_text(f"Purchase order {po.number}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, _text(f"Purchase order {po.number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    details = [
        ("Buyer", _name(buyer_name or po.buyer_name)),
        ("Supplier", po.supplier_name),
        ("Status", po.status.replace("_", " ")),
        ("Currency", po.currency),
        ("Delivery date", po.delivery_date.isoformat() if po.delivery_date else "-"),
        ("Issued", (po.submitted_at or po.created_at).strftime("%Y-%m-%d %H:%M UTC")),
    ]
    for label, value in details:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(35, 6, _text(label))
        pdf.set_font("Helvetica", size=10)
        pdf.cell(0, 6, _text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = (10, 30, 62, 20, 15, 25, 28)
    headers = ("#", "SKU", "Description", "Qty", "Unit", "Unit price", "Net")
    pdf.set_font("Helvetica", "B", 9)
    for width, header in zip(widths, headers, strict=True):
        pdf.cell(width, 7, header, border=1, align="C")
    pdf.ln()
    pdf.set_font("Helvetica", size=9)
    for line in po.lines:
        row = (
            str(line.line_no),
            line.sku or "",
            line.description[:40],
            f"{line.quantity:,}",
            line.unit or "",
            _amount(line.unit_price),
            _amount(line.net_amount),
        )
        for index, (width, value) in enumerate(zip(widths, row, strict=True)):
            pdf.cell(width, 6, _text(value), border=1, align="R" if index in (3, 5, 6) else "L")
        pdf.ln()
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(sum(widths[:-1]), 8, _text(f"Net total ({po.currency})"), border=1, align="R")
    pdf.cell(widths[-1], 8, _text(_amount(po.net_total)), border=1, align="R")
    pdf.ln()
    return bytes(pdf.output())


def render_invoice_pdf(
    invoice: InvoiceSnapshot,
    *,
    buyer_name: str | None,
    supplier_name: str | None,
    delivery_date: date | None = None,
) -> bytes:
    """The invoice as both sides see it: parties, PO, dates, status, lines and totals."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(_text(f"Invoice {invoice.number}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, _text(f"Invoice {invoice.number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    details = [
        ("Supplier", _name(supplier_name)),
        ("Buyer", _name(buyer_name)),
        ("Purchase order", invoice.purchase_order_number),
        ("Issue date", invoice.issue_date.isoformat() if invoice.issue_date else "-"),
        ("Delivery date", delivery_date.isoformat() if delivery_date else "-"),
        ("Status", invoice.status.replace("_", " ")),
        ("Currency", invoice.currency),
    ]
    for label, value in details:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(35, 6, _text(label))
        pdf.set_font("Helvetica", size=10)
        pdf.cell(0, 6, _text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = (10, 92, 25, 28, 35)
    headers = ("#", "Description", "Qty", "Unit price", "Net")
    pdf.set_font("Helvetica", "B", 9)
    for width, header in zip(widths, headers, strict=True):
        pdf.cell(width, 7, header, border=1, align="C")
    pdf.ln()
    pdf.set_font("Helvetica", size=9)
    for line in invoice.lines:
        row = (
            str(line.line_no),
            line.description[:55],
            f"{line.quantity:,}",
            _amount(line.unit_price),
            _amount(line.net_amount),
        )
        for index, (width, value) in enumerate(zip(widths, row, strict=True)):
            pdf.cell(width, 6, _text(value), border=1, align="R" if index >= 2 else "L")
        pdf.ln()
    totals = [(f"Net total ({invoice.currency})", invoice.net_total)]
    if invoice.payments:
        totals += [("Paid", invoice.paid_total), ("Left to pay", invoice.net_total - invoice.paid_total)]
    pdf.set_font("Helvetica", "B", 10)
    for label, amount in totals:
        pdf.cell(sum(widths[:-1]), 8, _text(label), border=1, align="R")
        pdf.cell(widths[-1], 8, _text(_amount(amount)), border=1, align="R")
        pdf.ln()
    return bytes(pdf.output())
