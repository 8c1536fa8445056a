"""Field ownership between the buyer's record and the supplier's portal profile, one rule per test."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shared.contracts.suppliers import SupplierPortalActivated, SupplierProfileUpdated, SupplierUpdated
from suppliers.domain.errors import InvalidCustomField, InvalidSupplier, PortalStateConflict
from tests.suppliers.unit.builders import CATALOG, later, supplier


def test_buyer_currency_change_reaches_the_profile_while_active() -> None:
    s = supplier("active")
    s.update({"currency": "USD"}, later(5), CATALOG)
    assert s.currency == s.profile.currency == "USD"


def test_buyer_currency_change_reaches_the_profile_even_while_inactive() -> None:
    s = supplier("inactive")
    s.update({"currency": "USD"}, later(5), CATALOG)
    assert s.profile.currency == "USD"
    assert "currency" not in s.waiting_for_portal


def test_supplier_may_not_change_currency() -> None:
    s = supplier("active")
    with pytest.raises(InvalidSupplier) as refused:
        s.edit_profile({"currency": "USD"}, later(5), CATALOG)
    assert refused.value.errors[0]["field"] == "currency"
    assert s.currency == s.profile.currency == "EUR"


def test_supplier_may_not_change_the_tolerance_rate() -> None:
    with pytest.raises(InvalidSupplier):
        supplier("active").edit_profile({"tolerance_rate": Decimal(50)}, later(5), CATALOG)


def test_supplier_email_change_reaches_the_buyer_record() -> None:
    s = supplier("active")
    s.edit_profile({"email": "sales@acme.example"}, later(5), CATALOG)
    assert s.email == s.profile.email == "sales@acme.example"


def test_supplier_phone_change_reaches_the_buyer_record() -> None:
    s = supplier("active")
    s.edit_profile({"phone": None}, later(5), CATALOG)
    assert s.phone is None and s.profile.phone is None


def test_buyer_email_change_while_active_stays_in_the_buyer_record() -> None:
    s = supplier("active")
    s.update({"email": "ap@acme.example"}, later(5), CATALOG)
    assert s.email == "ap@acme.example"
    assert s.profile.email == "buyer-side@acme.example"


def test_supplier_resending_its_unchanged_email_leaves_the_buyer_record_alone() -> None:
    s = supplier("active")
    s.update({"email": "ap@acme.example"}, later(3), CATALOG)
    s.edit_profile({"email": "buyer-side@acme.example", "address": "Main St 1"}, later(4), CATALOG)
    assert (s.email, s.profile.email) == ("ap@acme.example", "buyer-side@acme.example")


def test_buyer_phone_change_while_active_stays_in_the_buyer_record() -> None:
    s = supplier("active")
    s.update({"phone": "+49 2"}, later(5), CATALOG)
    assert (s.phone, s.profile.phone) == ("+49 2", "+49 1")


def test_buyer_name_change_while_active_reaches_the_profile() -> None:
    s = supplier("active")
    s.update({"name": "Acme Tools GmbH"}, later(5), CATALOG)
    assert s.profile.name == "Acme Tools GmbH"


def test_supplier_name_change_reaches_the_buyer_record() -> None:
    s = supplier("active")
    s.edit_profile({"name": "Acme Ltd"}, later(5), CATALOG)
    assert s.name == "Acme Ltd"


def test_buyer_change_of_a_shown_custom_field_while_active_reaches_the_profile() -> None:
    s = supplier("active")
    s.update({"custom_fields": {"region": "south"}}, later(5), CATALOG)
    assert s.profile_view(CATALOG.shown_keys)["custom_fields"] == {"region": "south"}


def test_supplier_change_of_a_shown_custom_field_reaches_the_buyer_record() -> None:
    s = supplier("active")
    s.edit_profile({"custom_fields": {"region": "east"}}, later(5), CATALOG)
    assert s.custom_fields == {"region": "east", "rating": "4"}


def test_supplier_may_not_edit_a_hidden_custom_field() -> None:
    s = supplier("active")
    with pytest.raises(InvalidCustomField) as refused:
        s.edit_profile({"custom_fields": {"rating": "5"}}, later(5), CATALOG)
    assert refused.value.errors == [{"field": "custom_fields.rating", "message": "no such custom field"}]


def test_hidden_custom_fields_never_appear_in_the_profile_view() -> None:
    s = supplier("active")
    s.update({"custom_fields": {"rating": "5"}}, later(5), CATALOG)
    assert s.profile_view(CATALOG.shown_keys)["custom_fields"] == {"region": "north"}


def test_buyer_edits_while_inactive_stay_in_the_buyer_record() -> None:
    s = supplier("inactive")
    s.update({"name": "Renamed", "email": "new@acme.example", "custom_fields": {"region": "south"}}, later(5), CATALOG)
    assert (s.profile.name, s.profile.email, s.profile.custom_fields["region"]) == (
        "Acme Tools",
        "buyer-side@acme.example",
        "north",
    )
    assert s.waiting_for_portal == {"name", "email", "custom_fields.region"}


def test_reactivation_brings_every_edit_made_while_inactive_email_and_phone_included() -> None:
    s = supplier("inactive")
    s.update({"name": "Renamed", "email": "new@acme.example", "phone": "+49 9"}, later(5), CATALOG)
    s.activate_portal(later(6), CATALOG)
    assert (s.profile.name, s.profile.email, s.profile.phone) == ("Renamed", "new@acme.example", "+49 9")
    assert s.waiting_for_portal == frozenset()


def test_reactivation_keeps_the_supplier_email_the_buyer_changed_while_active() -> None:
    s = supplier("active")
    s.edit_profile({"email": "sales@acme.example"}, later(3), CATALOG)
    s.update({"email": "ap@acme.example"}, later(4), CATALOG)
    s.deactivate_portal(later(5), CATALOG)
    s.update({"name": "Renamed"}, later(6), CATALOG)
    s.activate_portal(later(7), CATALOG)
    assert (s.profile.name, s.profile.email) == ("Renamed", "sales@acme.example")


def test_resending_the_record_value_while_inactive_is_not_an_edit_that_reaches_the_profile() -> None:
    # A form that sends every field must not carry the buyer's own email over the supplier's at reactivation.
    s = supplier("active")
    s.update({"email": "ap@acme.example"}, later(3), CATALOG)
    s.deactivate_portal(later(4), CATALOG)
    s.update({"email": "ap@acme.example", "tolerance_rate": Decimal(1)}, later(5), CATALOG)
    s.activate_portal(later(6), CATALOG)
    assert s.profile.email == "buyer-side@acme.example"


def test_there_is_no_profile_before_the_first_activation() -> None:
    s = supplier("not_invited")
    s.update({"name": "Renamed"}, later(5), CATALOG)
    assert s.profile is None
    assert s.profile_view(CATALOG.shown_keys) is None


def test_first_activation_initialises_the_profile_from_the_buyer_record() -> None:
    s = supplier("not_invited")
    s.update({"email": "first@acme.example", "custom_fields": {"region": "west"}}, later(5), CATALOG)
    s.activate_portal(later(6), CATALOG)
    assert (s.profile.name, s.profile.email, s.profile.phone, s.profile.currency) == (
        "Acme Tools",
        "first@acme.example",
        "+49 1",
        "EUR",
    )
    assert s.profile_view(CATALOG.shown_keys)["custom_fields"] == {"region": "west"}


def test_address_and_terms_stay_in_the_profile() -> None:
    s = supplier("active")
    s.edit_profile(
        {"address": "Main St 1", "minimum_order_amount": Decimal("500.00"), "lead_time_days": 10}, later(5), CATALOG
    )
    assert (s.profile.address, s.profile.minimum_order_amount, s.profile.lead_time_days) == (
        "Main St 1",
        Decimal("500.00"),
        10,
    )
    assert (s.name, s.email) == ("Acme Tools", "buyer-side@acme.example")
    assert s.custom_fields == {"region": "north", "rating": "4"}


@pytest.mark.parametrize(
    "changes, field",
    [({"minimum_order_amount": Decimal("-1")}, "minimum_order_amount"), ({"lead_time_days": -1}, "lead_time_days")],
)
def test_terms_cannot_be_negative(changes: dict, field: str) -> None:
    with pytest.raises(InvalidSupplier) as refused:
        supplier("active").edit_profile(changes, later(5), CATALOG)
    assert refused.value.errors[0]["field"] == field


@pytest.mark.parametrize("status", ["not_invited", "inactive"])
def test_supplier_edits_only_while_the_portal_is_active(status: str) -> None:
    with pytest.raises(PortalStateConflict):
        supplier(status).edit_profile({"name": "x"}, later(5), CATALOG)


def test_supplier_edit_publishes_the_whole_state_with_the_profile_and_terms() -> None:
    s = supplier("active")
    s.edit_profile({"minimum_order_amount": Decimal("250.50"), "lead_time_days": 3}, later(5), CATALOG)
    [event] = s.events
    assert isinstance(event, SupplierProfileUpdated)
    assert (event.minimum_order_amount, event.lead_time_days, event.revision) == (Decimal("250.50"), 3, s.revision)
    assert event.portal_profile == {
        "supplier_id": str(s.id),
        "name": "Acme Tools",
        "email": "buyer-side@acme.example",
        "phone": "+49 1",
        "currency": "EUR",
        "legal_name": None,
        "address": None,
        "tax_id": None,
        "minimum_order_amount": "250.50",
        "lead_time_days": 3,
        "custom_fields": {"region": "north"},
        "portal_status": "active",
    }


def test_buyer_events_carry_the_profile_and_the_supplier_terms() -> None:
    s = supplier("active")
    s.edit_profile({"lead_time_days": 7}, later(5), CATALOG)
    s.update({"tolerance_rate": Decimal("2.5")}, later(6), CATALOG)
    event = s.events[-1]
    assert isinstance(event, SupplierUpdated)
    assert event.tolerance_rate == Decimal("2.5")
    assert event.lead_time_days == 7 and event.portal_profile["lead_time_days"] == 7


def test_first_activation_event_carries_the_initial_profile() -> None:
    s = supplier("not_invited")
    s.activate_portal(later(5), CATALOG)
    [event] = s.events
    assert isinstance(event, SupplierPortalActivated) and event.first_activation
    assert event.portal_profile["email"] == "buyer-side@acme.example"
    assert event.minimum_order_amount is None


def test_an_edit_that_changes_nothing_publishes_nothing() -> None:
    s = supplier("active")
    revision = s.revision
    s.update({"name": "Acme Tools"}, later(5), CATALOG)
    s.edit_profile({"email": "buyer-side@acme.example"}, later(5), CATALOG)
    assert s.events == [] and s.revision == revision
