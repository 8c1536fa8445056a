"""The first start's admin address is one the sign-in form takes: refused at start otherwise, with
the variable named and why, never an organisation nobody can enter."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gateway.config import Settings
from shared.auth import sign_in_email_refusal


@pytest.mark.parametrize("address", ["admin@example.com", "admin@buyer.example", " Admin@Acme.co.uk "])
def test_an_address_the_sign_in_form_takes_is_taken(address: str) -> None:
    assert sign_in_email_refusal(address) is None
    assert Settings(admin_email=address).admin_email == address


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("admin@portal.test", "special-use or reserved name"),
        ("admin@localhost", "should have a period"),
        ("admin", "must have an @-sign"),
        ("", "must have an @-sign"),
    ],
)
def test_an_address_the_sign_in_form_refuses_is_refused_at_start_naming_the_variable(address: str, why: str) -> None:
    refusal = sign_in_email_refusal(address)
    assert refusal is not None and why in refusal
    with pytest.raises(ValidationError) as refused:
        Settings(admin_email=address)
    message = str(refused.value)
    assert "PORTAL_ADMIN_EMAIL" in message and repr(address) in message and why in message


def test_the_environment_variable_is_checked_as_the_gateway_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_ADMIN_EMAIL", "ops@portal.test")
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert "PORTAL_ADMIN_EMAIL 'ops@portal.test' cannot sign in" in str(refused.value)
