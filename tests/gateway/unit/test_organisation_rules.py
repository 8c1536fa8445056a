"""Rules for new buyer organisations and their users: names, roles, passwords."""

from datetime import UTC, datetime

import pytest

from gateway.domain.errors import InvalidName, UnknownRole, WeakPassword
from gateway.domain.model import Organisation, clean_name, ensure_buyer_role, ensure_strong_password
from shared.contracts.identity import OrganisationSettingsChanged

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_a_new_organisation_publishes_its_name_and_default_settings_as_revision_one() -> None:
    organisation = Organisation.found("  Acme Buying  ", NOW)
    [event] = organisation.events
    assert isinstance(event, OrganisationSettingsChanged)
    assert (event.tenant_id, event.name, event.revision, event.updated_at) == (organisation.id, "Acme Buying", 1, NOW)
    assert event.supplier_portal_enabled is True and event.invoice_issue_date_required is False
    assert Organisation.found("Acme Buying", NOW).id != organisation.id


@pytest.mark.parametrize("name", ["", "   ", "x" * 301, "Acme\r\nBcc: victim@example.com", "Acme\x00"])
def test_an_organisation_name_must_be_printable_and_at_most_300_characters(name: str) -> None:
    with pytest.raises(InvalidName):
        Organisation.found(name, NOW)


def test_a_name_keeps_its_letters_and_loses_surrounding_blanks() -> None:
    assert clean_name(" Zoë & Søn GmbH ", "organisation name") == "Zoë & Søn GmbH"
    assert clean_name("x" * 300, "organisation name") == "x" * 300


def test_only_buyer_roles_can_be_given_to_an_organisations_user() -> None:
    assert ensure_buyer_role("buyer_admin") == "buyer_admin"
    assert ensure_buyer_role("buyer_user") == "buyer_user"
    for role in ("supplier", "admin", ""):
        with pytest.raises(UnknownRole, match="buyer_admin, buyer_user"):
            ensure_buyer_role(role)


def test_a_password_needs_eight_characters() -> None:
    ensure_strong_password("12345678")
    with pytest.raises(WeakPassword):
        ensure_strong_password("1234567")


def test_a_new_organisation_gives_thirty_days_to_pay_and_reminds_after_two_days() -> None:
    [event] = Organisation.found("Acme Buying", NOW).events
    assert isinstance(event, OrganisationSettingsChanged)
    assert (event.default_payment_terms_days, event.approval_reminder_days) == (30, 2)


def test_a_blank_detail_of_the_organisation_clears_it_and_surrounding_blanks_go() -> None:
    organisation = Organisation.found("Acme Buying", NOW)
    organisation.change({"legal_name": "  Acme Buying Ltd  ", "tax_id": "GB123"}, NOW)
    organisation.change({"tax_id": "   "}, NOW)
    assert (organisation.legal_name, organisation.tax_id, organisation.revision) == ("Acme Buying Ltd", None, 3)
