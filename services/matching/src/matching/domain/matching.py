"""The matching rules: ``match_invoice`` decides a verdict, purely (MATCHING.md); a credit note's
by ``match_credit_note``.

No awaits and no I/O: the consumer loads the purchase order, the earlier invoices, the tolerance
and the possible duplicates, calls ``match_invoice`` and saves what it returns; on a purchase
order's newer receipts, ``rematch_on_receipt`` for each invoice held only for them. The same inputs always give
the same verdict, whatever order the lines arrive in (lines are taken in ``line_no`` order).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from decimal import Decimal
from operator import attrgetter
from uuid import UUID

from matching.domain.model import Invoice, InvoiceLine, OrderLine, PurchaseOrder, TolerancePolicy
from matching.domain.verdict import IssuedVerdict, LineReport, PossibleDuplicate, Reason, Verdict
from shared.money import ZERO, line_net, percent_of, round_money


def net_total(lines: Iterable[OrderLine | InvoiceLine], currency: str) -> Decimal:
    """Sum of the line nets (quantity × unit price, each rounded half-up to the minor unit)."""
    return round_money(sum((line_net(line.quantity, line.unit_price, currency) for line in lines), ZERO), currency)


def tolerance_limit(tolerance: TolerancePolicy, po_net_total: Decimal, currency: str) -> Decimal:
    """L (MATCHING.md, Terms): the rate's share of the PO's net total, rounded half-up; the amount
    where only it is set; the smaller of the two where both are (the stricter wins); 0 where
    neither. In the currency's minor unit, as every amount of the verdict."""
    limits = []
    if tolerance.rate is not None:
        limits.append(percent_of(tolerance.rate, po_net_total, currency))
    if tolerance.amount is not None:
        limits.append(round_money(tolerance.amount, currency))
    return min(limits, default=round_money(ZERO, currency))


def match_invoice(
    po: PurchaseOrder,
    earlier: Sequence[Invoice],
    invoice: Invoice,
    tolerance: TolerancePolicy,
    duplicates: Sequence[PossibleDuplicate] = (),
) -> Verdict:
    """The verdict on ``invoice`` (or credit note) against ``po``.

    ``earlier`` are the invoices and credit notes of the PO submitted before this one; only the
    *other live* invoices count, less the approved credit notes, so an invoice's own rejected
    submission never counts against it. ``tolerance`` is the supplier's policy (or its
    organisation's), ``duplicates`` what ``possible_duplicates`` found.
    """
    if invoice.is_credit_note:
        return match_credit_note(po, earlier, invoice, tolerance)
    currency = po.currency
    counted, credits = _billing_and_credits(po, earlier, invoice)
    po_net_total = net_total(po.lines, currency)
    open_net = _open_net(po_net_total, counted, credits, currency)
    invoice_net_total = net_total(invoice.lines, currency)
    excess = invoice_net_total - open_net
    limit = tolerance_limit(tolerance, po_net_total, currency)
    lines = line_report(po, counted, invoice, credits)

    reasons: list[Reason] = []
    if any(line.new_item for line in lines):
        reasons.append("new_items")
    if excess > limit:  # exactly the limit is still allowed
        reasons.append("over_tolerance")
    if not po.is_open:
        reasons.append("order_not_open")
    reasons += _line_discrepancies(lines, zero_limit=limit == 0)
    if duplicates:
        reasons.append("possible_duplicate")
    return Verdict(
        invoice_id=invoice.id,
        purchase_order_id=po.id,
        submission=invoice.submission,
        currency=currency,
        outcome="needs_approval" if reasons else "auto_approved",
        reasons=tuple(reasons),
        tolerance=tolerance,
        tolerance_limit=limit,
        po_net_total=po_net_total,
        open_net=open_net,
        invoice_net_total=invoice_net_total,
        excess=excess,
        lines=lines,
        possible_duplicates=tuple(duplicates),
    )


def rematch_on_receipt(
    po: PurchaseOrder, earlier: Sequence[Invoice], invoice: Invoice, held: IssuedVerdict
) -> Verdict | None:
    """An invoice ``held`` only for ``not_received``, matched again once the PO's receipts moved
    (MATCHING.md, Three-way matching): the verdict that approves it, by the same rules and the
    tolerance it was first matched with, when the receipts now cover it; else None (it stays with
    its approver). Nothing else is looked at again: a held verdict named no possible duplicate."""
    if held.reasons != ("not_received",):
        return None
    verdict = match_invoice(po, earlier, invoice, held.tolerance)
    if verdict.needs_approval:
        return None
    return replace(verdict, rematch_of=held.verdict_id)


def possible_duplicates(invoice: Invoice, others: Iterable[Invoice]) -> tuple[PossibleDuplicate, ...]:
    """The live invoices ``invoice`` may duplicate (MATCHING.md, ``possible_duplicate``): of the same
    supplier with the same number once case, spaces and punctuation are ignored; of the same PO
    with the same gross total and issue date. None for a credit note (it refers to its invoice)."""
    if invoice.is_credit_note:
        return ()
    key = invoice.number_key
    found = []
    for other in others:
        if other.id == invoice.id or not other.bills:
            continue
        if key and other.supplier_id == invoice.supplier_id and other.number_key == key:
            found.append(PossibleDuplicate(other.id, other.number, other.purchase_order_id, "number"))
        elif (
            other.purchase_order_id == invoice.purchase_order_id
            and invoice.issue_date is not None
            and other.issue_date == invoice.issue_date
            and other.gross_total is not None
            and other.gross_total == invoice.gross_total
        ):
            found.append(
                PossibleDuplicate(other.id, other.number, other.purchase_order_id, "gross_total_and_issue_date")
            )
    return tuple(sorted(found, key=lambda duplicate: (duplicate.number, duplicate.invoice_id.int)))


def _line_discrepancies(lines: Sequence[LineReport], *, zero_limit: bool) -> list[Reason]:
    """The reasons the ordered lines give (MATCHING.md, Verdict): with a zero limit ("set 0 to
    match any discrepancy") a changed unit price and a quantity above what remains of a line;
    whatever the limit a tax rate other than the order's; on a PO matched against receipts, a
    quantity above what was received less what earlier invoices billed of it."""
    ordered = [line for line in lines if not line.new_item and not line.not_invoiced]
    reasons: list[Reason] = []
    if zero_limit and any(line.price_changed for line in ordered):
        reasons.append("price_changed")
    if zero_limit and any(_above_what_remains(line) for line in ordered):
        reasons.append("quantity_exceeded")
    if any(line.tax_rate_changed for line in ordered):
        reasons.append("tax_rate_changed")
    if any(_above_what_arrived(line) for line in ordered):
        reasons.append("not_received")
    return reasons


def _above_what_arrived(line: LineReport) -> bool:
    if line.received_quantity is None:  # the PO does not match against receipts
        return False
    return line.invoiced_quantity > line.received_quantity - line.previously_invoiced_quantity


def _above_what_remains(line: LineReport) -> bool:
    ordered = line.ordered_quantity if line.ordered_quantity is not None else ZERO
    return line.invoiced_quantity > ordered - line.previously_invoiced_quantity


def _billing_and_credits(
    po: PurchaseOrder, earlier: Sequence[Invoice], document: Invoice
) -> tuple[list[Invoice], list[Invoice]]:
    """The PO's other live invoices, and its approved credit notes, submitted before ``document``."""
    others = [e for e in earlier if e.id != document.id and e.purchase_order_id == po.id]
    return [e for e in others if e.bills], [e for e in others if e.gives_back]


def _open_net(po_net_total: Decimal, counted: Sequence[Invoice], credits: Sequence[Invoice], currency: str) -> Decimal:
    """What the PO leaves to invoice: its net less what the live invoices bill, plus what approved
    credit notes gave back (MATCHING.md, Credit notes)."""
    billed = sum((net_total(other.lines, currency) for other in counted), ZERO)
    given_back = sum((net_total(credit.lines, currency) for credit in credits), ZERO)
    return po_net_total - billed + given_back


def line_report(
    po: PurchaseOrder, earlier: Sequence[Invoice], invoice: Invoice, credits: Sequence[Invoice] = ()
) -> tuple[LineReport, ...]:
    """PO lines in ``line_no`` order, then the new lines in invoice order. A line's quantity
    already invoiced is what ``earlier`` bill of it less what ``credits`` gave back."""
    # Keyed by the UUIDs' integers: hashing an int is native, hashing a UUID is a Python call.
    ordered_ids = {line.line_id.int for line in po.lines}
    billed: dict[int, list[InvoiceLine]] = {}
    new_lines: list[InvoiceLine] = []
    for line in invoice.lines:
        target = line.purchase_order_line_id
        if target is not None and target.int in ordered_ids:
            billed.setdefault(target.int, []).append(line)
        else:
            new_lines.append(line)
    # Sorted where the order shows: several lines on one PO line, and the new lines.
    for group in billed.values():
        if len(group) > 1:
            group.sort(key=_line_order)
    new_lines.sort(key=_line_order)
    previously: dict[int, Decimal] = {}
    for sign, documents in ((1, earlier), (-1, credits)):
        for other in documents:
            for line in other.lines:
                target = line.purchase_order_line_id
                if target is not None and target.int in ordered_ids:
                    previously[target.int] = previously.get(target.int, ZERO) + sign * line.quantity
    rows = [
        _ordered_row(
            line,
            previously.get(line.line_id.int, ZERO),
            billed.get(line.line_id.int, ()),
            received=line.received_quantity if po.match_against_receipts else None,
        )
        for line in sorted(po.lines, key=_line_order)
    ]
    return tuple(rows + [_new_row(line) for line in new_lines])


# A line's place: its number, then its id (ordering UUIDs by their integer is ordering them by
# their text, fixed-width lower-case hex). An attrgetter builds the key without a Python call.
_line_order = attrgetter("line_no", "line_id.int")


def _ordered_row(
    ordered: OrderLine, previously_invoiced: Decimal, billed: Sequence[InvoiceLine], *, received: Decimal | None
) -> LineReport:
    remaining = ordered.quantity - previously_invoiced
    invoiced_quantity = ZERO
    first_price: Decimal | None = None
    changed_price: Decimal | None = None
    tax_rate_changed = False
    for line in billed:
        invoiced_quantity += line.quantity
        tax_rate_changed = tax_rate_changed or line.tax_rate != ordered.tax_rate
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
        tax_rate_changed=tax_rate_changed,
        ordered_tax_rate=ordered.tax_rate,
        invoiced_tax_rate=billed[0].tax_rate if billed else None,
        received_quantity=received,
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
        invoiced_tax_rate=line.tax_rate,
    )


def match_credit_note(
    po: PurchaseOrder, earlier: Sequence[Invoice], credit_note: Invoice, tolerance: TolerancePolicy
) -> Verdict:
    """The verdict on a credit note (MATCHING.md, Credit notes): approved on the spot when every
    line gives back at most what is left of its invoice line (its quantity less the PO's earlier
    live credit notes of it) at no more than its unit price; otherwise ``credit_exceeds_invoice``.

    The numbers are the PO's, as for an invoice, with ``invoice_net_total`` the credit's net and
    ``excess`` how far it goes beyond what is left to credit of its invoice. The line report has
    one row per line of the credited invoice: ``ordered_*`` are that line's quantity and price,
    ``previously_invoiced_quantity`` what earlier credit notes gave back of it, ``invoiced_*``
    what this one gives back."""
    currency = po.currency
    counted, credits = _billing_and_credits(po, earlier, credit_note)
    credited = next((e for e in counted if e.id == credit_note.credited_invoice_id), None)
    earlier_credits = [
        e
        for e in earlier
        if e.is_credit_note
        and e.is_live
        and e.id != credit_note.id
        and e.credited_invoice_id == credit_note.credited_invoice_id
    ]
    po_net_total = net_total(po.lines, currency)
    credit_net_total = net_total(credit_note.lines, currency)
    creditable = ZERO
    if credited is not None:
        creditable = net_total(credited.lines, currency) - sum(
            (net_total(e.lines, currency) for e in earlier_credits), ZERO
        )
    lines, within = _credit_report(credited, earlier_credits, credit_note)
    reasons: tuple[Reason, ...] = () if within else ("credit_exceeds_invoice",)
    return Verdict(
        invoice_id=credit_note.id,
        purchase_order_id=po.id,
        submission=credit_note.submission,
        currency=currency,
        outcome="needs_approval" if reasons else "auto_approved",
        reasons=reasons,
        tolerance=tolerance,
        tolerance_limit=tolerance_limit(tolerance, po_net_total, currency),
        po_net_total=po_net_total,
        open_net=_open_net(po_net_total, counted, credits, currency),
        invoice_net_total=credit_net_total,
        excess=credit_net_total - creditable,
        lines=lines,
    )


def _credit_report(
    credited: Invoice | None, earlier_credits: Sequence[Invoice], credit_note: Invoice
) -> tuple[tuple[LineReport, ...], bool]:
    """The credited invoice's lines with what this credit note gives back of each, and whether
    every line stays within what is left of its invoice line at no more than its price."""
    invoice_lines = {line.line_id: line for line in credited.lines} if credited is not None else {}
    given_before: dict[UUID, Decimal] = {}
    for earlier in earlier_credits:
        for line in earlier.lines:
            if line.credited_line_id is not None:
                given_before[line.credited_line_id] = given_before.get(line.credited_line_id, ZERO) + line.quantity
    given: dict[UUID, list[InvoiceLine]] = {}
    within = credited is not None
    for line in credit_note.lines:
        if line.credited_line_id not in invoice_lines:
            within = False
            continue
        given.setdefault(line.credited_line_id, []).append(line)
    rows = []
    for invoice_line in sorted(invoice_lines.values(), key=_line_order):
        before = given_before.get(invoice_line.line_id, ZERO)
        now = given.get(invoice_line.line_id, [])
        quantity = sum((line.quantity for line in now), ZERO)
        dearer = next((line.unit_price for line in now if line.unit_price != invoice_line.unit_price), None)
        if quantity > invoice_line.quantity - before or any(line.unit_price > invoice_line.unit_price for line in now):
            within = False
        rows.append(
            LineReport(
                purchase_order_line_id=invoice_line.purchase_order_line_id,
                invoice_line_id=now[0].line_id if now else None,
                description=invoice_line.description,
                ordered_quantity=invoice_line.quantity,
                ordered_unit_price=invoice_line.unit_price,
                previously_invoiced_quantity=before,
                invoiced_quantity=quantity,
                invoiced_unit_price=dearer if dearer is not None else (now[0].unit_price if now else None),
                quantity_changed=bool(now) and quantity != invoice_line.quantity - before,
                price_changed=dearer is not None,
                new_item=False,
                not_invoiced=not now,
            )
        )
    return tuple(rows), within
