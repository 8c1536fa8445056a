"""The purchase order on paper, drawn from the snapshot its events carry.

One document with two readers: the buyer exports it from orders, and the notifier attaches it to
the supplier's email, so that the supplier receives exactly what the buyer sees. It is drawn from
the published snapshot alone, which is why it lives beside the contract and not in either
service (a service imports no other). The parties appear by name, never by id: an id means
nothing to the person reading; the buyer's is the organisation's as orders knew it when the order
was published.
"""

from __future__ import annotations

from shared.contracts.orders import PurchaseOrderSnapshot
from shared.documents import Column, PrintedDocument, amount_text, render_pdf
from shared.taxes import rate_text, tax_summary

COLUMNS = (
    Column("#", 10),
    Column("SKU", 26),
    Column("Description", 52),
    Column("Qty", 20, align_right=True),
    Column("Unit", 14),
    Column("Unit price", 25, align_right=True),
    Column("Tax", 15, align_right=True),
    Column("Net", 28, align_right=True),
)


def purchase_order_document(po: PurchaseOrderSnapshot) -> PrintedDocument:
    """What the printed order shows: parties, status, dates, lines, the tax per rate and the totals."""
    return PrintedDocument(
        title=f"Purchase order {po.number}",
        details=(
            ("Buyer", po.buyer_name),
            ("Supplier", po.supplier_name),
            ("Status", po.status.replace("_", " ")),
            ("Currency", po.currency),
            ("Delivery date", po.delivery_date.isoformat() if po.delivery_date else None),
            ("Issued", (po.submitted_at or po.created_at).strftime("%Y-%m-%d %H:%M UTC")),
        ),
        columns=COLUMNS,
        rows=tuple(
            (
                str(line.line_no),
                line.sku or "",
                line.description[:34],
                f"{line.quantity:,}",
                line.unit or "",
                amount_text(line.unit_price),
                rate_text(line.tax_rate),
                amount_text(line.net_amount),
            )
            for line in po.lines
        ),
        tax_summary=tax_summary(po.lines, po.currency),
        totals=(
            (f"Net total ({po.currency})", po.net_total),
            (f"Tax ({po.currency})", po.tax_total),
            (f"Gross total ({po.currency})", po.gross_total),
        ),
    )


def render_purchase_order_pdf(po: PurchaseOrderSnapshot) -> bytes:
    return render_pdf(purchase_order_document(po))
