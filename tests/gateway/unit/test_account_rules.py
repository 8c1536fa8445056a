"""Who may switch whose account off, and single-use account links by email."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from gateway.domain.accounts import AccountLink, ensure_may_disable
from gateway.domain.errors import CannotDisableAccount, UserNotFound
from gateway.domain.model import User, token_digest
from portal_dev.testing import link_keys
from shared.auth import Principal
from shared.contracts.identity import LoginEmailChangeRequested, PasswordResetRequested
from shared.errors import Forbidden

LINKS, OPENER = link_keys("https://portal.example/")

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
TENANT = uuid.uuid4()


def buyer(role: str = "buyer_user", tenant: uuid.UUID = TENANT) -> User:
    return User.register(
        email=f"{uuid.uuid4().hex[:6]}@b.example", name="B", role=role, password_hash="h", now=NOW, tenant_id=tenant
    )  # type: ignore[arg-type]


def supplier_user(*records: uuid.UUID) -> User:
    return User.register(
        email=f"{uuid.uuid4().hex[:6]}@s.example",
        name="S",
        role="supplier",
        password_hash="h",
        now=NOW,
        supplier_ids=set(records),
    )


def as_caller(user: User) -> Principal:
    return user.principal()


def test_a_buyer_admin_switches_off_users_of_its_own_organisation_only() -> None:
    admin = buyer("buyer_admin")
    ensure_may_disable(as_caller(admin), buyer())
    with pytest.raises(UserNotFound):
        ensure_may_disable(as_caller(admin), buyer(tenant=uuid.uuid4()))
    with pytest.raises(UserNotFound):
        ensure_may_disable(as_caller(admin), supplier_user(uuid.uuid4()))


def test_a_buyer_user_switches_nobody_off() -> None:
    with pytest.raises(Forbidden):
        ensure_may_disable(as_caller(buyer()), buyer())


def test_nobody_switches_off_their_own_account() -> None:
    for user in (buyer("buyer_admin"), supplier_user(uuid.uuid4())):
        with pytest.raises(CannotDisableAccount):
            ensure_may_disable(as_caller(user), user)


def test_a_supplier_user_switches_off_colleagues_who_work_only_on_its_records() -> None:
    shared, elsewhere = uuid.uuid4(), uuid.uuid4()
    caller = as_caller(supplier_user(shared))
    ensure_may_disable(caller, supplier_user(shared))
    with pytest.raises(CannotDisableAccount):
        ensure_may_disable(caller, supplier_user(shared, elsewhere))
    with pytest.raises(UserNotFound):
        ensure_may_disable(caller, supplier_user(elsewhere))
    with pytest.raises(UserNotFound):
        ensure_may_disable(caller, buyer())


def test_a_reset_link_is_stored_as_a_digest_used_once_and_expires() -> None:
    user = buyer()
    link = AccountLink.password_reset(user, links=LINKS, now=NOW, ttl=timedelta(hours=1))
    [event] = link.events
    assert isinstance(event, PasswordResetRequested) and event.email == user.email
    assert event.reset_url == "https://portal.example/password-reset/link-withheld" and event.reset_url_sealed
    token = OPENER.open(event.reset_url_sealed).removeprefix("https://portal.example/password-reset/")
    assert token not in event.model_dump_json()
    assert link.token_digest == token_digest(token) and token not in link.token_digest
    assert link.usable(NOW + timedelta(minutes=59)) and not link.usable(NOW + timedelta(hours=1))
    link.use(NOW)
    assert not link.usable(NOW)


def test_an_email_change_link_goes_to_the_new_address_normalised() -> None:
    user = buyer()
    link = AccountLink.email_change(user, " New@B.example ", links=LINKS, now=NOW, ttl=timedelta(days=1))
    [event] = link.events
    assert isinstance(event, LoginEmailChangeRequested)
    assert (event.new_email, event.current_email) == ("new@b.example", user.email)
    assert event.confirm_url == "https://portal.example/email-change/link-withheld" and event.confirm_url_sealed
    assert OPENER.open(event.confirm_url_sealed).startswith("https://portal.example/email-change/")
    assert link.new_email == "new@b.example"


def test_switching_a_user_off_and_on_publishes_the_user_each_time() -> None:
    user = buyer()
    user.events.clear()
    user.disable(NOW)
    user.disable(NOW)  # already off: nothing new
    user.enable(NOW)
    assert [e.active for e in user.events] == [False, True]  # type: ignore[attr-defined]
