"""The worked examples of MATCHING.md's additions that the other rule files do not hold, one test
per row, and the rules around them: tolerance amounts and the organisation's defaults, three-way
matching and the re-match on a receipt, possible duplicates."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from matching.domain.matching import match_invoice, possible_duplicates, rematch_on_receipt, tolerance_limit
from matching.domain.model import DEFAULT_TOLERANCE, Invoice, TolerancePolicy, number_key
from matching.domain.verdict import IssuedVerdict, Verdict
from tests.matching.unit.documents import as_ordered, invoice, order, received, worked_example_order

PO = worked_example_order()  # net total 5,000.00
FIRST, SECOND = PO.lines


def billed_at(total: str) -> Invoice:
    """An invoice of PO whose net total is ``total``: its second line carries the difference."""
    rest = Decimal(total) - Decimal("3000.00")
    return invoice(PO, (FIRST, "1", "3000.00"), (SECOND, "1", rest))


def held(verdict: Verdict) -> IssuedVerdict:
    return IssuedVerdict(uuid.uuid4(), verdict.invoice_id, verdict.reasons, verdict.tolerance)


# PO 5,000.00, TR 5 % and TA 100.00 (L = 100.00)
def test_with_a_rate_and_an_amount_the_stricter_sets_the_limit_and_exactly_it_is_allowed() -> None:
    verdict = match_invoice(PO, [], billed_at("5100.00"), TolerancePolicy(Decimal(5), Decimal(100)))

    assert (verdict.tolerance_limit, verdict.outcome) == (Decimal("100.00"), "auto_approved")


def test_with_a_rate_and_an_amount_a_cent_over_the_amount_needs_approval() -> None:
    verdict = match_invoice(PO, [], billed_at("5100.01"), TolerancePolicy(Decimal(5), Decimal(100)))

    assert verdict.reasons == ("over_tolerance",)


def test_a_supplier_without_a_tolerance_takes_the_organisations_default_rate() -> None:
    organisation = TolerancePolicy(rate=Decimal(2))
    tolerance = TolerancePolicy().or_else(organisation)

    verdict = match_invoice(PO, [], billed_at("5100.01"), tolerance)

    assert (verdict.tolerance_limit, verdict.reasons) == (Decimal("100.00"), ("over_tolerance",))


@pytest.mark.parametrize(
    ("rate", "amount", "limit"),
    [
        ("5", None, "250.00"),
        (None, "100", "100.00"),
        ("5", "300", "250.00"),  # the rate is the stricter
        ("5", "100", "100.00"),  # the amount is
        ("0", "100", "0.00"),
        (None, None, "0.00"),
        ("5", "0.004", "0.00"),  # an amount is taken in the currency's minor unit, rounded half-up
    ],
)
def test_the_limit_is_the_stricter_of_what_is_set(rate: str | None, amount: str | None, limit: str) -> None:
    policy = TolerancePolicy(None if rate is None else Decimal(rate), None if amount is None else Decimal(amount))

    assert str(tolerance_limit(policy, Decimal("5000.00"), "EUR")) == limit


def test_a_supplier_policy_wins_over_the_organisations_and_none_takes_it() -> None:
    organisation = TolerancePolicy(Decimal(2), Decimal(50))
    assert TolerancePolicy(amount=Decimal(10)).or_else(organisation) == TolerancePolicy(amount=Decimal(10))
    assert TolerancePolicy().or_else(organisation) == organisation
    assert TolerancePolicy().or_else(DEFAULT_TOLERANCE) == TolerancePolicy(rate=Decimal(0))


# PO 10 × 100.00 matching against receipts, 6 received
THREE_WAY = order(("10", "100.00"), received=("6",))
TR_5 = TolerancePolicy(rate=Decimal(5))


def test_an_invoice_beyond_what_was_received_needs_approval_and_a_receipt_of_the_rest_approves_it() -> None:
    billed = as_ordered(THREE_WAY)
    first = match_invoice(THREE_WAY, [], billed, TR_5)
    assert (first.outcome, first.reasons) == ("needs_approval", ("not_received",))
    assert first.lines[0].received_quantity == Decimal(6)

    issued = held(first)
    again = rematch_on_receipt(received(THREE_WAY, "10"), [], billed, issued)

    assert again is not None and again.outcome == "auto_approved" and again.rematch_of == issued.verdict_id
    assert again.lines[0].received_quantity == Decimal(10)


def test_an_invoice_within_what_was_received_is_auto_approved() -> None:
    verdict = match_invoice(THREE_WAY, [], invoice(THREE_WAY, (THREE_WAY.lines[0], "6", "100.00")), TR_5)

    assert verdict.outcome == "auto_approved"


def test_what_earlier_invoices_billed_comes_off_what_was_received() -> None:
    [line] = THREE_WAY.lines
    earlier = invoice(THREE_WAY, (line, "4", "100.00"), status="approved")

    within = match_invoice(THREE_WAY, [earlier], invoice(THREE_WAY, (line, "2", "100.00")), TR_5)
    beyond = match_invoice(THREE_WAY, [earlier], invoice(THREE_WAY, (line, "3", "100.00")), TR_5)

    assert within.outcome == "auto_approved" and beyond.reasons == ("not_received",)


def test_an_order_not_matched_against_receipts_never_holds_for_them() -> None:
    two_way = replace(THREE_WAY, match_against_receipts=False)

    verdict = match_invoice(two_way, [], as_ordered(two_way), TR_5)

    assert verdict.outcome == "auto_approved" and verdict.lines[0].received_quantity is None


def test_a_receipt_that_covers_part_of_the_invoice_approves_nothing() -> None:
    billed = as_ordered(THREE_WAY)
    issued = held(match_invoice(THREE_WAY, [], billed, TR_5))

    assert rematch_on_receipt(received(THREE_WAY, "9"), [], billed, issued) is None


def test_an_invoice_held_for_another_reason_too_is_not_matched_again() -> None:
    billed = invoice(THREE_WAY, (THREE_WAY.lines[0], "10", "120.00"))
    first = match_invoice(THREE_WAY, [], billed, TR_5)
    assert first.reasons == ("over_tolerance", "not_received")

    assert rematch_on_receipt(received(THREE_WAY, "10"), [], billed, held(first)) is None


def test_a_rematch_uses_the_tolerance_the_invoice_was_first_matched_with() -> None:
    billed = invoice(THREE_WAY, (THREE_WAY.lines[0], "10", "104.00"))  # 4 % over
    issued = held(match_invoice(THREE_WAY, [], billed, TR_5))

    again = rematch_on_receipt(received(THREE_WAY, "10"), [], billed, issued)

    assert again is not None and again.tolerance == TR_5 and again.outcome == "auto_approved"


# Possible duplicates
def test_a_second_invoice_of_the_po_with_the_same_gross_total_and_issue_date_is_a_possible_duplicate() -> None:
    day = date(2026, 3, 1)
    live = invoice(PO, (FIRST, "1", "3000.00"), status="approved", issue_date=day, number="A-1")
    second = invoice(PO, (FIRST, "1", "3000.00"), issue_date=day, number="B-7")

    duplicates = possible_duplicates(second, [live])
    verdict = match_invoice(PO, [live], second, TR_5, duplicates)

    assert verdict.reasons == ("over_tolerance", "possible_duplicate")  # with any other reason that holds
    assert [(d.invoice_id, d.same) for d in verdict.possible_duplicates] == [(live.id, "gross_total_and_issue_date")]


@pytest.mark.parametrize("number", ["INV-2026/001", "inv 2026 001", "Inv.2026.001", " INV2026001 "])
def test_the_same_number_once_case_spaces_and_punctuation_are_ignored_is_a_possible_duplicate(number: str) -> None:
    other_po = order(("1", "10.00"))
    live = invoice(other_po, (other_po.lines[0], "1", "10.00"), status="pending", number="INV-2026/001")
    second = invoice(PO, (FIRST, "1", "3000.00"), number=number)

    [duplicate] = possible_duplicates(second, [live])

    assert (duplicate.invoice_id, duplicate.number, duplicate.same) == (live.id, "INV-2026/001", "number")


def test_invoices_not_live_other_suppliers_and_credit_notes_are_no_duplicates() -> None:
    second = invoice(PO, (FIRST, "1", "3000.00"), number="INV-1")
    rejected = invoice(PO, (FIRST, "1", "3000.00"), status="rejected", number="INV-1")
    another_supplier = replace(invoice(PO, (FIRST, "1", "3000.00"), number="INV-1"), supplier_id=uuid.uuid4())
    credit = replace(invoice(PO, (FIRST, "1", "3000.00"), status="approved", number="INV-1"), kind="credit_note")

    assert possible_duplicates(second, [rejected, another_supplier, credit, second]) == ()
    assert (
        possible_duplicates(replace(second, kind="credit_note"), [invoice(PO, status="approved", number="INV-1")]) == ()
    )


def test_a_different_number_or_a_different_day_is_no_duplicate() -> None:
    live = invoice(PO, (FIRST, "1", "3000.00"), status="approved", issue_date=date(2026, 3, 1), number="A-1")
    next_day = invoice(PO, (FIRST, "1", "3000.00"), issue_date=date(2026, 3, 2), number="A-2")
    undated = invoice(PO, (FIRST, "1", "3000.00"), number="A-3")

    assert possible_duplicates(next_day, [live]) == possible_duplicates(undated, [live]) == ()


@pytest.mark.parametrize(
    ("number", "key"), [("INV-001", "inv001"), ("Ünïcode-7", "ünïcode7"), ("  ", ""), ("A/B.C_D", "abcd")]
)
def test_a_number_key_keeps_letters_and_digits_only_case_folded(number: str, key: str) -> None:
    assert number_key(number) == key
