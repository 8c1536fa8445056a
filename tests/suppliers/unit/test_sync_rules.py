"""The pure sync functions: which path an edit reaches, and how values are copied between views."""

from __future__ import annotations

import pytest

from suppliers.domain.sync import (
    PortalProfile,
    SharedValues,
    after_buyer_edit,
    after_supplier_edit,
    at_reactivation,
    buyer_edit_reaches_profile,
    changed_fields,
    copy_fields,
    initial_profile,
    supplier_edit_reaches_record,
)

RECORD = SharedValues("Acme", "buyer@acme.example", "+1", "EUR", {"region": "north", "rating": "4"})
PROFILE = PortalProfile("Acme", "sales@acme.example", "+2", "EUR", {"region": "north"}, address="Main St 1")


@pytest.mark.parametrize(
    "path, status, reaches",
    [
        ("currency", "active", True),
        ("currency", "inactive", True),
        ("email", "active", False),
        ("phone", "active", False),
        ("name", "active", True),
        ("custom_fields.region", "active", True),
        ("name", "inactive", False),
        ("email", "inactive", False),
        ("custom_fields.region", "inactive", False),
    ],
)
def test_which_buyer_edit_reaches_the_profile_at_once(path: str, status: str, reaches: bool) -> None:
    assert buyer_edit_reaches_profile(path, status) is reaches


@pytest.mark.parametrize(
    "path, reaches", [("email", True), ("phone", True), ("name", True), ("custom_fields.x", True), ("currency", False)]
)
def test_every_shared_supplier_edit_but_currency_reaches_the_record(path: str, reaches: bool) -> None:
    assert supplier_edit_reaches_record(path) is reaches


def test_changed_fields_names_plain_fields_and_added_or_removed_custom_fields() -> None:
    after = SharedValues("Acme Ltd", RECORD.email, None, "EUR", {"region": "south", "size": "L"})
    assert changed_fields(RECORD, after) == {
        "name",
        "phone",
        "custom_fields.region",
        "custom_fields.rating",
        "custom_fields.size",
    }


def test_copying_a_custom_field_absent_in_the_source_removes_it() -> None:
    copied = copy_fields(PROFILE, SharedValues("x", "y", None, "EUR", {}), ["custom_fields.region"])
    assert copied.custom_fields == {}
    assert copied.name == PROFILE.name


def test_initial_profile_is_a_copy_of_the_record_without_address_or_terms() -> None:
    profile = initial_profile(RECORD)
    assert (profile.name, profile.email, profile.phone, profile.currency) == ("Acme", "buyer@acme.example", "+1", "EUR")
    assert profile.custom_fields == RECORD.custom_fields
    assert (profile.address, profile.minimum_order_amount, profile.lead_time_days) == (None, None, None)


def test_buyer_edit_before_any_activation_has_no_profile_to_reach() -> None:
    assert after_buyer_edit(None, RECORD, {"name", "currency"}, "not_invited") == (None, frozenset())


def test_buyer_edit_while_active_moves_name_and_currency_but_not_email() -> None:
    record = SharedValues("New", "new@acme.example", "+1", "USD", RECORD.custom_fields)
    profile, waiting = after_buyer_edit(PROFILE, record, {"name", "email", "currency"}, "active")
    assert (profile.name, profile.email, profile.currency) == ("New", PROFILE.email, "USD")
    assert waiting == frozenset()


def test_buyer_edit_while_inactive_waits_except_currency() -> None:
    record = SharedValues("New", "new@acme.example", "+1", "USD", RECORD.custom_fields)
    profile, waiting = after_buyer_edit(PROFILE, record, {"name", "email", "currency"}, "inactive")
    assert (profile.name, profile.email, profile.currency) == (PROFILE.name, PROFILE.email, "USD")
    assert waiting == {"name", "email"}


def test_supplier_edit_copies_its_shared_fields_to_the_record() -> None:
    edited = PortalProfile("Acme Ltd", "new@acme.example", None, "EUR", {"region": "east"}, address="Elm St 2")
    record = after_supplier_edit(RECORD, edited, {"name", "email", "phone", "custom_fields.region"})
    assert record == SharedValues("Acme Ltd", "new@acme.example", None, "EUR", {"region": "east", "rating": "4"})


def test_reactivation_copies_exactly_the_waiting_fields() -> None:
    record = SharedValues("New", "new@acme.example", "+9", "EUR", {"region": "west"})
    profile = at_reactivation(PROFILE, record, {"email", "custom_fields.region"})
    assert (profile.name, profile.email, profile.phone) == (PROFILE.name, "new@acme.example", PROFILE.phone)
    assert profile.custom_fields == {"region": "west"}
    assert profile.address == PROFILE.address
