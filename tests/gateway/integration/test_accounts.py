"""Accounts that end and change, on real PostgreSQL and a real broker: sign-out and switching a
user off answer 401 on the very next request; passwords change and reset by email; a login email
changes through a confirmation; colleagues are invited; a fresh invitation voids the old link."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from gateway.bootstrap import bootstrap
from gateway.config import Settings
from portal_dev.testing import poll_until, running
from shared.contracts.suppliers import SupplierPortalDeactivated, SupplierUpdated
from tests.gateway.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, link_token
from tests.gateway.integration.test_identity import activation, publish, read, sign_in

API = "/api/v1"


@pytest.fixture
async def gateway(gateway_settings: Callable[..., Settings]) -> AsyncIterator[httpx.AsyncClient]:
    settings = gateway_settings(
        public_url="https://portal.example", consumer_retry_backoff_s=0.05, password_resets_per_ip=4
    )
    async with running(bootstrap(settings)) as client:
        yield client


async def new_buyer_user(gateway: httpx.AsyncClient, admin: dict[str, str]) -> tuple[str, dict[str, str]]:
    email = f"u-{uuid.uuid4().hex[:8]}@buyer.example"
    body = {"email": email, "name": "U", "password": "user-password", "role": "buyer_user"}
    created = await gateway.post(f"{API}/users", json=body, headers=admin)
    assert created.status_code == 201, created.text
    return created.json()["id"], await sign_in(gateway, email, "user-password")


async def supplier_account(gateway: httpx.AsyncClient, broker: str) -> tuple[uuid.UUID, dict[str, str]]:
    """A supplier record of the admin's organisation, activated, and its contact's account."""
    admin = await sign_in(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    tenant_id = uuid.UUID((await gateway.get(f"{API}/me", headers=admin)).json()["tenant_id"])
    supplier_id = uuid.uuid4()
    await publish(broker, activation(supplier_id, tenant_id))
    [invitation] = await read(broker, "gateway.invitation.v1", 1)
    token = link_token(invitation["data"], "accept_url")
    accepted = await gateway.post(f"{API}/auth/invitations/{token}/accept", json={"password": "supplier-pass"})
    assert accepted.status_code == 201, accepted.text
    return supplier_id, {"Authorization": f"Bearer {accepted.json()['access_token']}"}


async def test_a_signed_out_token_answers_401_on_the_very_next_request_and_others_keep_working(
    gateway: httpx.AsyncClient,
) -> None:
    first = await sign_in(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    second = await sign_in(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert (await gateway.post(f"{API}/auth/logout", headers=first)).status_code == 204
    refused = await gateway.get(f"{API}/me", headers=first)
    assert refused.status_code == 401 and refused.headers["content-type"] == "application/problem+json"
    assert (await gateway.get(f"{API}/suppliers", headers=first)).status_code == 401  # forwarded routes too
    assert (await gateway.get(f"{API}/me", headers=second)).status_code == 200


async def test_a_disabled_user_is_refused_at_once_and_signs_in_again_once_enabled(gateway: httpx.AsyncClient) -> None:
    admin = await sign_in(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    user_id, user = await new_buyer_user(gateway, admin)
    disabled = await gateway.post(f"{API}/users/{user_id}/disable", headers=admin)
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    assert (await gateway.get(f"{API}/me", headers=user)).status_code == 401
    listed = {u["id"]: u["active"] for u in (await gateway.get(f"{API}/users", headers=admin)).json()["items"]}
    assert listed[user_id] is False
    email = (await gateway.get(f"{API}/users", headers=admin)).json()["items"]
    address = next(u["email"] for u in email if u["id"] == user_id)
    refused = await gateway.post(f"{API}/auth/token", json={"email": address, "password": "user-password"})
    assert refused.status_code == 401
    assert (await gateway.post(f"{API}/users/{user_id}/enable", headers=admin)).json()["active"] is True
    await sign_in(gateway, address, "user-password")


async def test_nobody_switches_off_their_own_account_and_a_buyer_user_none_at_all(gateway: httpx.AsyncClient) -> None:
    admin = await sign_in(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    admin_id = (await gateway.get(f"{API}/me", headers=admin)).json()["user_id"]
    own = await gateway.post(f"{API}/users/{admin_id}/disable", headers=admin)
    assert own.status_code == 409
    _, user = await new_buyer_user(gateway, admin)
    assert (await gateway.post(f"{API}/users/{admin_id}/disable", headers=user)).status_code == 403
    assert (await gateway.post(f"{API}/users/{uuid.uuid4()}/disable", headers=admin)).status_code == 404


async def test_a_password_change_needs_the_current_one_and_ends_every_other_token(gateway: httpx.AsyncClient) -> None:
    admin = await sign_in(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    _, user = await new_buyer_user(gateway, admin)
    other_session = dict(user)
    me = (await gateway.get(f"{API}/me", headers=user)).json()
    wrong = await gateway.post(
        f"{API}/me/password", json={"current_password": "not-it-at-all", "new_password": "brand-new-pass"}, headers=user
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "current_password"
    weak = await gateway.post(
        f"{API}/me/password", json={"current_password": "user-password", "new_password": "short"}, headers=user
    )
    assert weak.status_code == 422
    changed = await gateway.post(
        f"{API}/me/password", json={"current_password": "user-password", "new_password": "brand-new-pass"}, headers=user
    )
    assert changed.status_code == 200, changed.text
    fresh = {"Authorization": f"Bearer {changed.json()['access_token']}"}
    assert (await gateway.get(f"{API}/me", headers=fresh)).status_code == 200
    assert (await gateway.get(f"{API}/me", headers=other_session)).status_code == 401
    old = await gateway.post(f"{API}/auth/token", json={"email": me["email"], "password": "user-password"})
    assert old.status_code == 401
    await sign_in(gateway, me["email"], "brand-new-pass")


async def test_a_reset_link_by_email_sets_a_new_password_once_and_ends_every_token(
    gateway: httpx.AsyncClient, broker: str
) -> None:
    admin = await sign_in(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    unknown = await gateway.post(f"{API}/auth/password-reset", json={"email": "nobody@buyer.example"})
    known = await gateway.post(f"{API}/auth/password-reset", json={"email": ADMIN_EMAIL.upper()})
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()
    [requested] = await read(broker, "gateway.account.v1", 1)
    assert requested["type"] == "PasswordResetRequested" and requested["data"]["email"] == ADMIN_EMAIL
    # The event carries the link with its token withheld, and the whole link sealed.
    assert requested["data"]["reset_url"] == "https://portal.example/password-reset/link-withheld"
    token = link_token(requested["data"], "reset_url")
    assert token not in str(requested)

    assert (await gateway.post(f"{API}/auth/password-reset/{token}", json={"password": "short"})).status_code == 422
    done = await gateway.post(f"{API}/auth/password-reset/{token}", json={"password": "reset-password-1"})
    assert done.status_code == 204
    assert (await gateway.get(f"{API}/me", headers=admin)).status_code == 401
    again = await gateway.post(f"{API}/auth/password-reset/{token}", json={"password": "reset-password-2"})
    assert again.status_code == 404
    await sign_in(gateway, ADMIN_EMAIL, "reset-password-1")


async def test_reset_requests_are_throttled_per_client_address(gateway: httpx.AsyncClient) -> None:
    answers = [
        (await gateway.post(f"{API}/auth/password-reset", json={"email": f"n{i}@buyer.example"})).status_code
        for i in range(5)
    ]
    assert answers == [202, 202, 202, 202, 429]


async def test_a_new_login_email_counts_once_its_confirmation_link_is_opened(
    gateway: httpx.AsyncClient, broker: str
) -> None:
    admin = await sign_in(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    _, user = await new_buyer_user(gateway, admin)
    me = (await gateway.get(f"{API}/me", headers=user)).json()
    wrong = await gateway.post(
        f"{API}/me/email", json={"email": "new@buyer.example", "password": "nope-nope"}, headers=user
    )
    assert wrong.status_code == 422
    taken = await gateway.post(
        f"{API}/me/email", json={"email": ADMIN_EMAIL, "password": "user-password"}, headers=user
    )
    assert taken.status_code == 409
    asked = await gateway.post(
        f"{API}/me/email", json={"email": "New@Buyer.example", "password": "user-password"}, headers=user
    )
    assert asked.status_code == 202
    [requested] = await read(broker, "gateway.account.v1", 1)
    assert requested["data"]["new_email"] == "new@buyer.example"
    assert requested["data"]["current_email"] == me["email"]
    # Nothing changes before the link is opened.
    await sign_in(gateway, me["email"], "user-password")
    token = link_token(requested["data"], "confirm_url")
    confirmed = await gateway.post(f"{API}/auth/email-change/{token}")
    assert confirmed.status_code == 200 and confirmed.json() == {"email": "new@buyer.example"}
    assert (await gateway.post(f"{API}/auth/email-change/{token}")).status_code == 404
    await sign_in(gateway, "new@buyer.example", "user-password")
    old = await gateway.post(f"{API}/auth/token", json={"email": me["email"], "password": "user-password"})
    assert old.status_code == 401


async def test_a_colleague_is_invited_to_the_same_records_signs_in_and_can_be_switched_off(
    gateway: httpx.AsyncClient, broker: str
) -> None:
    supplier_id, supplier = await supplier_account(gateway, broker)
    invited = await gateway.post(
        f"{API}/portal/users", json={"email": "Colleague@Acme.example", "name": "Cole League"}, headers=supplier
    )
    assert invited.status_code == 201, invited.text
    listed = (await gateway.get(f"{API}/portal/users", headers=supplier)).json()
    assert [i["email"] for i in listed["invitations"]] == ["colleague@acme.example"]
    [_, invitation] = await read(broker, "gateway.invitation.v1", 2)
    assert invitation["data"]["invited_by"] == "Acme Tools"
    token = link_token(invitation["data"], "accept_url")
    accepted = await gateway.post(f"{API}/auth/invitations/{token}/accept", json={"password": "colleague-pass"})
    assert accepted.status_code == 201
    colleague = await sign_in(gateway, "colleague@acme.example", "colleague-pass")
    colleague_me = (await gateway.get(f"{API}/me", headers=colleague)).json()
    assert colleague_me["supplier_ids"] == [str(supplier_id)] and colleague_me["name"] == "Cole League"

    listed = (await gateway.get(f"{API}/portal/users", headers=supplier)).json()
    assert sorted(u["email"] for u in listed["items"]) == ["colleague@acme.example", "sales@acme.example"]
    assert listed["invitations"] == []
    own_id = (await gateway.get(f"{API}/me", headers=supplier)).json()["user_id"]
    assert (await gateway.post(f"{API}/portal/users/{own_id}/disable", headers=supplier)).status_code == 409
    off = await gateway.post(f"{API}/portal/users/{colleague_me['user_id']}/disable", headers=supplier)
    assert off.status_code == 200 and off.json()["active"] is False
    assert (await gateway.get(f"{API}/me", headers=colleague)).status_code == 401
    admin = await sign_in(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert (await gateway.get(f"{API}/portal/users", headers=admin)).status_code == 403
    assert (await gateway.post(f"{API}/portal/users/{own_id}/disable", headers=admin)).status_code == 403


async def test_a_fresh_invitation_voids_the_earlier_link_and_so_does_a_deactivation(
    gateway: httpx.AsyncClient, broker: str
) -> None:
    admin = await sign_in(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    tenant_id = uuid.UUID((await gateway.get(f"{API}/me", headers=admin)).json()["tenant_id"])
    supplier_id = uuid.uuid4()
    await publish(broker, activation(supplier_id, tenant_id))
    [first] = await read(broker, "gateway.invitation.v1", 1)

    async def known() -> bool:
        answer = await gateway.post(f"{API}/suppliers/{supplier_id}/portal/invite", headers=admin)
        return answer.status_code == 201

    await poll_until(known, what="the gateway knows the supplier")
    [_, second] = await read(broker, "gateway.invitation.v1", 2)
    old_token = link_token(first["data"], "accept_url")
    new_token = link_token(second["data"], "accept_url")
    refused = await gateway.post(f"{API}/auth/invitations/{old_token}/accept", json={"password": "supplier-pass"})
    assert refused.status_code == 404
    assert (await gateway.post(f"{API}/suppliers/{uuid.uuid4()}/portal/invite", headers=admin)).status_code == 404

    deactivated = SupplierPortalDeactivated(
        **{
            **activation(supplier_id, tenant_id).model_dump(exclude={"first_activation"}),
            "portal_status": "inactive",
            "revision": 3,
        }
    )
    await publish(broker, deactivated)

    async def voided() -> bool:
        answer = await gateway.post(f"{API}/suppliers/{supplier_id}/portal/invite", headers=admin)
        return answer.status_code == 409

    await poll_until(voided, what="the deactivation heard of")
    late = await gateway.post(f"{API}/auth/invitations/{new_token}/accept", json={"password": "supplier-pass"})
    assert late.status_code == 404


async def test_a_new_email_for_the_supplier_voids_the_invitation_sent_to_the_old_one(
    gateway: httpx.AsyncClient, broker: str
) -> None:
    supplier_id, tenant_id = uuid.uuid4(), uuid.uuid4()
    await publish(broker, activation(supplier_id, tenant_id))
    [first] = await read(broker, "gateway.invitation.v1", 1)
    token = link_token(first["data"], "accept_url")
    moved = SupplierUpdated(
        **{
            **activation(supplier_id, tenant_id).model_dump(exclude={"first_activation"}),
            "email": "accounts@acme.example",
            "revision": 3,
        }
    )
    await publish(broker, moved)
    # An event of the same record after it (same key, so in order): once the gateway has sent
    # the invitation it asks for, it has heard of the new address.
    marker = activation(supplier_id, tenant_id, revision=4).model_copy(update={"email": "accounts@acme.example"})
    await publish(broker, marker)
    [_, second] = await read(broker, "gateway.invitation.v1", 2)
    assert second["data"]["email"] == "accounts@acme.example"
    refused = await gateway.post(f"{API}/auth/invitations/{token}/accept", json={"password": "supplier-pass"})
    assert refused.status_code == 404
