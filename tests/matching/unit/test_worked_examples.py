"""The worked examples of the matching rules, one test per row.

PO net total 5,000.00 (1 × 3,000.00 and 20 × 100.00), supplier TR 5 % → L = 250.00.
"""

from __future__ import annotations

from decimal import Decimal

from matching.domain.matching import match_invoice
from matching.domain.model import TolerancePolicy
from tests.matching.unit.documents import as_ordered, invoice, worked_example_order

TR_5 = TolerancePolicy(rate=Decimal(5))
PO = worked_example_order()
FIRST, SECOND = PO.lines


def test_invoice_equal_to_the_order_is_auto_approved() -> None:
    verdict = match_invoice(PO, [], as_ordered(PO), TR_5)

    assert verdict.outcome == "auto_approved"
    assert verdict.reasons == ()
    assert verdict.po_net_total == Decimal("5000.00")
    assert verdict.tolerance_limit == Decimal("250.00")
    assert verdict.open_net == Decimal("5000.00")
    assert verdict.invoice_net_total == Decimal("5000.00")
    assert verdict.excess == Decimal("0")
    assert not any(line.quantity_changed or line.price_changed or line.new_item for line in verdict.lines)


def test_invoice_with_one_price_raised_within_tolerance_is_auto_approved_and_reports_the_change() -> None:
    verdict = match_invoice(PO, [], invoice(PO, (FIRST, "1", "3249.00"), (SECOND, "20", "100.00")), TR_5)

    assert verdict.invoice_net_total == Decimal("5249.00")
    assert verdict.excess == Decimal("249.00")
    assert verdict.outcome == "auto_approved"
    first, second = verdict.lines
    assert first.price_changed and first.invoiced_unit_price == Decimal("3249.00")
    assert first.ordered_unit_price == Decimal("3000.00")
    assert not second.price_changed


def test_invoice_over_by_exactly_the_tolerance_limit_is_auto_approved() -> None:
    verdict = match_invoice(PO, [], invoice(PO, (FIRST, "1", "3250.00"), (SECOND, "20", "100.00")), TR_5)

    assert verdict.excess == Decimal("250.00") == verdict.tolerance_limit
    assert verdict.outcome == "auto_approved"


def test_invoice_over_tolerance_by_a_cent_needs_approval() -> None:
    verdict = match_invoice(PO, [], invoice(PO, (FIRST, "1", "3250.01"), (SECOND, "20", "100.00")), TR_5)

    assert verdict.excess == Decimal("250.01")
    assert verdict.outcome == "needs_approval"
    assert verdict.reasons == ("over_tolerance",)


def test_partial_invoice_with_quantities_cut_is_auto_approved() -> None:
    verdict = match_invoice(PO, [], invoice(PO, (FIRST, "1", "3000.00"), (SECOND, "12", "100.00")), TR_5)

    assert verdict.invoice_net_total == Decimal("4200.00")
    assert verdict.excess == Decimal("-800.00")
    assert verdict.outcome == "auto_approved"
    assert verdict.lines[1].quantity_changed and verdict.lines[1].invoiced_quantity == Decimal("12")


def test_extra_line_needs_approval_even_when_the_total_equals_the_order() -> None:
    extra = invoice(PO, (FIRST, "1", "3000.00"), (SECOND, "19.9", "100.00"), (None, "1", "10.00"))

    verdict = match_invoice(PO, [], extra, TR_5)

    assert verdict.invoice_net_total == Decimal("5000.00")
    assert verdict.excess == Decimal("0")
    assert verdict.outcome == "needs_approval"
    assert verdict.reasons == ("new_items",)
    assert verdict.lines[-1].new_item and verdict.lines[-1].invoiced_unit_price == Decimal("10.00")


def test_with_tolerance_rate_zero_a_cent_over_needs_approval() -> None:
    verdict = match_invoice(
        PO, [], invoice(PO, (FIRST, "1", "3000.01"), (SECOND, "20", "100.00")), TolerancePolicy(rate=Decimal(0))
    )

    assert verdict.tolerance_limit == Decimal("0.00")
    assert verdict.excess == Decimal("0.01")
    assert verdict.outcome == "needs_approval"
    # Over by a raised price: with a zero limit the price change holds it as well.
    assert verdict.reasons == ("over_tolerance", "price_changed")


def test_second_invoice_within_tolerance_of_the_open_net_is_auto_approved() -> None:
    first = invoice(PO, (FIRST, "1", "3000.00"), status="approved")

    verdict = match_invoice(PO, [first], invoice(PO, (SECOND, "20", "112.00")), TR_5)

    assert verdict.open_net == Decimal("2000.00")
    assert verdict.invoice_net_total == Decimal("2240.00")
    assert verdict.excess == Decimal("240.00")
    assert verdict.outcome == "auto_approved"


def test_second_invoice_over_tolerance_of_the_open_net_needs_approval() -> None:
    first = invoice(PO, (FIRST, "1", "3000.00"), status="approved")

    verdict = match_invoice(PO, [first], invoice(PO, (SECOND, "20", "113.00")), TR_5)

    assert verdict.open_net == Decimal("2000.00")
    assert verdict.excess == Decimal("260.00")
    assert verdict.outcome == "needs_approval"
    assert verdict.reasons == ("over_tolerance",)
