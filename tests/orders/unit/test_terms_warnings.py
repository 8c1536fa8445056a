"""Supplier terms on submission: warnings at each boundary, never a refusal."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from orders.domain.terms import SupplierTerms, terms_warnings
from shared.contracts.orders import PurchaseOrderSubmitted
from tests.orders.unit.builders import NOW, draft, line

ORDERED_ON = date(2027, 1, 1)


def warned(terms: SupplierTerms, *, net_total: str = "1000.00", delivery_date: date | None = None) -> list[str]:
    found = terms_warnings(
        terms, net_total=Decimal(net_total), currency="EUR", delivery_date=delivery_date, ordered_on=ORDERED_ON
    )
    return [w.code for w in found]


def test_exactly_the_minimum_order_amount_is_fine() -> None:
    assert warned(SupplierTerms(minimum_order_amount=Decimal("500")), net_total="500.00") == []


def test_a_cent_below_the_minimum_order_amount_warns_with_both_amounts() -> None:
    [warning] = terms_warnings(
        SupplierTerms(minimum_order_amount=Decimal("500")),
        net_total=Decimal("300.00"),
        currency="EUR",
        delivery_date=None,
        ordered_on=ORDERED_ON,
    )
    assert warning.code == "below_minimum_order_amount"
    assert warning.message == "net total 300.00 EUR is below the supplier's minimum order amount of 500.00 EUR"
    assert warned(SupplierTerms(minimum_order_amount=Decimal("500")), net_total="499.99") == [
        "below_minimum_order_amount"
    ]


def test_delivery_exactly_at_the_lead_time_is_fine() -> None:
    terms = SupplierTerms(lead_time_days=14)
    assert warned(terms, delivery_date=ORDERED_ON + timedelta(days=14)) == []
    assert warned(terms, delivery_date=ORDERED_ON + timedelta(days=30)) == []


def test_delivery_a_day_inside_the_lead_time_warns_with_the_numbers() -> None:
    [warning] = terms_warnings(
        SupplierTerms(lead_time_days=14),
        net_total=Decimal("1"),
        currency="EUR",
        delivery_date=ORDERED_ON + timedelta(days=13),
        ordered_on=ORDERED_ON,
    )
    assert warning.code == "inside_lead_time"
    assert "2027-01-14" in warning.message
    assert "13 days" in warning.message
    assert "lead time of 14 days" in warning.message
    assert "earliest delivery 2027-01-15" in warning.message


def test_unknown_terms_or_no_delivery_date_warn_about_nothing() -> None:
    assert warned(SupplierTerms(), net_total="0.01", delivery_date=ORDERED_ON) == []
    assert warned(SupplierTerms(lead_time_days=10), delivery_date=None) == []


def test_both_terms_can_be_ignored_at_once() -> None:
    terms = SupplierTerms(minimum_order_amount=Decimal("500"), lead_time_days=5)
    assert warned(terms, net_total="10.00", delivery_date=ORDERED_ON) == [
        "below_minimum_order_amount",
        "inside_lead_time",
    ]


@given(
    net=st.decimals(min_value=0, max_value=10_000, places=2),
    minimum=st.decimals(min_value=0, max_value=10_000, places=2),
    days_after=st.integers(min_value=-30, max_value=60),
    lead_time=st.integers(min_value=0, max_value=60),
)
def test_a_warning_exactly_when_a_term_is_missed(
    net: Decimal, minimum: Decimal, days_after: int, lead_time: int
) -> None:
    codes = warned(
        SupplierTerms(minimum_order_amount=minimum, lead_time_days=lead_time),
        net_total=str(net),
        delivery_date=ORDERED_ON + timedelta(days=days_after),
    )
    assert ("below_minimum_order_amount" in codes) == (net < minimum)
    assert ("inside_lead_time" in codes) == (days_after < lead_time)


def test_submission_keeps_the_warnings_and_publishes_them_but_still_sends() -> None:
    order = draft(line("2", "150.00"))  # 300.00 EUR, due 2026-06-01, submitted 2026-05-04
    order.submit(NOW, terms=SupplierTerms(minimum_order_amount=Decimal("500"), lead_time_days=30))
    assert order.status == "sent"
    assert [w.code for w in order.warnings] == ["below_minimum_order_amount", "inside_lead_time"]
    [event] = order.events
    assert isinstance(event, PurchaseOrderSubmitted)
    assert event.warnings == order.warnings


def test_submission_without_terms_has_no_warnings() -> None:
    order = draft()
    order.submit(NOW)
    assert order.warnings == []
