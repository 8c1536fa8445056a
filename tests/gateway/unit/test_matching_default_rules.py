"""The organisation's matching defaults: the tolerance of suppliers without one of their own, and
three-way matching of new orders; their ranges, and the event that carries them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from gateway.domain.errors import InvalidMatchingDefault
from gateway.domain.model import Organisation
from gateway.domain.tolerance import validate_default_tolerance_amount, validate_default_tolerance_rate
from shared.contracts.identity import OrganisationSettingsChanged

NOW = datetime(2027, 1, 20, 9, 0, tzinfo=UTC)


def last_event(organisation: Organisation) -> OrganisationSettingsChanged:
    event = organisation.events[-1]
    assert isinstance(event, OrganisationSettingsChanged)
    return event


def test_a_new_organisation_has_no_tolerance_and_matches_two_ways() -> None:
    event = last_event(Organisation.found("Acme Buying", NOW))
    assert (event.default_tolerance_rate, event.default_tolerance_amount, event.three_way_matching) == (
        Decimal(0),
        None,
        False,
    )


def test_the_admins_defaults_are_published_with_the_next_revision() -> None:
    organisation = Organisation.found("Acme Buying", NOW)
    tolerance = {"default_tolerance_rate": Decimal(2), "default_tolerance_amount": Decimal(100)}
    organisation.change(tolerance | {"three_way_matching": True}, NOW)
    event = last_event(organisation)
    assert event.revision == 2
    assert (event.default_tolerance_rate, event.default_tolerance_amount, event.three_way_matching) == (
        Decimal(2),
        Decimal(100),
        True,
    )


def test_a_null_amount_clears_the_default_amount_and_leaves_the_rate() -> None:
    organisation = Organisation.found("Acme Buying", NOW)
    organisation.change({"default_tolerance_rate": Decimal("2"), "default_tolerance_amount": Decimal("100")}, NOW)
    organisation.change({"default_tolerance_amount": None}, NOW)
    assert (organisation.default_tolerance_rate, organisation.default_tolerance_amount) == (Decimal(2), None)
    assert last_event(organisation).default_tolerance_amount is None


@pytest.mark.parametrize("rate", ["0", "2.5", "100"])
def test_a_default_rate_from_0_to_100_percent_is_taken(rate: str) -> None:
    assert validate_default_tolerance_rate(Decimal(rate)) == Decimal(rate)


@pytest.mark.parametrize("rate", ["-0.01", "100.01", "NaN", "Infinity"])
def test_a_default_rate_outside_0_to_100_percent_is_refused(rate: str) -> None:
    with pytest.raises(InvalidMatchingDefault) as refused:
        validate_default_tolerance_rate(Decimal(rate))
    assert [e["field"] for e in refused.value.errors] == ["default_tolerance_rate"]


@pytest.mark.parametrize(
    "amount, kept", [("0", "0"), ("100", "100"), ("10.5", "10.5"), ("0.125", "0.125"), ("10.5000", "10.500")]
)
def test_a_default_amount_of_any_currencys_minor_unit_is_taken(amount: str, kept: str) -> None:
    assert str(validate_default_tolerance_amount(Decimal(amount))) == kept


@pytest.mark.parametrize("amount", ["-0.01", "0.0001", "1e15", "NaN", "-Infinity"])
def test_a_negative_huge_or_finer_than_any_currency_default_amount_is_refused(amount: str) -> None:
    with pytest.raises(InvalidMatchingDefault) as refused:
        validate_default_tolerance_amount(Decimal(amount))
    assert [e["field"] for e in refused.value.errors] == ["default_tolerance_amount"]


def test_a_refused_default_changes_nothing_and_publishes_nothing() -> None:
    organisation = Organisation.found("Acme Buying", NOW)
    with pytest.raises(InvalidMatchingDefault):
        organisation.change({"three_way_matching": True, "default_tolerance_rate": Decimal("101")}, NOW)
    assert (organisation.revision, organisation.three_way_matching, len(organisation.events)) == (1, False, 1)
