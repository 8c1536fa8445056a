"""The settings form of matching's defaults: shown as a person types the settings, and the API's
PATCH made of what was posted (an emptied rate is 0 %, an emptied amount none)."""

from __future__ import annotations

from web.domain.matching_settings import MatchingForm


def test_the_settings_are_shown_as_a_person_types_them() -> None:
    form = MatchingForm.of_settings(
        {"default_tolerance_rate": "2.5000", "default_tolerance_amount": "100", "three_way_matching": True}
    )
    assert form == MatchingForm("2.5", "100.00", True)
    assert MatchingForm.of_settings({"default_tolerance_rate": "0", "default_tolerance_amount": None}) == MatchingForm(
        "0", "", False
    )


def test_what_was_posted_goes_whole_and_an_unticked_box_is_off() -> None:
    posted = {"default_tolerance_rate": " 2,5 ", "default_tolerance_amount": " 100.50 ", "three_way_matching": "yes"}
    assert MatchingForm.of_form(posted).changes() == {
        "default_tolerance_rate": "2.5",
        "default_tolerance_amount": "100.50",
        "three_way_matching": True,
    }
    assert MatchingForm.of_form({"default_tolerance_rate": "1"}).changes()["three_way_matching"] is False


def test_an_emptied_rate_is_no_tolerance_and_an_emptied_amount_none() -> None:
    assert MatchingForm.of_form({"default_tolerance_rate": "", "default_tolerance_amount": " "}).changes() == {
        "default_tolerance_rate": "0",
        "default_tolerance_amount": None,
        "three_way_matching": False,
    }


def test_what_is_not_a_number_goes_as_typed_for_the_api_to_refuse() -> None:
    form = MatchingForm.of_form({"default_tolerance_rate": "five", "default_tolerance_amount": "-1"})
    assert (form.changes()["default_tolerance_rate"], form.changes()["default_tolerance_amount"]) == ("five", "-1")
    assert (form.default_tolerance_rate, form.default_tolerance_amount) == ("five", "-1")
