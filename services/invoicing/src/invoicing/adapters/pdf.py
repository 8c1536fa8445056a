"""The invoice as a PDF document, rendered from the same snapshot its events carry.

The parties appear by name, never by id: an id means nothing to the person reading. A name not
known at all shows as "-", like any other missing detail.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from invoicing.domain.events import invoice_state
from invoicing.domain.model import Invoice
from shared.contracts.invoicing import InvoiceSnapshot
from shared.documents import Column, Party, PrintedDocument, amount_text, payment_terms_text, render_pdf
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


def payment_terms_days_of(invoice: InvoiceSnapshot) -> int | None:
    """The terms the due date was set with: the days from the issue date (or submission day) to it."""
    start = invoice.issue_date or (invoice.submitted_at.date() if invoice.submitted_at else None)
    return (invoice.due_date - start).days if invoice.due_date and start else None


def parties_and_terms(invoice: InvoiceSnapshot, supplier: Party, buyer: Party) -> tuple[tuple[str, str | None], ...]:
    """The issuer (the supplier) and the recipient (the buyer) as they name themselves, the issue
    and due dates and the payment terms (a credit note is not paid: it has neither)."""
    issued = ("Issue date", invoice.issue_date.isoformat() if invoice.issue_date else None)
    if invoice.kind == "credit_note":
        return (*supplier.details("Supplier"), *buyer.details("Buyer"), issued)
    return (
        *supplier.details("Supplier"),
        *buyer.details("Buyer"),
        issued,
        ("Due date", invoice.due_date.isoformat() if invoice.due_date else None),
        ("Payment terms", payment_terms_text(payment_terms_days_of(invoice))),
    )


# A party nothing is known of: every detail prints as "-".
UNKNOWN_PARTY = Party(None)


@dataclass(frozen=True)
class PrintedBeside:
    """What an invoice's document prints beside the invoice itself: the parties as they name
    themselves (a name not known shows as "-"), its order's delivery date, and, for a credit note,
    the number of the invoice it credits."""

    supplier: Party = UNKNOWN_PARTY
    buyer: Party = UNKNOWN_PARTY
    delivery_date: date | None = None
    credited_number: str | None = None


NOTHING_BESIDE = PrintedBeside()


def invoice_document(invoice: InvoiceSnapshot, beside: PrintedBeside = NOTHING_BESIDE) -> PrintedDocument:
    """The invoice as both sides see it: parties, PO, dates, status, lines, the tax per rate and the
    totals (with the credits, what is paid and the balance due once the invoice is owed). A credit
    note names the invoice it credits and owes nothing."""
    currency = invoice.currency
    credit_note = invoice.kind == "credit_note"
    totals = [
        (f"Net total ({currency})", invoice.net_total),
        (f"Tax ({currency})", invoice.tax_total),
        (f"Gross total ({currency})", invoice.gross_total),
    ]
    if invoice.credited_total:
        totals.append((f"Credited ({currency})", invoice.credited_total))
    if not credit_note and (invoice.payments or invoice.status in PAYABLE_OR_PAID):
        totals += [(f"Paid ({currency})", invoice.paid_total), (f"Balance due ({currency})", invoice.balance_due)]
    parties = parties_and_terms(invoice, beside.supplier, beside.buyer)
    credits = (("Credits invoice", beside.credited_number),) if credit_note else ()
    return PrintedDocument(
        title=f"{'Credit note' if credit_note else 'Invoice'} {invoice.number}",
        details=(
            *parties,
            *credits,
            ("Purchase order", invoice.purchase_order_number),
            ("Delivery date", beside.delivery_date.isoformat() if beside.delivery_date else None),
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


def render_invoice_pdf(invoice: InvoiceSnapshot, beside: PrintedBeside = NOTHING_BESIDE) -> bytes:
    return render_pdf(invoice_document(invoice, beside))


async def invoice_pdf(invoice: Invoice, beside: PrintedBeside) -> bytes:
    snapshot = InvoiceSnapshot(**invoice_state(invoice))
    # Rendering is CPU work; a thread keeps the event loop answering other requests meanwhile.
    return await asyncio.to_thread(render_invoice_pdf, snapshot, beside)
