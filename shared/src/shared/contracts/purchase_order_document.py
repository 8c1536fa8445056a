"""The purchase order on paper, drawn from the snapshot its events carry.

One document with two readers: the buyer exports it from orders, and the notifier attaches it to
the supplier's email, so that the supplier receives exactly what the buyer sees. It is drawn from
the published snapshot alone, which is why it lives beside the contract and not in either
service (a service imports no other). The parties appear by name, never by id: an id means
nothing to the person reading. Both parties, the initiator and the payment terms are as orders
knew them when the event was written; a detail it did not know yet shows as "-". An order
without a delivery address is delivered to the buyer's address, and prints that one.
"""

from __future__ import annotations

from shared.contracts.orders import PartyDetails, PurchaseOrderSnapshot
from shared.documents import Column, Party, PrintedDocument, amount_text, payment_terms_text, render_pdf
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


def _joined(*parts: str | None, separator: str = ", ") -> str | None:
    return separator.join(part for part in parts if part) or None


def buyer_details(po: PurchaseOrderSnapshot) -> tuple[tuple[str, str | None], ...]:
    """The buyer as it names itself, and whom the supplier may ask about the order."""
    details = po.buyer or PartyDetails()
    contact = _joined(details.contact_name, details.contact_email, details.contact_phone)
    party = Party(po.buyer_name, details.legal_name, details.address, details.tax_id, contact)
    # Always a contact line: "-" says the buyer named nobody, where invoices leave it out.
    return party.details("Buyer") + (() if contact else (("Contact", None),))


def supplier_details(po: PurchaseOrderSnapshot) -> tuple[tuple[str, str | None], ...]:
    details = po.supplier or PartyDetails()
    return Party(po.supplier_name, details.legal_name, details.address, details.tax_id).details("Supplier")


def delivery_address(po: PurchaseOrderSnapshot) -> str | None:
    """Where the goods go: the order's delivery address, else the buyer's own address."""
    return po.delivery_address or (po.buyer.address if po.buyer else None)


def purchase_order_document(po: PurchaseOrderSnapshot) -> PrintedDocument:
    """What the printed order shows: both parties with their legal details, who ordered, status,
    delivery, payment terms, lines, the tax per rate and the totals."""
    initiator = po.initiator_name
    if po.initiator_email:
        initiator = f"{initiator} ({po.initiator_email})" if initiator else po.initiator_email
    return PrintedDocument(
        title=f"Purchase order {po.number}",
        details=(
            *buyer_details(po),
            *supplier_details(po),
            ("Ordered by", initiator),
            ("Status", po.status.replace("_", " ")),
            ("Currency", po.currency),
            ("Delivery date", po.delivery_date.isoformat() if po.delivery_date else None),
            ("Delivery address", delivery_address(po)),
            ("Payment terms", payment_terms_text(po.payment_terms_days)),
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
