"""Credit notes (MATCHING.md, Credit notes): the worked examples, one test per row, and the limits.

PO 50 × 100.00, TR 0: an invoice of 30 × 100.00 approved.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.domain.matching import match_invoice
from matching.domain.model import TolerancePolicy
from tests.matching.unit.documents import credit_note, invoice, order

TR_0 = TolerancePolicy(rate=Decimal(0))
PO = order(("50", "100.00"))
[ORDERED] = PO.lines
APPROVED = invoice(PO, (ORDERED, "30", "100.00"), status="approved")
[BILLED] = APPROVED.lines


def test_a_credit_note_within_the_invoice_is_auto_approved() -> None:
    credit = credit_note(APPROVED, (BILLED, "5", "100.00"))
    verdict = match_invoice(PO, [APPROVED], credit, TR_0)

    assert (verdict.outcome, verdict.reasons) == ("auto_approved", ())
    assert verdict.invoice_net_total == Decimal("500.00")
    assert verdict.excess == Decimal("-2500.00")  # 2,500.00 of the invoice is left to credit
    [row] = verdict.lines
    assert (row.ordered_quantity, row.previously_invoiced_quantity, row.invoiced_quantity) == (30, 0, 5)


def test_once_approved_the_credit_comes_off_the_lines_invoiced_quantity() -> None:
    credit = credit_note(APPROVED, (BILLED, "5", "100.00"), status="approved")
    verdict = match_invoice(PO, [APPROVED, credit], invoice(PO, (ORDERED, "25", "100.00")), TR_0)

    [row] = verdict.lines
    assert row.previously_invoiced_quantity == Decimal(25)


def test_then_an_invoice_for_what_the_credit_reopened_is_auto_approved() -> None:
    credit = credit_note(APPROVED, (BILLED, "5", "100.00"), status="approved")
    verdict = match_invoice(PO, [APPROVED, credit], invoice(PO, (ORDERED, "25", "100.00")), TR_0)

    assert verdict.open_net == Decimal("2500.00")
    assert verdict.excess == Decimal("0.00")
    assert (verdict.outcome, verdict.reasons) == ("auto_approved", ())


def test_a_credit_note_not_yet_approved_gives_nothing_back() -> None:
    pending = credit_note(APPROVED, (BILLED, "5", "100.00"), status="pending")
    verdict = match_invoice(PO, [APPROVED, pending], invoice(PO, (ORDERED, "25", "100.00")), TR_0)

    assert verdict.open_net == Decimal("2000.00")
    assert verdict.reasons == ("over_tolerance", "quantity_exceeded")


def test_a_credit_note_beyond_the_invoiced_quantity_needs_approval() -> None:
    credit = credit_note(APPROVED, (BILLED, "31", "100.00"))
    verdict = match_invoice(PO, [APPROVED], credit, TR_0)

    assert (verdict.outcome, verdict.reasons) == ("needs_approval", ("credit_exceeds_invoice",))
    assert verdict.excess == Decimal("100.00")


def test_a_credit_note_above_the_invoiced_unit_price_needs_approval() -> None:
    credit = credit_note(APPROVED, (BILLED, "1", "100.01"))
    verdict = match_invoice(PO, [APPROVED], credit, TR_0)

    assert verdict.reasons == ("credit_exceeds_invoice",)
    [row] = verdict.lines
    assert row.price_changed and row.invoiced_unit_price == Decimal("100.01")


def test_a_credit_note_below_the_invoiced_unit_price_is_within_the_invoice() -> None:
    verdict = match_invoice(PO, [APPROVED], credit_note(APPROVED, (BILLED, "30", "90.00")), TR_0)

    assert verdict.outcome == "auto_approved"


def test_earlier_live_credit_notes_of_the_line_count_against_what_is_left_to_credit() -> None:
    first = credit_note(APPROVED, (BILLED, "20", "100.00"), status="pending")
    exactly_the_rest = credit_note(APPROVED, (BILLED, "10", "100.00"))
    one_more = credit_note(APPROVED, (BILLED, "11", "100.00"))
    rejected = replace(first, status="rejected")

    assert match_invoice(PO, [APPROVED, first], exactly_the_rest, TR_0).outcome == "auto_approved"
    assert match_invoice(PO, [APPROVED, first], one_more, TR_0).reasons == ("credit_exceeds_invoice",)
    # A rejected credit note gave nothing back, so it limits nothing.
    assert match_invoice(PO, [APPROVED, rejected], one_more, TR_0).outcome == "auto_approved"


def test_two_lines_of_one_credit_note_on_one_invoice_line_add_up() -> None:
    credit = credit_note(APPROVED, (BILLED, "16", "100.00"), (BILLED, "15", "100.00"))

    assert match_invoice(PO, [APPROVED], credit, TR_0).reasons == ("credit_exceeds_invoice",)


def test_a_credit_note_of_an_invoice_matching_does_not_know_needs_approval() -> None:
    unknown = invoice(PO, (ORDERED, "30", "100.00"), status="approved")
    credit = credit_note(unknown, (unknown.lines[0], "1", "100.00"))

    assert match_invoice(PO, [APPROVED], credit, TR_0).reasons == ("credit_exceeds_invoice",)


@given(
    billed=st.integers(min_value=1, max_value=50),
    credits=st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=5),
)
def test_a_credit_note_is_auto_approved_exactly_when_the_live_credits_stay_within_the_invoice(
    billed: int, credits: list[int]
) -> None:
    approved = invoice(PO, (ORDERED, str(billed), "100.00"), status="approved")
    earlier = [credit_note(approved, (approved.lines[0], str(q), "100.00"), status="approved") for q in credits[:-1]]
    last = credit_note(approved, (approved.lines[0], str(credits[-1]), "100.00"))

    verdict = match_invoice(PO, [approved, *earlier], last, TR_0)

    assert (verdict.outcome == "auto_approved") == (sum(credits) <= billed)
    assert verdict.excess == Decimal(sum(credits) - billed) * 100


@pytest.mark.parametrize("status", ["approved", "partly_paid", "paid"])
def test_an_approved_credit_note_reopens_the_order_whatever_its_invoice_has_been_paid(status: str) -> None:
    approved = replace(APPROVED, status=status)
    credit = credit_note(approved, (BILLED, "30", "100.00"), status="approved")
    verdict = match_invoice(PO, [approved, credit], invoice(PO, (ORDERED, "50", "100.00")), TR_0)

    assert (verdict.open_net, verdict.outcome) == (Decimal("5000.00"), "auto_approved")
