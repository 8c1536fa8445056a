"""Identity rules: invitations are single-use and expire, tokens carry only active suppliers."""

import uuid
from datetime import UTC, datetime, timedelta

from gateway.domain.model import Invitation, SupplierAccess, User, normalise_email, token_digest
from portal_dev.testing import link_keys
from shared.contracts.identity import SupplierInvitationIssued, UserRegistered, UserUpdated

LINKS, OPENER = link_keys("https://portal.example/")

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def invitation() -> Invitation:
    return Invitation.issue(
        tenant_id=uuid.uuid4(),
        supplier_id=uuid.uuid4(),
        supplier_name="Acme",
        email=" Sales@Acme.Example ",
        links=LINKS,
        now=NOW,
        ttl=timedelta(days=14),
    )


def test_an_invitation_link_ends_in_its_token_and_only_the_digest_is_kept() -> None:
    issued = invitation()
    [event] = issued.events
    assert isinstance(event, SupplierInvitationIssued)
    assert event.accept_url == "https://portal.example/invitations/link-withheld"
    assert event.accept_url_sealed is not None
    link = OPENER.open(event.accept_url_sealed)
    assert link.startswith("https://portal.example/invitations/")
    token = link.rsplit("/invitations/", 1)[1]
    assert token not in event.model_dump_json()
    assert len(token) >= 40
    assert issued.token_digest == token_digest(token) and token not in issued.token_digest
    assert issued.email == "sales@acme.example"


def test_an_invitation_is_usable_once_and_until_it_expires() -> None:
    issued = invitation()
    assert issued.usable(NOW + timedelta(days=13))
    assert not issued.usable(NOW + timedelta(days=14))
    issued.accept(uuid.uuid4(), NOW)
    assert not issued.usable(NOW)


def test_a_supplier_user_token_carries_only_suppliers_whose_portal_is_active() -> None:
    active, inactive = uuid.uuid4(), uuid.uuid4()
    user = User.register(
        email="s@x.example", name="S", role="supplier", password_hash="h", now=NOW, supplier_ids={active, inactive}
    )
    assert user.principal(SupplierAccess({active}, set())).supplier_ids == frozenset({active})
    assert user.principal().supplier_ids == frozenset({active, inactive})


def test_a_record_whose_buyer_switched_the_portal_off_stays_in_the_token_marked_restricted() -> None:
    open_record, switched_off, inactive = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    user = User.register(
        email="s@x.example",
        name="S",
        role="supplier",
        password_hash="h",
        now=NOW,
        supplier_ids={open_record, switched_off, inactive},
    )
    principal = user.principal(SupplierAccess({open_record, switched_off}, {switched_off, inactive}))
    assert principal.supplier_ids == frozenset({open_record, switched_off})
    assert principal.restricted_supplier_ids == frozenset({switched_off})
    assert principal.is_restricted(switched_off) and not principal.is_restricted(open_record)


def test_a_new_password_moves_the_token_generation_on() -> None:
    user = User.register(email="b@x.example", name="B", role="buyer_user", password_hash="h1", now=NOW)
    before = user.principal().generation
    user.change_password("h2", NOW)
    assert user.password_hash == "h2"
    assert user.principal().generation == before + 1


def test_registering_and_linking_publish_the_user_without_credentials() -> None:
    user = User.register(email="B@X.example", name="B", role="buyer_user", password_hash="secret-hash", now=NOW)
    user.link_supplier(uuid.uuid4(), NOW)
    user.link_supplier(next(iter(user.supplier_ids)), NOW)  # already linked: nothing new
    assert [type(e) for e in user.events] == [UserRegistered, UserUpdated]
    assert all("secret-hash" not in e.model_dump_json() for e in user.events)
    assert normalise_email(" A@B.C ") == "a@b.c"
