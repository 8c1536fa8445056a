"""The line report: one row per PO line and per new line, with what changed."""

from __future__ import annotations

import uuid
from decimal import Decimal

from matching.domain.matching import match_invoice
from matching.domain.model import TolerancePolicy
from tests.matching.unit.documents import as_ordered, invoice, order

TR_5 = TolerancePolicy(rate=Decimal(5))


def test_line_report_lists_po_lines_in_line_order_then_new_lines_in_invoice_order() -> None:
    po = order(("1", "10.00"), ("2", "20.00"), ("3", "30.00"))
    first, second, third = po.lines
    billed = invoice(po, (None, "1", "1.00"), (third, "3", "30.00"), (None, "2", "2.00"), (first, "1", "10.00"))

    report = match_invoice(po, [], billed, TR_5).lines

    assert [row.purchase_order_line_id for row in report[:3]] == [first.line_id, second.line_id, third.line_id]
    assert [row.invoice_line_id for row in report[3:]] == [billed.lines[0].line_id, billed.lines[2].line_id]
    assert all(row.new_item for row in report[3:])


def test_an_unchanged_line_has_no_flags() -> None:
    po = order(("4", "12.50"))

    [row] = match_invoice(po, [], as_ordered(po), TR_5).lines

    assert (row.ordered_quantity, row.ordered_unit_price) == (Decimal("4"), Decimal("12.50"))
    assert (row.invoiced_quantity, row.invoiced_unit_price) == (Decimal("4"), Decimal("12.50"))
    assert not (row.quantity_changed or row.price_changed or row.new_item or row.not_invoiced)


def test_a_price_written_with_other_decimals_is_not_a_change() -> None:
    po = order(("4", "12.50"))

    [row] = match_invoice(po, [], invoice(po, (po.lines[0], "4.000", "12.5")), TR_5).lines

    assert not (row.quantity_changed or row.price_changed)


def test_a_po_line_missing_from_the_invoice_is_reported_not_invoiced() -> None:
    po = order(("1", "10.00"), ("2", "20.00"))

    missing = match_invoice(po, [], invoice(po, (po.lines[0], "1", "10.00")), TR_5).lines[1]

    assert missing.not_invoiced
    assert missing.invoiced_quantity == 0 and missing.invoiced_unit_price is None
    assert missing.invoice_line_id is None
    assert missing.quantity_changed  # 0 invoiced where 2 remained
    assert not missing.price_changed


def test_quantity_is_compared_with_what_remains_after_earlier_live_invoices() -> None:
    po = order(("10", "5.00"))
    earlier = invoice(po, (po.lines[0], "6", "5.00"), status="approved")

    [row] = match_invoice(po, [earlier], invoice(po, (po.lines[0], "4", "5.00")), TR_5).lines

    assert row.previously_invoiced_quantity == Decimal("6")
    assert row.invoiced_quantity == Decimal("4")
    assert not row.quantity_changed


def test_several_invoice_lines_on_one_po_line_add_up_and_any_other_price_is_a_change() -> None:
    po = order(("10", "5.00"))
    line = po.lines[0]
    split = invoice(po, (line, "4", "5.00"), (line, "6", "5.50"))

    [row] = match_invoice(po, [], split, TR_5).lines

    assert row.invoiced_quantity == Decimal("10")
    assert not row.quantity_changed
    assert row.price_changed and row.invoiced_unit_price == Decimal("5.50")
    assert row.invoice_line_id == split.lines[0].line_id


def test_several_invoice_lines_at_the_order_price_are_no_price_change() -> None:
    po = order(("10", "5.00"))
    line = po.lines[0]

    [row] = match_invoice(po, [], invoice(po, (line, "4", "5.00"), (line, "5", "5.00")), TR_5).lines

    assert not row.price_changed and row.quantity_changed
    assert row.invoiced_quantity == Decimal("9")


def test_a_line_of_another_order_is_a_new_item() -> None:
    po = order(("1", "10.00"))
    foreign = invoice(po, (po.lines[0], "1", "10.00"), (uuid.uuid4(), "1", "0.01"))

    verdict = match_invoice(po, [], foreign, TR_5)

    new = verdict.lines[1]
    assert new.new_item and new.purchase_order_line_id is None
    assert new.ordered_quantity is None and new.ordered_unit_price is None
    assert (new.invoiced_quantity, new.invoiced_unit_price) == (Decimal("1"), Decimal("0.01"))
    assert verdict.reasons == ("new_items",)


def test_earlier_invoice_lines_of_other_orders_lines_do_not_count_as_invoiced() -> None:
    po = order(("2", "10.00"))
    earlier = invoice(po, (None, "1", "3.00"), status="approved")

    verdict = match_invoice(po, [earlier], as_ordered(po), TR_5)

    assert verdict.lines[0].previously_invoiced_quantity == 0
    assert verdict.open_net == Decimal("17.00")  # its money still counts against the order
