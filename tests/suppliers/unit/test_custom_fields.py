"""Custom field definitions and the checks on their values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from suppliers.domain.errors import InvalidCustomField, InvalidCustomFieldDefinition
from tests.suppliers.unit.builders import CATALOG, catalog, field, later, supplier


@pytest.mark.parametrize("key", ["Payment", "1st", "a b", "x/y", "a" * 65, "-a", ""])
def test_key_must_be_a_slug(key: str) -> None:
    with pytest.raises(InvalidCustomFieldDefinition):
        field(key)


@pytest.mark.parametrize("key", ["payment_terms", "vat-id", "a1"])
def test_slugs_are_accepted(key: str) -> None:
    assert field(key).key == key


@pytest.mark.parametrize("choices", [None, [], ["a", "a"], ["a", " "]])
def test_choice_field_needs_distinct_non_blank_choices(choices: Any) -> None:
    with pytest.raises(InvalidCustomFieldDefinition):
        field("size", "choice", choices=choices)


def test_only_a_choice_field_has_choices() -> None:
    with pytest.raises(InvalidCustomFieldDefinition):
        field("note", "text", choices=["a"])


def test_changed_choices_are_checked_and_the_key_stays() -> None:
    size = field("size", "choice", choices=["S", "M"])
    changed = size.changed({"choices": ["S", "M", "L"], "shown_in_portal": True}, later())
    assert (changed.key, changed.choices, changed.shown_in_portal, changed.updated_at) == (
        "size",
        ("S", "M", "L"),
        True,
        later(),
    )
    with pytest.raises(InvalidCustomFieldDefinition):
        size.changed({"choices": []}, later())


@pytest.mark.parametrize(
    "value, stored", [(12, "12"), ("12.50", "12.50"), (12.5, "12.5"), (Decimal("0.1"), "0.1"), (" 3 ", "3")]
)
def test_number_values_are_stored_as_decimal_strings(value: Any, stored: str) -> None:
    assert field("rating", "number").normalise(value) == stored


@pytest.mark.parametrize("value", ["abc", True, "NaN", "Infinity", None, [1]])
def test_number_values_must_be_finite_decimals(value: Any) -> None:
    with pytest.raises(ValueError):
        field("rating", "number").normalise(value)


def test_date_values_are_iso_dates() -> None:
    assert field("since", "date").normalise("2024-02-29") == "2024-02-29"


@pytest.mark.parametrize("value", ["2023-02-29", "20240501", "01.05.2024", 20240501, "2024-05-01T10:00:00"])
def test_date_values_must_be_valid_iso_dates(value: Any) -> None:
    with pytest.raises(ValueError):
        field("since", "date").normalise(value)


def test_choice_value_must_be_one_of_the_choices() -> None:
    size = field("size", "choice", choices=["S", "M"])
    assert size.normalise("M") == "M"
    with pytest.raises(ValueError):
        size.normalise("XL")


def test_text_value_must_be_a_string() -> None:
    with pytest.raises(ValueError):
        field("note").normalise(5)


def test_unknown_and_ill_typed_values_are_refused_with_their_field_paths() -> None:
    with pytest.raises(InvalidCustomField) as refused:
        CATALOG.buyer_values({}, {"colour": "red", "rating": "many", "region": "north"})
    assert [e["field"] for e in refused.value.errors] == ["custom_fields.colour", "custom_fields.rating"]


def test_buyer_values_merge_and_a_null_removes_one() -> None:
    merged = CATALOG.buyer_values({"region": "north", "rating": "4"}, {"rating": None, "region": "south"})
    assert merged == {"region": "south"}


def test_required_field_must_be_present_when_the_buyer_creates_a_supplier() -> None:
    fields = catalog(field("vat_id", required=True))
    with pytest.raises(InvalidCustomField) as refused:
        supplier(fields=fields, custom_fields={})
    assert refused.value.errors == [{"field": "custom_fields.vat_id", "message": "is required"}]


def test_required_field_must_be_present_after_every_buyer_edit() -> None:
    s = supplier(custom_fields={})
    fields = catalog(field("vat_id", required=True))
    with pytest.raises(InvalidCustomField):
        s.update({"name": "Renamed"}, later(), fields)
    with pytest.raises(InvalidCustomField):
        s.update({"custom_fields": {"vat_id": ""}}, later(), fields)
    s.update({"name": "Renamed", "custom_fields": {"vat_id": "DE123"}}, later(), fields)
    assert s.custom_fields == {"vat_id": "DE123"}


def test_supplier_may_edit_shown_fields_only() -> None:
    assert CATALOG.supplier_values({"region": "north"}, {"region": "east"}) == {"region": "east"}
    with pytest.raises(InvalidCustomField):
        CATALOG.supplier_values({}, {"rating": "5"})


def test_a_field_shown_later_shows_the_value_the_buyer_kept() -> None:
    s = supplier("active")
    now_shown = catalog(field("region", shown_in_portal=True), field("rating", "number", shown_in_portal=True))
    assert s.profile_view(now_shown.shown_keys)["custom_fields"] == {"region": "north", "rating": "4"}


def test_the_shown_definitions_keep_the_catalog_order_and_leave_out_the_hidden_ones() -> None:
    fields = catalog(
        field("vat_id", shown_in_portal=True),
        field("rating", "number"),
        field("size", "choice", choices=["S", "M"], shown_in_portal=True),
    )
    assert [d.key for d in fields.shown_definitions] == ["vat_id", "size"]
    assert fields.shown_keys == {"vat_id", "size"}
