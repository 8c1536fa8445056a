"""A supplier user working for several buyer organisations: ``/me`` lists each of its supplier
records with its buyer, and ``/auth/switch`` narrows a token to one record (so every service then
answers with that buyer's documents only), for records still linked and active."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from gateway.bootstrap import bootstrap
from gateway.config import Settings
from gateway.service import organisations
from gateway.service.unit_of_work import UnitOfWork
from portal_dev.testing import poll_until, read_topic, running
from shared.auth import Principal, expiry_of
from shared.contracts.suppliers import SupplierPortalActivated, SupplierPortalDeactivated
from shared.runtime import ServiceRuntime
from tests.gateway.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, link_token
from tests.gateway.integration.test_shared_supplier_account import publish

CONTACT = "sales@parts.example"
PASSWORD = "supplier-password"
SWITCH = "/api/v1/auth/switch"


@pytest.fixture
async def gateway(gateway_settings: Callable[..., Settings]) -> AsyncIterator[tuple[httpx.AsyncClient, ServiceRuntime]]:
    runtime = bootstrap(gateway_settings(public_url="https://portal.example", consumer_retry_backoff_s=0.05))
    async with running(runtime) as client:
        yield client, runtime


def activation(supplier_id: uuid.UUID, tenant_id: uuid.UUID, name: str) -> SupplierPortalActivated:
    return SupplierPortalActivated(
        supplier_id=supplier_id,
        tenant_id=tenant_id,
        name=name,
        email=CONTACT,
        currency="EUR",
        tolerance_rate=Decimal(5),
        portal_status="active",
        revision=2,
        updated_at=datetime.now(UTC),
        first_activation=True,
    )


def bearer(answer: httpx.Response) -> dict[str, str]:
    assert answer.status_code in (200, 201), answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    return bearer(await client.post("/api/v1/auth/token", json={"email": email, "password": password}))


async def supplier_account(
    client: httpx.AsyncClient, broker: str, *activations: SupplierPortalActivated
) -> dict[str, str]:
    """One supplier account (the same contact on every record) that accepted each invitation;
    its sign-in token."""
    await publish(broker, *activations)
    issued = [json.loads(r.value) for r in await read_topic(broker, "gateway.invitation.v1", len(activations))]
    for invitation in issued:
        token = link_token(invitation["data"], "accept_url")
        accepted = await client.post(f"/api/v1/auth/invitations/{token}/accept", json={"password": PASSWORD})
        assert accepted.status_code == 201, accepted.text
    return await sign_in(client, CONTACT, PASSWORD)


async def second_organisation(runtime: ServiceRuntime, name: str) -> uuid.UUID:
    organisation, _ = await organisations.create_organisation(
        UnitOfWork(runtime.session_factory, "gateway"),
        name=name,
        admin_email=f"admin-{uuid.uuid4().hex[:8]}@buyer.example",
        admin_password="another-admin-password",
    )
    return organisation.id


def principal(runtime: ServiceRuntime, answer: httpx.Response) -> Principal:
    """The principal of an issued token, as every service reads it."""
    assert answer.status_code == 200, answer.text
    assert answer.json()["token_type"] == "bearer" and answer.json()["expires_in"] > 0
    assert runtime.verifier is not None
    return runtime.verifier.verify(answer.json()["access_token"])


def assert_problem(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = answer.json()
    assert problem["status"] == status
    return problem


async def test_me_lists_each_supplier_record_with_its_buyer_by_buyer_then_supplier_name(
    gateway: tuple[httpx.AsyncClient, ServiceRuntime], broker: str
) -> None:
    client, runtime = gateway
    admin = await sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    first_tenant = uuid.UUID((await client.get("/api/v1/me", headers=admin)).json()["tenant_id"])
    await client.patch("/api/v1/settings", json={"invoice_issue_date_required": True}, headers=admin)
    acme = await second_organisation(runtime, "Acme Buying")
    zed_parts, alpha_parts, acme_parts = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    supplier = await supplier_account(
        client,
        broker,
        activation(zed_parts, first_tenant, "Zed Parts"),
        activation(alpha_parts, first_tenant, "alpha parts"),
        activation(acme_parts, acme, "Zed Parts"),
    )

    me = (await client.get("/api/v1/me", headers=supplier)).json()
    assert sorted(me["supplier_ids"]) == sorted(str(s) for s in (zed_parts, alpha_parts, acme_parts))
    assert me["organisations"] == [
        {
            "supplier_id": str(acme_parts),
            "supplier_name": "Zed Parts",
            "tenant_id": str(acme),
            "buyer_name": "Acme Buying",
            "invoice_issue_date_required": False,
        },
        {
            "supplier_id": str(alpha_parts),
            "supplier_name": "alpha parts",
            "tenant_id": str(first_tenant),
            "buyer_name": "Buyer organisation",
            "invoice_issue_date_required": True,
        },
        {
            "supplier_id": str(zed_parts),
            "supplier_name": "Zed Parts",
            "tenant_id": str(first_tenant),
            "buyer_name": "Buyer organisation",
            "invoice_issue_date_required": True,
        },
    ]
    assert (await client.get("/api/v1/me", headers=admin)).json()["organisations"] == []

    # A token narrowed to one record lists that record's organisation alone.
    narrowed = bearer(await client.post(SWITCH, json={"supplier_id": str(acme_parts)}, headers=supplier))
    me = (await client.get("/api/v1/me", headers=narrowed)).json()
    assert me["supplier_ids"] == [str(acme_parts)]
    assert [o["buyer_name"] for o in me["organisations"]] == ["Acme Buying"]


async def test_switch_issues_a_token_of_the_same_user_for_one_supplier_record_still_linked_and_active(
    gateway: tuple[httpx.AsyncClient, ServiceRuntime], broker: str
) -> None:
    client, runtime = gateway
    admin = await sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    tenant = uuid.UUID((await client.get("/api/v1/me", headers=admin)).json()["tenant_id"])
    other = await second_organisation(runtime, "Other Buying")
    ours, theirs = uuid.uuid4(), uuid.uuid4()
    supplier = await supplier_account(
        client, broker, activation(ours, tenant, "Parts"), activation(theirs, other, "Parts")
    )
    user_id = uuid.UUID((await client.get("/api/v1/me", headers=supplier)).json()["user_id"])

    to_theirs = await client.post(SWITCH, json={"supplier_id": str(theirs)}, headers=supplier)
    narrowed = principal(runtime, to_theirs)
    assert (narrowed.user_id, narrowed.role, narrowed.supplier_ids) == (user_id, "supplier", frozenset({theirs}))
    assert (narrowed.tenant_id, narrowed.email) == (None, CONTACT)
    # A narrowed token switches to another record of the user: the links are read again.
    from_narrowed = await client.post(SWITCH, json={"supplier_id": str(ours)}, headers=bearer(to_theirs))
    assert principal(runtime, from_narrowed).supplier_ids == frozenset({ours})
    # Switching never extends a session: the new token expires when the presented one does.
    presented = expiry_of(supplier["Authorization"].removeprefix("Bearer "))
    for switched in (to_theirs, from_narrowed):
        assert expiry_of(switched.json()["access_token"]) <= presented
        assert 0 < switched.json()["expires_in"] <= runtime.settings.token_ttl_s  # type: ignore[attr-defined]

    # Someone else's record and an unknown id answer alike: nothing about them is revealed.
    stranger = uuid.uuid4()
    await publish(broker, activation(stranger, tenant, "Someone Else"))
    await read_topic(broker, "gateway.invitation.v1", 3)  # its read model row is there
    foreign = assert_problem(await client.post(SWITCH, json={"supplier_id": str(stranger)}, headers=supplier), 404)
    unknown = assert_problem(await client.post(SWITCH, json={"supplier_id": str(uuid.uuid4())}, headers=supplier), 404)
    assert foreign["detail"] == unknown["detail"]

    # A record whose portal was switched off is no longer one to switch to, though the token holds it.
    deactivated = activation(theirs, other, "Parts").model_dump(exclude={"first_activation"})
    await publish(broker, SupplierPortalDeactivated(**{**deactivated, "portal_status": "inactive", "revision": 3}))

    async def refused() -> bool:
        return (await client.post(SWITCH, json={"supplier_id": str(theirs)}, headers=supplier)).status_code == 404

    await poll_until(refused, what="the deactivated record refused")
    assert principal(runtime, await client.post(SWITCH, json={"supplier_id": str(ours)}, headers=supplier))


async def test_switch_refuses_buyers_disabled_accounts_malformed_bodies_and_no_token(
    gateway: tuple[httpx.AsyncClient, ServiceRuntime], broker: str
) -> None:
    client, runtime = gateway
    admin = await sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    tenant = uuid.UUID((await client.get("/api/v1/me", headers=admin)).json()["tenant_id"])
    record = uuid.uuid4()
    supplier = await supplier_account(client, broker, activation(record, tenant, "Parts"))

    assert_problem(await client.post(SWITCH, json={"supplier_id": str(record)}, headers=admin), 403)
    assert_problem(await client.post(SWITCH, json={"supplier_id": str(record)}), 401)
    for body in ({}, {"supplier_id": "not-a-uuid"}, {"supplier_id": str(record), "tenant_id": str(tenant)}):
        problem = assert_problem(await client.post(SWITCH, json=body, headers=supplier), 422)
        assert problem["errors"], problem

    async with runtime.engine.begin() as connection:
        await connection.execute(text("UPDATE users SET active = false WHERE email = :e"), {"e": CONTACT})
    assert_problem(await client.post(SWITCH, json={"supplier_id": str(record)}, headers=supplier), 401)
