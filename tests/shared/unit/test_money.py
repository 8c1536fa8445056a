"""Money rounds half-up to the currency's minor unit and never accepts floats."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.money import line_net, parse_decimal, percent_of, round_money


def test_line_net_rounds_half_up_to_cents() -> None:
    assert line_net(Decimal("3"), Decimal("0.335"), "EUR") == Decimal("1.01")
    assert line_net(Decimal("1"), Decimal("0.005"), "EUR") == Decimal("0.01")
    assert line_net(Decimal("1"), Decimal("0.0049"), "EUR") == Decimal("0.00")


def test_currencies_without_minor_units_round_to_whole_amounts() -> None:
    assert round_money(Decimal("100.5"), "JPY") == Decimal("101")
    assert round_money(Decimal("1.0005"), "KWD") == Decimal("1.001")


def test_tolerance_of_five_percent_of_five_thousand_is_two_hundred_fifty() -> None:
    assert percent_of(Decimal("5"), Decimal("5000.00"), "EUR") == Decimal("250.00")


@pytest.mark.parametrize("value", [0.1, "abc", "NaN", "Infinity"])
def test_floats_and_non_numbers_are_refused(value: object) -> None:
    with pytest.raises(ValueError):
        parse_decimal(value)


@given(st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False, places=6))
def test_rounding_moves_an_amount_by_at_most_half_a_cent(amount: Decimal) -> None:
    rounded = round_money(amount, "EUR")
    assert abs(rounded - amount) <= Decimal("0.005")
    assert rounded.as_tuple().exponent == -2
