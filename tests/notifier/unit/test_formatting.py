"""How amounts, quantities and dates read in emails: never rounded, never floats."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifier.domain.messages import format_day, format_money, format_quantity


@pytest.mark.parametrize(
    "amount, currency, text",
    [
        ("5000", "EUR", "5,000.00 EUR"),
        ("5000.00", "EUR", "5,000.00 EUR"),
        ("0.125", "EUR", "0.125 EUR"),
        ("1234567.5", "USD", "1,234,567.50 USD"),
        ("5000", "JPY", "5,000 JPY"),
        ("12.345", "KWD", "12.345 KWD"),
    ],
)
def test_money_uses_the_currency_minor_unit_and_thousands_separators(amount: str, currency: str, text: str) -> None:
    assert format_money(Decimal(amount), currency) == text


@given(st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False))
def test_money_text_always_reads_back_as_the_same_amount(amount: Decimal) -> None:
    number, _, currency = format_money(amount, "EUR").partition(" ")
    assert currency == "EUR"
    assert Decimal(number.replace(",", "")) == amount


@pytest.mark.parametrize("quantity, text", [("10.000", "10"), ("12.50", "12.5"), ("100", "100"), ("0.001", "0.001")])
def test_quantities_drop_trailing_zeros_only(quantity: str, text: str) -> None:
    assert format_quantity(Decimal(quantity)) == text


def test_days_are_iso_and_times_are_utc() -> None:
    assert format_day(date(2026, 12, 15)) == "2026-12-15"
    cet = timezone(timedelta(hours=1))
    assert format_day(datetime(2026, 12, 15, 10, 0, tzinfo=cet)) == "2026-12-15 09:00 UTC"
    assert format_day(datetime(2026, 12, 15, 9, 0, tzinfo=UTC)) == "2026-12-15 09:00 UTC"
