"""Tax on priced lines (MATCHING.md, Tax): per line, half-up to the currency's minor unit; a
document's totals are the sums of its lines', and the summary per rate adds up to them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.money import line_net, quantum
from shared.taxes import line_tax, plain_rate, rate_text, tax_summary, totals


@dataclass(frozen=True)
class Line:
    net_amount: Decimal
    tax_rate: Decimal
    tax_amount: Decimal


def priced(quantity: str, unit_price: str, rate: str, currency: str = "EUR") -> Line:
    net = line_net(Decimal(quantity), Decimal(unit_price), currency)
    return Line(net, Decimal(rate), line_tax(net, Decimal(rate), currency))


@pytest.mark.parametrize(
    ("net", "rate", "currency", "tax"),
    [
        ("10.05", "20", "EUR", "2.01"),  # 2.010
        ("0.25", "10", "EUR", "0.03"),  # 0.025: half goes up
        ("0.24", "10", "EUR", "0.02"),  # 0.024
        ("100.00", "0", "EUR", "0.00"),
        ("100.00", "7.75", "USD", "7.75"),
        ("33.33", "8.875", "USD", "2.96"),  # 2.9580375
        ("1005", "10", "JPY", "101"),  # 100.5: no minor unit, half goes up
        ("1004", "10", "JPY", "100"),
        ("1.005", "50", "KWD", "0.503"),  # 0.5025: three decimals
        ("12.345", "0", "BHD", "0.000"),
    ],
)
def test_a_lines_tax_is_its_net_times_the_rate_rounded_half_up_to_the_minor_unit(
    net: str, rate: str, currency: str, tax: str
) -> None:
    result = line_tax(Decimal(net), Decimal(rate), currency)
    assert str(result) == tax


def test_the_tax_total_is_the_sum_of_the_rounded_line_taxes_not_the_rate_of_the_net_total() -> None:
    # Three lines of 0.25 at 10 %: each 0.025 → 0.03, so 0.09; 10 % of the 0.75 total would be 0.08.
    lines = [priced("1", "0.25", "10") for _ in range(3)]
    result = totals(lines, "EUR")
    assert (result.net_total, result.tax_total, result.gross_total) == (
        Decimal("0.75"),
        Decimal("0.09"),
        Decimal("0.84"),
    )


def test_the_summary_has_one_band_per_rate_highest_first_whatever_the_rates_spelling() -> None:
    lines = [priced("3", "3.35", "20"), priced("1", "10", "0"), priced("2", "1", "20.00"), priced("1", "5", "7.5")]
    bands = tax_summary(lines, "EUR")
    assert [(b.tax_rate, b.net_amount, b.tax_amount, b.gross_amount) for b in bands] == [
        (Decimal(20), Decimal("12.05"), Decimal("2.41"), Decimal("14.46")),
        (Decimal("7.5"), Decimal("5.00"), Decimal("0.38"), Decimal("5.38")),
        (Decimal(0), Decimal("10.00"), Decimal("0.00"), Decimal("10.00")),
    ]
    assert [rate_text(b.tax_rate) for b in bands] == ["20 %", "7.5 %", "0 %"]


@pytest.mark.parametrize(("rate", "plain"), [("20.00", "20"), ("0.000", "0"), ("8.8750", "8.875"), ("100", "100")])
def test_a_rate_is_written_without_trailing_zeros_or_an_exponent(rate: str, plain: str) -> None:
    assert str(plain_rate(Decimal(rate))) == plain


currencies = st.sampled_from(["EUR", "JPY", "KWD"])
lines = st.lists(
    st.tuples(
        st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(10_000), places=4),
        st.decimals(min_value=Decimal(0), max_value=Decimal(100_000), places=3),
        st.sampled_from(["0", "5", "7.5", "8.875", "19", "20", "100"]),
    ),
    min_size=1,
    max_size=30,
)


@given(currencies, lines)
def test_the_summary_bands_always_add_up_to_the_documents_totals(
    currency: str, typed: list[tuple[Decimal, Decimal, str]]
) -> None:
    priced_lines = [priced(str(q), str(p), rate, currency) for q, p, rate in typed]
    result = totals(priced_lines, currency)
    bands = tax_summary(priced_lines, currency)
    assert sum((b.net_amount for b in bands), Decimal(0)) == result.net_total
    assert sum((b.tax_amount for b in bands), Decimal(0)) == result.tax_total
    assert result.gross_total == result.net_total + result.tax_total
    assert len({b.tax_rate for b in bands}) == len(bands)
    # Never more than half a minor unit per line away from the exact tax.
    exact = sum((line.net_amount * line.tax_rate / 100 for line in priced_lines), Decimal(0))
    assert abs(result.tax_total - exact) <= quantum(currency) * len(priced_lines) / 2
