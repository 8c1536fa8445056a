"""The gateway on real PostgreSQL and a real broker: sign-in, users, invitations, routing."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from gateway.bootstrap import bootstrap
from gateway.config import Settings
from portal_dev.testing import on_cluster, poll_until, read_topic, running
from shared.contracts import Envelope
from shared.contracts.suppliers import SupplierPortalActivated, SupplierPortalDeactivated
from tests.gateway.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, link_token


@pytest.fixture
async def gateway(gateway_settings: Callable[..., Settings]) -> AsyncIterator[httpx.AsyncClient]:
    settings = gateway_settings(public_url="https://portal.example", consumer_retry_backoff_s=0.05)
    async with running(bootstrap(settings)) as client:
        yield client


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    response = await client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def publish(bootstrap_servers: str, *payloads) -> None:  # type: ignore[no-untyped-def]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, acks="all")
    await producer.start()
    try:
        for payload in payloads:
            envelope = Envelope.wrap(payload, tenant_id=payload.tenant_id, producer="test")
            await producer.send_and_wait(
                on_cluster(payload.topic), envelope.model_dump_json().encode(), key=payload.key().encode()
            )
    finally:
        await producer.stop()


async def read(bootstrap_servers: str, topic: str, count: int) -> list[dict]:
    return [json.loads(record.value) for record in await read_topic(bootstrap_servers, topic, count)]


def activation(
    supplier_id: uuid.UUID, tenant_id: uuid.UUID, *, first: bool = True, revision: int = 2
) -> SupplierPortalActivated:
    return SupplierPortalActivated(
        supplier_id=supplier_id,
        tenant_id=tenant_id,
        name="Acme Tools",
        email="Sales@Acme.example",
        currency="EUR",
        tolerance_rate=Decimal(5),
        portal_status="active",
        revision=revision,
        updated_at=datetime.now(UTC),
        first_activation=first,
    )


async def test_admin_signs_in_and_sees_itself(gateway: httpx.AsyncClient) -> None:
    auth = await sign_in(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    me = (await gateway.get("/api/v1/me", headers=auth)).json()
    assert me["role"] == "buyer_admin" and me["email"] == ADMIN_EMAIL and me["tenant_id"]


async def test_wrong_password_and_unknown_email_get_the_same_401(gateway: httpx.AsyncClient) -> None:
    wrong = await gateway.post("/api/v1/auth/token", json={"email": ADMIN_EMAIL, "password": "nope-nope"})
    unknown = await gateway.post("/api/v1/auth/token", json={"email": "who@x.example", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert wrong.headers["content-type"] == "application/problem+json"


async def test_admin_creates_buyer_users_and_the_user_event_is_published(
    gateway: httpx.AsyncClient, broker: str
) -> None:
    auth = await sign_in(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    body = {"email": "buyer@buyer.example", "name": "Bea Buyer", "password": "buyer-password", "role": "buyer_user"}
    assert (await gateway.post("/api/v1/users", json=body, headers=auth)).status_code == 201
    assert (await gateway.post("/api/v1/users", json=body, headers=auth)).status_code == 409
    user_auth = await sign_in(gateway, "buyer@buyer.example", "buyer-password")
    other = {**body, "email": "x@buyer.example"}
    assert (await gateway.post("/api/v1/users", json=other, headers=user_auth)).status_code == 403
    weak = {**body, "email": "y@buyer.example", "password": "short"}
    assert (await gateway.post("/api/v1/users", json=weak, headers=auth)).status_code == 422

    events = await read(broker, "gateway.user.v1", 2)
    assert {e["data"]["email"] for e in events} == {ADMIN_EMAIL, "buyer@buyer.example"}
    assert all("password" not in json.dumps(e) for e in events)


async def test_first_portal_activation_invites_and_the_invitation_makes_a_supplier_user(
    gateway: httpx.AsyncClient, broker: str
) -> None:
    supplier_id, tenant_id = uuid.uuid4(), uuid.uuid4()
    await publish(broker, activation(supplier_id, tenant_id))
    [invitation] = await read(broker, "gateway.invitation.v1", 1)
    # The event carries the link with its token withheld, and the whole link sealed.
    assert invitation["data"]["accept_url"] == "https://portal.example/invitations/link-withheld"
    token = link_token(invitation["data"], "accept_url")
    assert token not in str(invitation)

    accepted = await gateway.post(f"/api/v1/auth/invitations/{token}/accept", json={"password": "supplier-pass"})
    assert accepted.status_code == 201, accepted.text
    auth = {"Authorization": f"Bearer {accepted.json()['access_token']}"}
    me = (await gateway.get("/api/v1/me", headers=auth)).json()
    assert me["role"] == "supplier" and me["supplier_ids"] == [str(supplier_id)] and me["tenant_id"] is None

    again = await gateway.post(f"/api/v1/auth/invitations/{token}/accept", json={"password": "supplier-pass"})
    assert again.status_code == 404
    assert (
        await gateway.post("/api/v1/auth/invitations/forged/accept", json={"password": "whatever1"})
    ).status_code == 404
    await sign_in(gateway, "sales@acme.example", "supplier-pass")


async def test_a_redelivered_activation_sends_one_invitation_and_reactivation_none(
    gateway: httpx.AsyncClient, broker: str
) -> None:
    supplier_id, tenant_id = uuid.uuid4(), uuid.uuid4()
    first = activation(supplier_id, tenant_id)
    envelope = Envelope.wrap(first, tenant_id=tenant_id, producer="test")
    producer = AIOKafkaProducer(bootstrap_servers=broker, acks="all")
    await producer.start()
    try:
        for _ in range(2):  # the same event delivered twice
            await producer.send_and_wait(
                on_cluster(first.topic), envelope.model_dump_json().encode(), key=first.key().encode()
            )
    finally:
        await producer.stop()
    deactivated = SupplierPortalDeactivated(
        **{**first.model_dump(exclude={"first_activation"}), "portal_status": "inactive", "revision": 3}
    )
    await publish(broker, deactivated, activation(supplier_id, tenant_id, first=False, revision=4))
    marker_supplier = uuid.uuid4()
    await publish(broker, activation(marker_supplier, tenant_id))
    invitations = await read(broker, "gateway.invitation.v1", 2)
    assert sorted(i["data"]["supplier_id"] for i in invitations) == sorted([str(supplier_id), str(marker_supplier)])


async def test_a_deactivated_portal_drops_the_supplier_from_the_token_on_the_next_request(
    gateway: httpx.AsyncClient, broker: str
) -> None:
    supplier_id, tenant_id = uuid.uuid4(), uuid.uuid4()
    await publish(broker, activation(supplier_id, tenant_id))
    [invitation] = await read(broker, "gateway.invitation.v1", 1)
    token = link_token(invitation["data"], "accept_url")
    await gateway.post(f"/api/v1/auth/invitations/{token}/accept", json={"password": "supplier-pass"})
    auth = await sign_in(gateway, "sales@acme.example", "supplier-pass")
    assert (await gateway.get("/api/v1/me", headers=auth)).json()["supplier_ids"] == [str(supplier_id)]
    deactivated = SupplierPortalDeactivated(
        **{
            **activation(supplier_id, tenant_id).model_dump(exclude={"first_activation"}),
            "portal_status": "inactive",
            "revision": 3,
        }
    )
    await publish(broker, deactivated)

    async def dropped() -> bool:
        return (await gateway.get("/api/v1/me", headers=auth)).json()["supplier_ids"] == []

    # The same token: as soon as the gateway has heard of the deactivation.
    await poll_until(dropped, what="supplier dropped from the token")
    fresh = await sign_in(gateway, "sales@acme.example", "supplier-pass")
    assert (await gateway.get("/api/v1/me", headers=fresh)).json()["supplier_ids"] == []


async def test_routes_unknown_paths_to_404_and_unreachable_services_to_503(gateway: httpx.AsyncClient) -> None:
    auth = await sign_in(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    unknown = await gateway.get("/api/v1/nothing-here", headers=auth)
    assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"
    down = await gateway.get("/api/v1/suppliers", headers=auth)
    assert down.status_code == 503 and down.json()["status"] == 503
    health = await gateway.get("/api/v1/health")
    assert health.status_code == 503 and health.json()["services"]["orders"]["status"] == "unreachable"


async def test_organisation_settings_are_published_first_and_on_every_change(
    gateway: httpx.AsyncClient, broker: str
) -> None:
    auth = await sign_in(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    first = await gateway.patch("/api/v1/settings", json={"invoice_issue_date_required": True}, headers=auth)
    assert first.status_code == 200 and first.json()["invoice_issue_date_required"] is True
    same = await gateway.patch("/api/v1/settings", json={"invoice_issue_date_required": True}, headers=auth)
    assert same.status_code == 200
    assert (
        await gateway.patch("/api/v1/settings", json={"tenant_id": str(uuid.uuid4())}, headers=auth)
    ).status_code == 422
    events = await read(broker, "gateway.organisation.v1", 2)
    assert [e["data"]["revision"] for e in events] == [1, 2]
    assert [e["data"]["invoice_issue_date_required"] for e in events] == [False, True]
    assert events[0]["data"]["name"] == "Buyer organisation"
    user = {"email": "u@buyer.example", "name": "U", "password": "user-password", "role": "buyer_user"}
    await gateway.post("/api/v1/users", json=user, headers=auth)
    user_auth = await sign_in(gateway, "u@buyer.example", "user-password")
    assert (
        await gateway.patch("/api/v1/settings", json={"supplier_portal_enabled": False}, headers=user_auth)
    ).status_code == 403


async def test_switching_the_portal_off_restricts_the_tenants_suppliers_at_once_until_it_is_on_again(
    gateway: httpx.AsyncClient, broker: str
) -> None:
    auth = await sign_in(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    tenant_id = uuid.UUID((await gateway.get("/api/v1/me", headers=auth)).json()["tenant_id"])
    supplier_id = uuid.uuid4()
    await publish(broker, activation(supplier_id, tenant_id))
    [invitation] = await read(broker, "gateway.invitation.v1", 1)
    token = link_token(invitation["data"], "accept_url")
    await gateway.post(f"/api/v1/auth/invitations/{token}/accept", json={"password": "supplier-pass"})
    supplier = await sign_in(gateway, "sales@acme.example", "supplier-pass")

    async def access() -> tuple[list[str], list[str]]:
        me = (await gateway.get("/api/v1/me", headers=supplier)).json()
        return me["supplier_ids"], me["restricted_supplier_ids"]

    assert await access() == ([str(supplier_id)], [])
    await gateway.patch("/api/v1/settings", json={"supplier_portal_enabled": False}, headers=auth)
    # The same token, on the very next request: the record stays, restricted.
    assert await access() == ([str(supplier_id)], [str(supplier_id)])
    await gateway.patch("/api/v1/settings", json={"supplier_portal_enabled": True}, headers=auth)
    assert await access() == ([str(supplier_id)], [])


async def test_the_portal_summary_needs_a_token_and_the_services_behind_it(gateway: httpx.AsyncClient) -> None:
    assert (await gateway.get("/api/v1/portal/summary")).status_code == 401
    auth = await sign_in(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    down = await gateway.get("/api/v1/portal/summary", headers=auth)
    assert down.status_code == 503 and down.headers["content-type"] == "application/problem+json"


async def test_payment_terms_reminders_and_the_organisations_details_are_kept_answered_and_published(
    gateway: httpx.AsyncClient, broker: str
) -> None:
    auth = await sign_in(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    defaults = (await gateway.get("/api/v1/settings", headers=auth)).json()
    assert (defaults["default_payment_terms_days"], defaults["approval_reminder_days"]) == (30, 2)
    assert defaults["legal_name"] is None and defaults["address"] is None
    details = {
        "default_payment_terms_days": 45,
        "approval_reminder_days": 3,
        "legal_name": " Buyer Organisation GmbH ",
        "address": "Hauptstrasse 1\n10115 Berlin\nGermany",
        "tax_id": "DE123456789",
        "contact_name": "Pat Purchaser",
        "contact_email": "purchasing@buyer.example",
        "contact_phone": "+49 30 123456",
    }
    changed = await gateway.patch("/api/v1/settings", json=details, headers=auth)
    assert changed.status_code == 200, changed.text
    assert changed.json() | {"legal_name": " Buyer Organisation GmbH "} == changed.json() | details
    assert changed.json()["legal_name"] == "Buyer Organisation GmbH"
    assert (await gateway.get("/api/v1/settings", headers=auth)).json() == changed.json()
    cleared = await gateway.patch("/api/v1/settings", json={"tax_id": ""}, headers=auth)
    assert cleared.json()["tax_id"] is None and cleared.json()["default_payment_terms_days"] == 45
    for invalid in (
        {"default_payment_terms_days": -1},
        {"approval_reminder_days": 0},
        {"contact_email": "not an email"},
        {"address": "x" * 1001},
    ):
        refused = await gateway.patch("/api/v1/settings", json=invalid, headers=auth)
        assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    events = await read(broker, "gateway.organisation.v1", 3)
    published = events[-1]["data"]
    assert (published["default_payment_terms_days"], published["approval_reminder_days"]) == (45, 3)
    assert published["address"] == details["address"] and published["tax_id"] is None


async def test_the_matching_defaults_are_kept_answered_published_and_only_the_admin_changes_them(
    gateway: httpx.AsyncClient, broker: str
) -> None:
    auth = await sign_in(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    defaults = (await gateway.get("/api/v1/settings", headers=auth)).json()
    names = ("default_tolerance_rate", "default_tolerance_amount", "three_way_matching")
    assert tuple(defaults[name] for name in names) == ("0", None, False)
    matching = {"default_tolerance_rate": "2.5", "default_tolerance_amount": "100.00", "three_way_matching": True}
    changed = await gateway.patch("/api/v1/settings", json=matching, headers=auth)
    assert changed.status_code == 200, changed.text
    assert {name: changed.json()[name] for name in matching} == matching
    assert (await gateway.get("/api/v1/settings", headers=auth)).json() == changed.json()
    # Left out or null, a setting stays; a null amount is "no default amount".
    kept = await gateway.patch("/api/v1/settings", json={"default_tolerance_rate": None}, headers=auth)
    assert kept.json()["default_tolerance_rate"] == "2.5" and kept.json()["default_tolerance_amount"] == "100.00"
    cleared = await gateway.patch("/api/v1/settings", json={"default_tolerance_amount": None}, headers=auth)
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["default_tolerance_rate"], cleared.json()["default_tolerance_amount"]) == ("2.5", None)
    assert cleared.json()["three_way_matching"] is True
    for invalid, field in (
        ({"default_tolerance_rate": "100.01"}, "default_tolerance_rate"),
        ({"default_tolerance_rate": "-1"}, "default_tolerance_rate"),
        ({"default_tolerance_rate": "NaN"}, "default_tolerance_rate"),
        ({"default_tolerance_amount": "-0.01"}, "default_tolerance_amount"),
        ({"default_tolerance_amount": "0.0001"}, "default_tolerance_amount"),
        ({"default_tolerance_amount": "1e30"}, "default_tolerance_amount"),
        ({"default_tolerance_amount": "ten"}, "default_tolerance_amount"),
        ({"three_way_matching": "perhaps"}, "three_way_matching"),
    ):
        refused = await gateway.patch("/api/v1/settings", json=invalid, headers=auth)
        assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in refused.json()["errors"]] == [field], refused.text
    user = {"email": "m@buyer.example", "name": "M", "password": "user-password", "role": "buyer_user"}
    assert (await gateway.post("/api/v1/users", json=user, headers=auth)).status_code == 201
    user_auth = await sign_in(gateway, "m@buyer.example", "user-password")
    refused_user = await gateway.patch("/api/v1/settings", json={"three_way_matching": False}, headers=user_auth)
    assert refused_user.status_code == 403

    events = await read(broker, "gateway.organisation.v1", 3)
    published = [tuple(e["data"][name] for name in names) for e in events]
    assert published == [("0", None, False), ("2.5", "100.00", True), ("2.5", None, True)]


async def test_the_tolerance_matching_and_payment_terms_defaults_are_the_admins_a_buyer_user_gets_403(
    gateway: httpx.AsyncClient,
) -> None:
    auth = await sign_in(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    user = {"email": "terms@buyer.example", "name": "T", "password": "user-password", "role": "buyer_user"}
    assert (await gateway.post("/api/v1/users", json=user, headers=auth)).status_code == 201
    user_auth = await sign_in(gateway, "terms@buyer.example", "user-password")
    before = (await gateway.get("/api/v1/settings", headers=user_auth)).json()

    for change in (
        {"default_tolerance_rate": "50"},
        {"default_tolerance_amount": "1000.00"},
        {"three_way_matching": not before["three_way_matching"]},
        {"default_payment_terms_days": 90},
        # The value it already has is refused too: the settings are the admin's to send at all.
        {"default_payment_terms_days": before["default_payment_terms_days"]},
    ):
        refused = await gateway.patch("/api/v1/settings", json=change, headers=user_auth)
        assert refused.status_code == 403, change
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["detail"] == "only a buyer admin may do this"
    assert (await gateway.get("/api/v1/settings", headers=auth)).json() == before

    allowed = await gateway.patch("/api/v1/settings", json={"default_payment_terms_days": 60}, headers=auth)
    assert allowed.status_code == 200 and allowed.json()["default_payment_terms_days"] == 60
