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
