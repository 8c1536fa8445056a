"""The documents the matching-cost benchmark builds and how it judges linearity."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bench.matching_cost import TOLERANCE, documents, earlier_documents, is_linear, linearity, measure
from matching.domain.matching import match_invoice


@pytest.mark.parametrize("lines", [1, 10, 999])
def test_documents_have_the_asked_number_of_lines_and_the_invoice_bills_each_po_line_once(lines: int) -> None:
    po, invoice = documents(lines)

    assert len(po.lines) == len(invoice.lines) == lines
    assert sorted(line.purchase_order_line_id for line in invoice.lines) == sorted(line.line_id for line in po.lines)
    assert invoice.purchase_order_id == po.id
    assert [line.line_no for line in invoice.lines] == list(range(1, lines + 1))


def test_document_totals_are_the_sums_of_their_line_nets() -> None:
    po, invoice = documents(100)

    assert po.net_total == sum((line.net_amount for line in po.lines), Decimal(0))
    assert invoice.net_total == sum((line.net_amount for line in invoice.lines), Decimal(0))
    assert all(line.net_amount == line.quantity * line.unit_price for line in invoice.lines)


def test_documents_are_the_same_for_the_same_seed_and_differ_for_another() -> None:
    assert documents(10, seed=3) == documents(10, seed=3)
    assert documents(10, seed=3) != documents(10, seed=4)


def test_documents_change_prices_and_quantities_of_some_lines_so_the_line_report_has_rows_to_flag() -> None:
    po, invoice = documents(100)

    ordered = {line.line_id: line for line in po.lines}
    cut = [line for line in invoice.lines if line.quantity < ordered[line.purchase_order_line_id].quantity]  # type: ignore[index]

    verdict = match_invoice(po, [], invoice, TOLERANCE)

    assert len(verdict.lines) == 100
    assert sum(line.price_changed for line in verdict.lines) == 10
    assert 0 < len(cut) <= 14
    assert sum(line.quantity_changed for line in verdict.lines) == len(cut)
    assert not any(line.new_item or line.not_invoiced for line in verdict.lines)


def test_a_document_without_lines_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one line"):
        documents(0)


def test_linearity_is_the_time_per_line_at_the_largest_size_over_that_at_ten_lines() -> None:
    assert linearity({10: 4.0, 10_000: 6.0}) == 1.5


def test_flat_time_per_line_is_linear_and_a_growing_one_is_not() -> None:
    flat = {10: 4.0, 100: 4.1, 10_000: 4.4}
    quadratic = {10: 4.0, 100: 40.0, 10_000: 4000.0}

    assert is_linear(flat)
    assert not is_linear(quadratic)
    assert is_linear({10: 4.0, 10_000: 8.0}, limit=2.0)
    assert not is_linear({10: 4.0, 10_000: 8.1}, limit=2.0)


def test_linearity_without_a_time_at_ten_lines_is_an_error() -> None:
    with pytest.raises(ValueError, match="no time measured"):
        linearity({10: 0.0, 10_000: 5.0})


def test_a_measurement_reports_the_size_and_positive_times_per_line() -> None:
    row = measure(10, repeats=1)

    assert row["lines"] == 10
    assert row["samples"] == 1
    assert row["match_ms"] > 0
    assert row["match_us_per_line"] == pytest.approx(row["match_ms"] * 1000 / 10, rel=0.01)
    assert row["match_and_event_ms"] > 0


def test_the_earlier_invoice_and_its_credit_note_count_and_the_receipts_hold_the_lines_not_all_arrived() -> None:
    po, invoice = documents(100)
    earlier = earlier_documents(po)

    verdict = match_invoice(po, earlier, invoice, TOLERANCE)

    billed, credit = earlier
    assert billed.bills and credit.gives_back and len(billed.lines) == 34 and len(credit.lines) == 17
    assert sum(line.previously_invoiced_quantity for line in verdict.lines) == 34 - 17
    assert all(line.received_quantity is not None for line in verdict.lines)
    assert "not_received" in verdict.reasons
