"""The matching rules: ``match_invoice`` decides a verdict, purely.

No awaits and no I/O: the consumer loads the purchase order, the earlier invoices and the
tolerance rate, calls ``match_invoice`` and saves what it returns. The same inputs always give
the same verdict, whatever order the lines arrive in (lines are taken in ``line_no`` order).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from matching.domain.model import Invoice, InvoiceLine, OrderLine, PurchaseOrder
from matching.domain.verdict import LineReport, Reason, Verdict
from shared.money import ZERO, line_net, percent_of, round_money


def net_total(lines: Iterable[OrderLine | InvoiceLine], currency: str) -> Decimal:
    """Sum of the line nets (quantity × unit price, each rounded half-up to the minor unit)."""
    return round_money(sum((line_net(line.quantity, line.unit_price, currency) for line in lines), ZERO), currency)


def match_invoice(po: PurchaseOrder, earlier: Sequence[Invoice], invoice: Invoice, tolerance_rate: Decimal) -> Verdict:
    """The verdict on ``invoice`` against ``po``.

    ``earlier`` are the invoices of the PO submitted before this one; only the *other live*
    ones count, so an invoice's own rejected submission never counts against it.
    """
    currency = po.currency
    counted = [e for e in earlier if e.is_live and e.id != invoice.id and e.purchase_order_id == po.id]
    po_net_total = net_total(po.lines, currency)
    open_net = po_net_total - sum((net_total(other.lines, currency) for other in counted), ZERO)
    invoice_net_total = net_total(invoice.lines, currency)
    excess = invoice_net_total - open_net
    tolerance_limit = percent_of(tolerance_rate, po_net_total, currency)
    lines = line_report(po, counted, invoice)

    reasons: list[Reason] = []
    if any(line.new_item for line in lines):
        reasons.append("new_items")
    if excess > tolerance_limit:  # exactly the limit is still allowed
        reasons.append("over_tolerance")
    if not po.is_open:
        reasons.append("order_not_open")
    return Verdict(
        invoice_id=invoice.id,
        purchase_order_id=po.id,
        submission=invoice.submission,
        currency=currency,
        outcome="needs_approval" if reasons else "auto_approved",
        reasons=tuple(reasons),
        tolerance_rate=tolerance_rate,
        tolerance_limit=tolerance_limit,
        po_net_total=po_net_total,
        open_net=open_net,
        invoice_net_total=invoice_net_total,
        excess=excess,
        lines=lines,
    )


def line_report(po: PurchaseOrder, earlier: Sequence[Invoice], invoice: Invoice) -> tuple[LineReport, ...]:
    """PO lines in ``line_no`` order, then the new lines in invoice order."""
    # Keyed by the UUIDs' integers: hashing an int is native, hashing a UUID is a Python call.
    ordered_ids = {line.line_id.int for line in po.lines}
    billed: dict[int, list[InvoiceLine]] = {}
    new_lines: list[InvoiceLine] = []
    for line in sorted(invoice.lines, key=_line_order):
        target = line.purchase_order_line_id
        if target is not None and target.int in ordered_ids:
            billed.setdefault(target.int, []).append(line)
        else:
            new_lines.append(line)
    previously: dict[int, Decimal] = {}
    for other in earlier:
        for line in other.lines:
            target = line.purchase_order_line_id
            if target is not None and target.int in ordered_ids:
                previously[target.int] = previously.get(target.int, ZERO) + line.quantity
    rows = [
        _ordered_row(line, previously.get(line.line_id.int, ZERO), billed.get(line.line_id.int, ()))
        for line in sorted(po.lines, key=_line_order)
    ]
    return tuple(rows + [_new_row(line) for line in new_lines])


def _line_order(line: OrderLine | InvoiceLine) -> tuple[int, int]:
    # Ordering UUIDs by their integer is ordering them by their text (fixed-width lower-case hex).
    return line.line_no, line.line_id.int


def _ordered_row(ordered: OrderLine, previously_invoiced: Decimal, billed: Sequence[InvoiceLine]) -> LineReport:
    remaining = ordered.quantity - previously_invoiced
    invoiced_quantity = ZERO
    first_price: Decimal | None = None
    changed_price: Decimal | None = None
    for line in billed:
        invoiced_quantity += line.quantity
        if first_price is None:
            first_price = line.unit_price
        if changed_price is None and line.unit_price != ordered.unit_price:
            changed_price = line.unit_price
    # Several invoice lines on one PO line may carry different prices: show the first that
    # differs from the order, since that is what the initiator has to look at.
    invoiced_unit_price = changed_price if changed_price is not None else first_price
    return LineReport(
        purchase_order_line_id=ordered.line_id,
        invoice_line_id=billed[0].line_id if billed else None,
        description=ordered.description,
        ordered_quantity=ordered.quantity,
        ordered_unit_price=ordered.unit_price,
        previously_invoiced_quantity=previously_invoiced,
        invoiced_quantity=invoiced_quantity,
        invoiced_unit_price=invoiced_unit_price,
        quantity_changed=invoiced_quantity != remaining,
        price_changed=changed_price is not None,
        new_item=False,
        not_invoiced=not billed,
    )


def _new_row(line: InvoiceLine) -> LineReport:
    # Nothing was ordered to compare with, so neither quantity nor price counts as "changed".
    return LineReport(
        purchase_order_line_id=None,
        invoice_line_id=line.line_id,
        description=line.description,
        ordered_quantity=None,
        ordered_unit_price=None,
        previously_invoiced_quantity=ZERO,
        invoiced_quantity=line.quantity,
        invoiced_unit_price=line.unit_price,
        quantity_changed=False,
        price_changed=False,
        new_item=True,
        not_invoiced=False,
    )
