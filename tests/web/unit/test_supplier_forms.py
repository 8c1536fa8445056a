"""The supplier and custom field forms as the API takes them: a new supplier's body, an edit's
changes (only what differs; an emptied optional field cleared, an emptied required one sent for the
API to refuse), a custom field's key made from its label, its choices one per line."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from web.domain.supplier_forms import FieldForm, SupplierForm, plain_number

DEFINITIONS = [{"key": "vat_number"}, {"key": "region"}, {"key": "certified_on"}]
RECORD: dict[str, Any] = {
    "name": "Nordic Bolts",
    "email": "sales@nordic.example",
    "phone": None,
    "currency": "EUR",
    "tolerance_rate": "2.5000",
    "custom_fields": {"vat_number": "SE1", "region": "North"},
}


def posted(**changed: str) -> dict[str, str]:
    """The form of RECORD as the page shows it, with ``changed`` typed over it."""
    shown = {
        "name": "Nordic Bolts",
        "email": "sales@nordic.example",
        "phone": "",
        "currency": "EUR",
        "tolerance_rate": "2.5",
        "cf-vat_number": "SE1",
        "cf-region": "North",
        "cf-certified_on": "",
    }
    return shown | changed


def test_a_record_is_shown_as_a_person_would_type_it() -> None:
    form = SupplierForm.of_record(RECORD)
    assert (form.phone, form.tolerance_rate) == ("", "2.5")
    assert form.custom_fields == {"vat_number": "SE1", "region": "North"}


def test_an_unchanged_form_changes_nothing() -> None:
    assert SupplierForm.of_form(posted(), DEFINITIONS).changes(RECORD) == {}


def test_only_what_differs_goes_an_emptied_optional_field_is_cleared() -> None:
    form = SupplierForm.of_form(
        posted(phone=" +46 8 1 ", tolerance_rate="2,50", **{"cf-region": "", "cf-certified_on": "2026-03-01"}),
        DEFINITIONS,
    )
    assert form.changes(RECORD) == {
        "phone": "+46 8 1",
        "custom_fields": {"region": None, "certified_on": "2026-03-01"},
    }


def test_an_emptied_required_field_goes_empty_so_that_the_api_says_why() -> None:
    assert SupplierForm.of_form(posted(name=" ", currency="usd"), DEFINITIONS).changes(RECORD) == {
        "name": "",
        "currency": "USD",
    }


def test_a_tolerance_that_is_not_a_number_goes_as_typed_and_an_emptied_one_is_the_organisations_default() -> None:
    assert SupplierForm.of_form(posted(tolerance_rate="abc"), DEFINITIONS).changes(RECORD) == {"tolerance_rate": "abc"}
    assert SupplierForm.of_form(posted(tolerance_rate=""), DEFINITIONS).changes(RECORD) == {"tolerance_rate": None}
    assert SupplierForm.of_form(posted(tolerance_amount="1O0"), DEFINITIONS).changes(RECORD) == {
        "tolerance_amount": "1O0"
    }


def test_a_tolerance_amount_is_shown_as_answered_and_only_a_different_number_is_a_change() -> None:
    record = RECORD | {"tolerance_amount": "100.00"}
    assert SupplierForm.of_record(record).tolerance_amount == "100.00"
    assert SupplierForm.of_record(RECORD).tolerance_amount == ""
    for same in ("100", "100.00", " 100.0 "):
        assert SupplierForm.of_form(posted(tolerance_amount=same), DEFINITIONS).changes(record) == {}
    assert SupplierForm.of_form(posted(tolerance_amount="80.5"), DEFINITIONS).changes(record) == {
        "tolerance_amount": "80.5"
    }
    assert SupplierForm.of_form(posted(tolerance_amount=""), DEFINITIONS).changes(record) == {"tolerance_amount": None}
    assert SupplierForm.of_form(posted(tolerance_amount="50"), DEFINITIONS).changes(RECORD) == {
        "tolerance_amount": "50"
    }


def test_both_tolerances_emptied_hand_the_supplier_to_the_organisations_defaults() -> None:
    record = RECORD | {"tolerance_amount": "100.00"}
    form = SupplierForm.of_form(posted(tolerance_rate="", tolerance_amount=""), DEFINITIONS)
    assert form.changes(record) == {"tolerance_rate": None, "tolerance_amount": None}
    nothing_of_its_own = RECORD | {"tolerance_rate": None, "tolerance_amount": None}
    assert SupplierForm.of_record(nothing_of_its_own).tolerance_rate == ""
    assert form.changes(nothing_of_its_own) == {}


def test_a_new_supplier_sends_only_the_custom_fields_filled_in_and_leaves_the_tolerance_to_the_api() -> None:
    form = SupplierForm.of_form(posted(tolerance_rate="", **{"cf-region": ""}), DEFINITIONS)
    assert form.new_supplier() == {
        "name": "Nordic Bolts",
        "email": "sales@nordic.example",
        "phone": None,
        "currency": "EUR",
        "custom_fields": {"vat_number": "SE1"},
    }
    with_tolerance = SupplierForm.of_form(posted(tolerance_rate="2,5", tolerance_amount="100"), DEFINITIONS)
    assert {k: v for k, v in with_tolerance.new_supplier().items() if k.startswith("tolerance")} == {
        "tolerance_rate": "2.5",
        "tolerance_amount": "100",
    }


@given(st.decimals(min_value=0, max_value=100, places=4, allow_nan=False))
def test_a_stored_rate_shown_and_posted_back_unchanged_is_no_change(rate: Any) -> None:
    record = RECORD | {"tolerance_rate": str(rate)}
    shown = plain_number(record["tolerance_rate"])
    assert SupplierForm.of_form(posted(tolerance_rate=shown), DEFINITIONS).changes(record) == {}


def test_a_custom_field_key_is_made_from_its_label_when_none_is_typed() -> None:
    assert FieldForm.of_form({"label": " VAT number (EU) ", "type": "text"}).key == "vat_number_eu"
    assert FieldForm.of_form({"label": "VAT", "key": "tax-id", "type": "text"}).key == "tax-id"


def test_choices_are_one_per_line_and_only_a_choice_field_changes_them() -> None:
    typed = {"label": "Region", "type": "choice", "choices": "North\r\n\n South \n", "required": "yes"}
    form = FieldForm.of_form(typed)
    assert form.definition() == {
        "key": "region",
        "label": "Region",
        "type": "choice",
        "choices": ["North", "South"],
        "required": True,
        "shown_in_portal": False,
    }
    assert form.changes() == {
        "label": "Region",
        "required": True,
        "shown_in_portal": False,
        "choices": ["North", "South"],
    }
    text = FieldForm.of_form({"label": "VAT", "type": "text", "choices": ""})
    assert text.definition()["choices"] is None and "choices" not in text.changes()


LEGAL_RECORD: dict[str, Any] = RECORD | {
    "payment_terms_days": 45,
    "legal_name": "Nordic Bolts AB",
    "address": "Storgatan 1\n111 22 Stockholm",
    "tax_id": "SE556",
}


def test_payment_terms_and_the_legal_details_show_as_typed_and_a_browsers_line_endings_are_no_change() -> None:
    form = SupplierForm.of_record(LEGAL_RECORD)
    assert (form.payment_terms_days, form.legal_name, form.tax_id) == ("45", "Nordic Bolts AB", "SE556")
    typed = posted(
        payment_terms_days="45", legal_name="Nordic Bolts AB", address="Storgatan 1\r\n111 22 Stockholm", tax_id="SE556"
    )
    assert SupplierForm.of_form(typed, DEFINITIONS).changes(LEGAL_RECORD) == {}


def test_emptied_payment_terms_go_back_to_the_organisations_default_and_an_emptied_legal_detail_is_cleared() -> None:
    typed = posted(payment_terms_days="", legal_name="Nordic Bolts Aktiebolag", address="", tax_id="SE556")
    assert SupplierForm.of_form(typed, DEFINITIONS).changes(LEGAL_RECORD) == {
        "payment_terms_days": None,
        "legal_name": "Nordic Bolts Aktiebolag",
        "address": "",
    }


def test_a_new_supplier_sends_its_payment_terms_and_legal_details_only_when_filled_in() -> None:
    typed = posted(payment_terms_days="14", legal_name="", address="Storgatan 1\r\nStockholm", tax_id=" SE556 ")
    body = SupplierForm.of_form(typed, DEFINITIONS).new_supplier()
    assert (body["payment_terms_days"], body["address"], body["tax_id"]) == ("14", "Storgatan 1\nStockholm", "SE556")
    assert "legal_name" not in body
    assert "payment_terms_days" not in SupplierForm.of_form(posted(), DEFINITIONS).new_supplier()


def test_a_buyer_users_form_keeps_the_records_terms_whatever_was_posted() -> None:
    # Disabled fields are not posted; a forged form may post them: neither changes the terms.
    record = RECORD | {"tolerance_amount": "100.00", "payment_terms_days": 30}
    for form in (
        posted(name="Nordic Bolts AB"),
        posted(name="Nordic Bolts AB", tolerance_rate="9", payment_terms_days="0"),
    ):
        values = SupplierForm.of_form(form, DEFINITIONS).keeping_the_terms_of(SupplierForm.of_record(record))
        assert values.changes(record) == {"name": "Nordic Bolts AB"}
    new = SupplierForm.of_form(posted(tolerance_amount="5"), DEFINITIONS).keeping_the_terms_of(SupplierForm())
    assert not {"tolerance_rate", "tolerance_amount", "payment_terms_days"} & new.new_supplier().keys()
