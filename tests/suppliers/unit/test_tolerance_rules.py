"""A supplier's tolerance: a rate, an amount in its currency, or neither (the organisation's
defaults), and how each event carries it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shared.contracts.suppliers import SupplierCreated, SupplierUpdated, TolerancePolicy
from suppliers.domain.errors import InvalidSupplier
from suppliers.domain.model import Supplier
from suppliers.domain.values import validate_tolerance_amount, validate_tolerance_rate
from tests.suppliers.unit.builders import CATALOG, NOW, TENANT, later, supplier


def refused_field(error: pytest.ExceptionInfo[InvalidSupplier]) -> str:
    [problem] = error.value.errors
    return str(problem["field"])


def test_a_supplier_registered_without_a_tolerance_takes_the_organisations_defaults() -> None:
    s = Supplier.register(
        tenant_id=TENANT, name="Acme Tools", email="ap@acme.example", currency="EUR", now=NOW, catalog=CATALOG
    )
    assert (s.tolerance_rate, s.tolerance_amount) == (None, None)
    [event] = s.events
    assert isinstance(event, SupplierCreated)
    assert event.tolerance == TolerancePolicy(rate=None, amount=None)
    # Consumers that read the rate alone see no tolerance of its own.
    assert event.tolerance_rate == Decimal(0)


def test_the_events_carry_the_suppliers_own_rate_and_amount() -> None:
    s = supplier(tolerance_rate=Decimal("5"), tolerance_amount=Decimal("100"))
    s.update({"tolerance_amount": Decimal("80.5")}, later(), CATALOG)
    [event] = s.events
    assert isinstance(event, SupplierUpdated)
    assert event.tolerance == TolerancePolicy(rate=Decimal("5"), amount=Decimal("80.50"))
    assert event.tolerance_rate == Decimal("5")


def test_an_amount_alone_is_published_with_no_rate_of_its_own() -> None:
    s = supplier(tolerance_rate=None, tolerance_amount=Decimal("25"))
    event = s.snapshot(CATALOG)
    assert event.tolerance == TolerancePolicy(rate=None, amount=Decimal("25.00"))
    assert event.tolerance_rate == Decimal(0)


def test_the_buyer_hands_a_supplier_back_to_the_organisations_defaults_with_nulls() -> None:
    s = supplier(tolerance_rate=Decimal("5"), tolerance_amount=Decimal("100"))
    s.update({"tolerance_rate": None, "tolerance_amount": None}, later(), CATALOG)
    assert (s.tolerance_rate, s.tolerance_amount) == (None, None)
    assert s.events[-1].tolerance == TolerancePolicy()


@pytest.mark.parametrize("rate", ["0", "0.5", "100"])
def test_a_rate_from_0_to_100_percent_is_taken(rate: str) -> None:
    assert validate_tolerance_rate(Decimal(rate)) == Decimal(rate)


@pytest.mark.parametrize("rate", ["-0.01", "100.01", "NaN", "Infinity"])
def test_a_rate_outside_0_to_100_percent_is_refused(rate: str) -> None:
    with pytest.raises(InvalidSupplier) as refused:
        validate_tolerance_rate(Decimal(rate))
    assert refused_field(refused) == "tolerance_rate"


@pytest.mark.parametrize(
    "amount, currency, kept",
    [
        ("0", "EUR", "0.00"),
        ("10.5", "EUR", "10.50"),
        ("10.500", "EUR", "10.50"),
        ("1000", "JPY", "1000"),
        ("1.250", "KWD", "1.250"),
    ],
)
def test_an_amount_is_kept_to_its_currencys_minor_unit(amount: str, currency: str, kept: str) -> None:
    assert str(validate_tolerance_amount(Decimal(amount), currency)) == kept


@pytest.mark.parametrize(
    "amount, currency",
    [
        ("-0.01", "EUR"),
        ("10.005", "EUR"),
        ("0.5", "JPY"),
        ("1.2345", "KWD"),
        ("NaN", "EUR"),
        ("Infinity", "EUR"),
        ("1e15", "EUR"),
    ],
)
def test_a_negative_or_too_precise_amount_is_refused(amount: str, currency: str) -> None:
    with pytest.raises(InvalidSupplier) as refused:
        validate_tolerance_amount(Decimal(amount), currency)
    assert refused_field(refused) == "tolerance_amount"


def test_a_refused_amount_says_how_many_decimals_the_currency_has() -> None:
    with pytest.raises(InvalidSupplier) as refused:
        validate_tolerance_amount(Decimal("0.5"), "JPY")
    assert refused.value.errors[0]["message"] == "a whole amount in JPY"
    with pytest.raises(InvalidSupplier) as refused:
        validate_tolerance_amount(Decimal("0.555"), "EUR")
    assert refused.value.errors[0]["message"] == "an amount with at most 2 decimals in EUR"


def test_a_new_currency_without_the_amounts_decimals_is_refused_and_nothing_changes() -> None:
    s = supplier(tolerance_amount=Decimal("10.50"))
    with pytest.raises(InvalidSupplier) as refused:
        s.update({"currency": "JPY"}, later(), CATALOG)
    assert refused_field(refused) == "tolerance_amount"
    assert (s.currency, s.tolerance_amount, s.events) == ("EUR", Decimal("10.50"), [])


def test_a_new_currency_with_more_decimals_keeps_the_amount() -> None:
    s = supplier(tolerance_amount=Decimal("10.50"))
    s.update({"currency": "KWD"}, later(), CATALOG)
    assert (s.currency, s.tolerance_amount) == ("KWD", Decimal("10.50"))


def test_a_new_currency_and_amount_together_are_checked_against_each_other() -> None:
    s = supplier(tolerance_amount=Decimal("10.50"))
    s.update({"currency": "JPY", "tolerance_amount": Decimal("1500")}, later(), CATALOG)
    assert (s.currency, s.tolerance_amount) == ("JPY", Decimal("1500"))


def test_registering_with_an_amount_too_precise_for_the_currency_is_refused() -> None:
    with pytest.raises(InvalidSupplier) as refused:
        supplier(currency="JPY", tolerance_amount=Decimal("99.9"))
    assert refused_field(refused) == "tolerance_amount"


def test_the_supplier_may_not_set_its_own_tolerance_amount() -> None:
    with pytest.raises(InvalidSupplier) as refused:
        supplier("active").edit_profile({"tolerance_amount": Decimal(50)}, later(5), CATALOG)
    assert refused_field(refused) == "tolerance_amount"


def test_the_supplier_never_sees_a_tolerance_in_its_profile() -> None:
    s = supplier("active", tolerance_rate=Decimal("5"), tolerance_amount=Decimal("100"))
    view = s.profile_view(CATALOG.shown_keys)
    assert view is not None
    assert not [key for key in view if "tolerance" in key]
    portal_profile = s.snapshot(CATALOG).portal_profile
    assert portal_profile is not None and not [key for key in portal_profile if "tolerance" in key]
