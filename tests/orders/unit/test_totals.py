"""Line nets and the net total: Decimal, half-up to the currency's minor unit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders.domain.errors import InvalidPurchaseOrder
from orders.domain.model import format_number
from tests.orders.unit.builders import NOW, draft, line


def test_line_net_is_quantity_times_price_rounded_half_up_to_cents() -> None:
    order = draft(line("3", "0.335"))  # 1.005
    assert order.lines[0].net_amount == Decimal("1.01")
    assert str(order.net_total) == "1.01"


def test_half_a_cent_below_the_midpoint_rounds_down() -> None:
    order = draft(line("3", "0.3349"))  # 1.0047
    assert order.lines[0].net_amount == Decimal("1.00")


def test_net_total_is_the_sum_of_the_rounded_line_nets() -> None:
    order = draft(line("1", "0.005"), line("1", "0.005"), line("1", "0.005"))
    # Each line rounds to 0.01 on its own; the total is their sum, not a rounding of 0.015.
    assert [str(x.net_amount) for x in order.lines] == ["0.01", "0.01", "0.01"]
    assert str(order.net_total) == "0.03"


def test_currency_without_minor_unit_rounds_to_whole_amounts() -> None:
    order = draft(line("1", "100.5"), currency="JPY")
    assert str(order.net_total) == "101"


def test_three_decimal_currency_keeps_three_decimals() -> None:
    order = draft(line("2", "1.0005"), currency="KWD")
    assert str(order.net_total) == "2.001"


def test_lines_are_numbered_from_one_in_the_order_given() -> None:
    order = draft(line(description="a"), line(description="b"), line(description="c"))
    assert [(x.line_no, x.description) for x in order.lines] == [(1, "a"), (2, "b"), (3, "c")]


@pytest.mark.parametrize(
    ("quantity", "unit_price", "field"),
    [("0", "1", "lines.0.quantity"), ("-1", "1", "lines.0.quantity"), ("1", "-0.01", "lines.0.unit_price")],
)
def test_impossible_amounts_are_refused_with_the_field_named(quantity: str, unit_price: str, field: str) -> None:
    with pytest.raises(InvalidPurchaseOrder) as refused:
        draft(line(quantity, unit_price))
    assert refused.value.errors[0]["field"] == field


def test_a_free_line_is_allowed() -> None:
    assert draft(line("2", "0")).net_total == Decimal("0.00")


def test_numbers_are_zero_padded_per_tenant_counter() -> None:
    assert format_number(1) == "PO-000001"
    assert format_number(123456) == "PO-123456"


def test_each_line_is_taxed_at_its_rate_and_the_order_adds_up_to_gross() -> None:
    order = draft(
        line("3", "3.35", tax_rate="20"), line("1", "10.00", tax_rate="0"), line("10", "0.025", tax_rate="10")
    )
    assert [(x.tax_rate, x.tax_amount) for x in order.lines] == [
        (Decimal(20), Decimal("2.01")),  # 10.05 × 20 % = 2.010
        (Decimal(0), Decimal("0.00")),
        (Decimal(10), Decimal("0.03")),  # 0.25 × 10 % = 0.025: half goes up
    ]
    assert (order.net_total, order.tax_total, order.gross_total) == (
        Decimal("20.30"),
        Decimal("2.04"),
        Decimal("22.34"),
    )
    order.submit(NOW)
    event = order.events[-1]
    assert (event.tax_total, event.gross_total) == (Decimal("2.04"), Decimal("22.34"))  # type: ignore[attr-defined]
    assert [x.tax_rate for x in event.lines] == [Decimal(20), Decimal(0), Decimal(10)]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("currency", "tax"), [("JPY", "101"), ("KWD", "100.500")])
def test_a_lines_tax_rounds_half_up_to_the_currencys_minor_unit(currency: str, tax: str) -> None:
    order = draft(line("1", "1005", tax_rate="10"), currency=currency)
    assert str(order.lines[0].tax_amount) == tax


@pytest.mark.parametrize("rate", ["-1", "100.5", "NaN"])
def test_a_tax_rate_outside_0_to_100_percent_is_refused_naming_the_line(rate: str) -> None:
    with pytest.raises(InvalidPurchaseOrder) as refused:
        draft(line(tax_rate=rate))
    assert refused.value.errors == [
        {"field": "lines.0.tax_rate", "message": "a tax rate is a percentage from 0 to 100"}
    ]
