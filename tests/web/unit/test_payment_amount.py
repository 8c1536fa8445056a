"""The amount a buyer types for a payment: taken exactly, or refused, never guessed at."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from web.entrypoints.invoice_pages import amount_due, paid_amount


@pytest.mark.parametrize(
    ("typed", "taken"),
    [("1250.50", Decimal("1250.50")), ("0.5", Decimal("0.5")), ("100", Decimal("100")), ("-3", Decimal("-3"))],
)
def test_a_plain_decimal_is_taken_exactly(typed: str, taken: Decimal) -> None:
    # A negative amount is the API's to refuse, with its own message.
    assert paid_amount(typed) == taken


@pytest.mark.parametrize("typed", ["1,250.50", "6,00", "1.250,50", "abc", "", "NaN", "Infinity", "1e", "12 50"])
def test_what_is_not_a_plain_decimal_is_refused_rather_than_guessed(typed: str) -> None:
    assert paid_amount(typed) is None


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2))
def test_the_prefilled_amount_due_is_taken_back_as_it_was(due: Decimal) -> None:
    invoice = {"net_total": str(due), "gross_total": str(due), "paid_total": "0.00", "balance_due": str(due)}
    assert paid_amount(str(amount_due(invoice))) == due


def test_the_amount_due_is_the_invoices_balance_due_and_never_below_nothing() -> None:
    assert amount_due({"gross_total": "106.00", "paid_total": "6.00", "balance_due": "100.00"}) == Decimal("100.00")
    assert amount_due({"gross_total": "106.00", "paid_total": "106.00", "balance_due": "0.00"}) == Decimal("0")
    assert amount_due({"net_total": "10.00", "gross_total": "12.10", "balance_due": "12.10"}) == Decimal("12.10")
    assert amount_due({"balance_due": "-0.01"}) == Decimal("0")
