"""What the account pages decide on their own: the reason the sign-in page gives, the switch a
row of the users' and colleagues' lists offers, the account a redirect's message may name, and
when a session on a fresh token ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st

from web.domain.accounts import SIGN_IN_NOTICES, by_name, named, sign_in_notice, switch_action
from web.domain.sessions import session_expiry


def test_the_sign_in_page_says_why_the_person_is_there_and_nothing_without_a_reason() -> None:
    assert sign_in_notice({}) is None
    assert sign_in_notice({"ended": "0", "next": "/invoices"}) is None
    ended = sign_in_notice({"ended": "1", "next": "/invoices"})
    assert ended is not None and ended.kind == "warning" and "switched off" in ended.text
    assert sign_in_notice({"signed_out": "1"}) == SIGN_IN_NOTICES["signed_out"]
    reset = sign_in_notice({"password_reset": "1"})
    assert reset is not None and reset.kind == "success" and "new one" in reset.text


@given(active=st.booleans(), own=st.booleans())
def test_a_row_offers_the_opposite_switch_and_none_on_ones_own_account(active: bool, own: bool) -> None:
    person = str(uuid4())
    account = {"id": person if own else str(uuid4()), "name": "Sam", "active": active}
    action = switch_action(person, account)
    if own:
        assert action is None
    else:
        assert action == ("disable" if active else "enable")


def test_an_account_without_a_state_counts_as_active() -> None:
    assert switch_action(str(uuid4()), {"id": str(uuid4())}) == "disable"


def test_accounts_are_listed_by_name_then_email_whatever_the_case() -> None:
    accounts = [
        {"name": "bea", "email": "b2@x.example"},
        {"name": "Al", "email": "a@x.example"},
        {"name": "Bea", "email": "b1@x.example"},
    ]
    assert [a["email"] for a in by_name(accounts)] == ["a@x.example", "b1@x.example", "b2@x.example"]


def test_a_message_names_only_an_account_the_page_lists() -> None:
    invitations = [{"email": "sam@supplier.example", "name": "Sam"}]
    assert named(invitations, "email", "SAM@supplier.example") == invitations[0]
    assert named(invitations, "email", "someone@else.example") is None
    assert named(invitations, "email", "") is None


@given(expires_in=st.integers(min_value=0, max_value=7 * 24 * 3600))
def test_a_session_ends_before_its_token_and_lasts_a_minute_at_least(expires_in: int) -> None:
    moment = datetime(2027, 6, 15, 12, 0, tzinfo=UTC)
    ends = session_expiry(moment, expires_in)
    assert ends >= moment + timedelta(minutes=1)
    if expires_in > 90:
        assert ends < moment + timedelta(seconds=expires_in)
