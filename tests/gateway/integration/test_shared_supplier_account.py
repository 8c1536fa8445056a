"""One supplier company, invited by two buyer organisations: the second invitation joins the
account the contact already has, once its password proves the account is theirs. The link alone
never creates a second account, takes the existing one over or resets its password."""

from __future__ import annotations

import asyncio
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
from portal_dev.testing import on_cluster, read_topic, running
from shared.contracts import Envelope
from shared.contracts.suppliers import SupplierPortalActivated, SupplierSnapshot
from tests.gateway.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, link_token

CONTACT = "sales@shared.example"
PASSWORD = "supplier-password"
ACCEPT = "/api/v1/auth/invitations/{}/accept"


@pytest.fixture
async def gateway(gateway_settings: Callable[..., Settings]) -> AsyncIterator[httpx.AsyncClient]:
    settings = gateway_settings(
        public_url="https://portal.example", consumer_retry_backoff_s=0.05, login_free_failures_per_account_and_ip=3
    )
    async with running(bootstrap(settings)) as client:
        yield client


def activation(supplier_id: uuid.UUID, tenant_id: uuid.UUID, email: str = CONTACT) -> SupplierPortalActivated:
    """The same company as each buyer keeps it: the same name and contact, its own record."""
    return SupplierPortalActivated(
        supplier_id=supplier_id,
        tenant_id=tenant_id,
        name="Shared Parts Ltd",
        email=email,
        currency="EUR",
        tolerance_rate=Decimal(5),
        portal_status="active",
        revision=2,
        updated_at=datetime.now(UTC),
        first_activation=True,
    )


async def publish(bootstrap_servers: str, *payloads: SupplierSnapshot) -> None:
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


async def invitations(broker: str, *activations: SupplierPortalActivated) -> dict[uuid.UUID, str]:
    """Publish the activations; the token of each supplier record's invitation."""
    await publish(broker, *activations)
    issued = [json.loads(r.value) for r in await read_topic(broker, "gateway.invitation.v1", len(activations))]
    return {uuid.UUID(i["data"]["supplier_id"]): link_token(i["data"], "accept_url") for i in issued}


async def me(client: httpx.AsyncClient, access: httpx.Response) -> dict:
    assert access.status_code in (200, 201), access.text
    headers = {"Authorization": f"Bearer {access.json()['access_token']}"}
    result: dict = (await client.get("/api/v1/me", headers=headers)).json()
    return result


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/auth/token", json={"email": email, "password": password})


async def test_a_second_buyers_invitation_joins_the_existing_account_once_its_password_is_given(
    gateway: httpx.AsyncClient, broker: str
) -> None:
    tenant_a, tenant_b, record_a, record_b = (uuid.uuid4() for _ in range(4))
    tokens = await invitations(broker, activation(record_a, tenant_a), activation(record_b, tenant_b))
    first = await me(gateway, await gateway.post(ACCEPT.format(tokens[record_a]), json={"password": PASSWORD}))
    assert first["supplier_ids"] == [str(record_a)]

    # Holding B's link is not enough: a new password neither takes the account over nor resets it.
    taken = await gateway.post(ACCEPT.format(tokens[record_b]), json={"password": "attacker-choice", "name": "X"})
    assert taken.status_code == 401 and taken.headers["content-type"] == "application/problem+json"
    assert "already has a portal account" in taken.json()["detail"]
    assert (await sign_in(gateway, CONTACT, "attacker-choice")).status_code == 401
    assert (await me(gateway, await sign_in(gateway, CONTACT, PASSWORD)))["supplier_ids"] == [str(record_a)]

    # The account's own password adds B's record to it; the invitation is then used up.
    joined = await me(gateway, await gateway.post(ACCEPT.format(tokens[record_b]), json={"password": PASSWORD}))
    assert joined["user_id"] == first["user_id"] and joined["name"] == "Shared Parts Ltd"
    assert sorted(joined["supplier_ids"]) == sorted([str(record_a), str(record_b)])
    again = await gateway.post(ACCEPT.format(tokens[record_b]), json={"password": PASSWORD})
    assert again.status_code == 404
    signed_in = await me(gateway, await sign_in(gateway, CONTACT, PASSWORD))
    assert sorted(signed_in["supplier_ids"]) == sorted([str(record_a), str(record_b)])

    # One account: registered under A, updated under B, never a second registration.
    users = [json.loads(r.value) for r in await read_topic(broker, "gateway.user.v1", 3)]
    suppliers = [u for u in users if u["data"]["email"] == CONTACT]
    assert [(u["type"], u["tenant_id"]) for u in suppliers] == [
        ("UserRegistered", str(tenant_a)),
        ("UserUpdated", str(tenant_b)),
    ]
    assert len(users) == 3 and {u["data"]["user_id"] for u in suppliers} == {first["user_id"]}


async def test_an_invitation_to_a_buyer_accounts_email_links_nothing(gateway: httpx.AsyncClient, broker: str) -> None:
    record = uuid.uuid4()
    tokens = await invitations(broker, activation(record, uuid.uuid4(), email=ADMIN_EMAIL))
    wrong = await gateway.post(ACCEPT.format(tokens[record]), json={"password": "not-the-admins"})
    assert wrong.status_code == 401
    right = await gateway.post(ACCEPT.format(tokens[record]), json={"password": ADMIN_PASSWORD})
    assert right.status_code == 409 and "buyer account" in right.json()["detail"]
    admin = await me(gateway, await sign_in(gateway, ADMIN_EMAIL, ADMIN_PASSWORD))
    assert (admin["role"], admin["supplier_ids"]) == ("buyer_admin", [])


async def test_wrong_passwords_on_an_invitation_count_as_failed_sign_ins_of_that_account(
    gateway: httpx.AsyncClient, broker: str
) -> None:
    record_a, record_b = uuid.uuid4(), uuid.uuid4()
    tokens = await invitations(broker, activation(record_a, uuid.uuid4()), activation(record_b, uuid.uuid4()))
    await me(gateway, await gateway.post(ACCEPT.format(tokens[record_a]), json={"password": PASSWORD}))

    guesses = [
        (await gateway.post(ACCEPT.format(tokens[record_b]), json={"password": f"guess-{n:04d}"})).status_code
        for n in range(3)
    ]
    assert guesses == [401, 401, 401]
    blocked = await gateway.post(ACCEPT.format(tokens[record_b]), json={"password": PASSWORD})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert (await sign_in(gateway, CONTACT, PASSWORD)).status_code == 429


async def test_two_invitations_accepted_at_once_make_one_account(gateway: httpx.AsyncClient, broker: str) -> None:
    record_a, record_b = uuid.uuid4(), uuid.uuid4()
    tokens = await invitations(broker, activation(record_a, uuid.uuid4()), activation(record_b, uuid.uuid4()))
    answers = await asyncio.gather(
        gateway.post(ACCEPT.format(tokens[record_a]), json={"password": PASSWORD}),
        gateway.post(ACCEPT.format(tokens[record_b]), json={"password": PASSWORD}),
    )
    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
    accounts = {(await me(gateway, answer))["user_id"] for answer in answers}
    assert len(accounts) == 1
    signed_in = await me(gateway, await sign_in(gateway, CONTACT, PASSWORD))
    assert sorted(signed_in["supplier_ids"]) == sorted([str(record_a), str(record_b)])
    users = [json.loads(r.value) for r in await read_topic(broker, "gateway.user.v1", 3)]
    assert sorted(u["type"] for u in users if u["data"]["email"] == CONTACT) == ["UserRegistered", "UserUpdated"]
    assert len(users) == 3
