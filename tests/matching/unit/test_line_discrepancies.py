"""The worked examples of the line discrepancies (MATCHING.md): with a zero limit ("set 0 to match
any discrepancy") a changed price or a quantity above what remains of a line needs approval even
when the total does not grow; a tax rate other than the order's always does."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from matching.domain.matching import match_invoice
from matching.domain.model import TolerancePolicy
from tests.matching.unit.documents import invoice, order

TR_0, TR_5 = TolerancePolicy(rate=Decimal(0)), TolerancePolicy(rate=Decimal(5))
PO = order(("10", "100.00"), ("10", "400.00"))
CHEAP, DEAR = PO.lines


def test_with_a_zero_limit_prices_changed_within_the_same_total_need_approval() -> None:
    verdict = match_invoice(PO, [], invoice(PO, (CHEAP, "10", "110.00"), (DEAR, "10", "390.00")), TR_0)

    assert (verdict.invoice_net_total, verdict.excess) == (Decimal("5000.00"), Decimal("0.00"))
    assert (verdict.outcome, verdict.reasons) == ("needs_approval", ("price_changed",))


def test_with_a_tolerance_the_same_price_changes_are_approved_and_reported() -> None:
    verdict = match_invoice(PO, [], invoice(PO, (CHEAP, "10", "110.00"), (DEAR, "10", "390.00")), TR_5)

    assert verdict.outcome == "auto_approved"
    assert [line.price_changed for line in verdict.lines] == [True, True]


def test_with_a_zero_limit_a_quantity_above_what_remains_needs_approval() -> None:
    verdict = match_invoice(PO, [], invoice(PO, (CHEAP, "14", "100.00"), (DEAR, "9", "400.00")), TR_0)

    assert verdict.invoice_net_total == Decimal("5000.00")
    assert (verdict.outcome, verdict.reasons) == ("needs_approval", ("quantity_exceeded",))


def test_what_remains_of_a_line_counts_the_earlier_live_invoices() -> None:
    earlier = invoice(PO, (CHEAP, "6", "100.00"), status="approved")

    exactly_the_rest = match_invoice(PO, [earlier], invoice(PO, (CHEAP, "4", "100.00")), TR_0)
    one_more = match_invoice(PO, [earlier], invoice(PO, (CHEAP, "5", "100.00")), TR_0)

    assert "quantity_exceeded" not in exactly_the_rest.reasons
    assert "quantity_exceeded" in one_more.reasons


def test_a_tax_rate_other_than_the_orders_needs_approval_whatever_the_tolerance() -> None:
    taxed = order(("10", "100.00"))
    [line] = taxed.lines
    taxed = replace(taxed, lines=(replace(line, tax_rate=Decimal(20)),))
    billed = invoice(taxed, (taxed.lines[0], "10", "100.00"))
    at_ten = replace(billed, lines=(replace(billed.lines[0], tax_rate=Decimal(10)),))
    at_twenty = replace(billed, lines=(replace(billed.lines[0], tax_rate=Decimal("20.00")),))

    held = match_invoice(taxed, [], at_ten, TR_5)
    assert (held.outcome, held.reasons) == ("needs_approval", ("tax_rate_changed",))
    assert [row.tax_rate_changed for row in held.lines] == [True]
    assert match_invoice(taxed, [], at_twenty, TR_5).outcome == "auto_approved"  # 20 and 20.00 are one rate
