"""What a saved profile form changes, as the API's PATCH takes it: only what differs, an emptied
field cleared, the buyer's custom fields by key."""

from __future__ import annotations

from starlette.datastructures import FormData

from web.entrypoints.profile_pages import _changes

CURRENT = {
    "name": "Acme",
    "email": "a@acme.example",
    "phone": None,
    "address": "1 Road",
    "minimum_order_amount": "500.00",
    "lead_time_days": 12,
    "custom_fields": {"region": "North", "vat": "DE1"},
}


def form(**fields: str) -> FormData:
    values = {
        "name": "Acme",
        "email": "a@acme.example",
        "phone": "",
        "address": "1 Road",
        "minimum_order_amount": "500.00",
        "lead_time_days": "12",
        "cf-region": "North",
        "cf-vat": "DE1",
    }
    return FormData(list((values | fields).items()))


def test_an_unchanged_form_changes_nothing() -> None:
    assert _changes(form(), CURRENT) == {}


def test_only_what_differs_goes_and_an_emptied_field_is_cleared() -> None:
    changed = _changes(form(phone=" +49 30 1 ", address="", **{"cf-region": "South", "cf-new": "x"}), CURRENT)
    assert changed == {"phone": "+49 30 1", "address": None, "custom_fields": {"region": "South", "new": "x"}}


def test_terms_compare_as_text() -> None:
    assert _changes(form(lead_time_days="14", minimum_order_amount=""), CURRENT) == {
        "lead_time_days": "14",
        "minimum_order_amount": None,
    }


def test_the_supplier_changes_its_legal_name_and_tax_id_and_its_address_lines_keep_their_breaks() -> None:
    current = CURRENT | {"legal_name": None, "tax_id": "DE1", "address": "1 Road\nBerlin"}
    changed = _changes(form(legal_name=" Acme GmbH ", tax_id="", address="1 Road\r\nBerlin"), current)
    assert changed == {"legal_name": "Acme GmbH", "tax_id": None}
