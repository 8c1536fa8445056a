"""The invoice as a PDF document, rendered from the same snapshot its events carry.

The parties appear by name, never by id: an id means nothing to the person reading. A name not
known at all shows as "-", like any other missing detail.
"""

from __future__ import annotations

import asyncio
from datetime import date

from invoicing.domain.events import invoice_state
from invoicing.domain.model import Invoice
from shared.contracts.invoicing import InvoiceSnapshot
from shared.documents import Column, PrintedDocument, amount_text, render_pdf
from shared.taxes import rate_text, tax_summary

# An invoice that is owed: its payments and balance due are printed (a draft owes nothing yet).
PAYABLE_OR_PAID = frozenset({"approved", "partly_paid", "paid"})

COLUMNS = (
    Column("#", 10),
    Column("Description", 77),
    Column("Qty", 25, align_right=True),
    Column("Unit price", 28, align_right=True),
    Column("Tax", 15, align_right=True),
    Column("Net", 35, align_right=True),
)


def invoice_document(
    invoice: InvoiceSnapshot,
    *,
    buyer_name: str | None,
    supplier_name: str | None,
    delivery_date: date | None = None,
) -> PrintedDocument:
    """The invoice as both sides see it: parties, PO, dates, status, lines, the tax per rate and the
    totals (with what is paid and the balance due once a payment is recorded)."""
    currency = invoice.currency
    totals = [
        (f"Net total ({currency})", invoice.net_total),
        (f"Tax ({currency})", invoice.tax_total),
        (f"Gross total ({currency})", invoice.gross_total),
    ]
    if invoice.payments or invoice.status in PAYABLE_OR_PAID:
        totals += [(f"Paid ({currency})", invoice.paid_total), (f"Balance due ({currency})", invoice.balance_due)]
    return PrintedDocument(
        title=f"Invoice {invoice.number}",
        details=(
            ("Supplier", supplier_name),
            ("Buyer", buyer_name),
            ("Purchase order", invoice.purchase_order_number),
            ("Issue date", invoice.issue_date.isoformat() if invoice.issue_date else None),
            ("Delivery date", delivery_date.isoformat() if delivery_date else None),
            ("Status", invoice.status.replace("_", " ")),
            ("Currency", invoice.currency),
        ),
        columns=COLUMNS,
        rows=tuple(
            (
                str(line.line_no),
                line.description[:46],
                f"{line.quantity:,}",
                amount_text(line.unit_price),
                rate_text(line.tax_rate),
                amount_text(line.net_amount),
            )
            for line in invoice.lines
        ),
        tax_summary=tax_summary(invoice.lines, invoice.currency),
        totals=tuple(totals),
    )


def render_invoice_pdf(
    invoice: InvoiceSnapshot,
    *,
    buyer_name: str | None,
    supplier_name: str | None,
    delivery_date: date | None = None,
) -> bytes:
    return render_pdf(
        invoice_document(invoice, buyer_name=buyer_name, supplier_name=supplier_name, delivery_date=delivery_date)
    )


async def invoice_pdf(
    invoice: Invoice, *, buyer_name: str | None, supplier_name: str | None, delivery_date: date | None = None
) -> bytes:
    snapshot = InvoiceSnapshot(**invoice_state(invoice))
    # Rendering is CPU work; a thread keeps the event loop answering other requests meanwhile.
    return await asyncio.to_thread(
        render_invoice_pdf, snapshot, buyer_name=buyer_name, supplier_name=supplier_name, delivery_date=delivery_date
    )
