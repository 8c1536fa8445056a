"""The operator's commands on real PostgreSQL and a real broker: a new buyer organisation with its
first admin, more users, each published through the outbox like the API publishes them, and every
refusal a message with a non-zero exit, never a traceback."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from gateway.bootstrap import bootstrap
from gateway.config import Settings
from gateway.domain.errors import EmailTaken, InvalidName, OrganisationNotFound, UnknownRole, WeakPassword
from gateway.entrypoints import operator
from portal_dev.ports import free_port
from portal_dev.testing import read_topic, running
from shared.errors import InvalidInput
from tests.gateway.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, GatewayDatabase


@dataclass
class Gateway:
    client: httpx.AsyncClient
    settings: Settings
    env: dict[str, str]  # what the command gets: the gateway's settings, from the environment


@pytest.fixture
async def gateway(
    gateway_database: GatewayDatabase, gateway_settings: Callable[..., Settings]
) -> AsyncIterator[Gateway]:
    settings = gateway_settings()
    async with running(bootstrap(settings)) as client:
        yield Gateway(client, settings, gateway_database.env)


@dataclass
class Outcome:
    code: int
    out: str
    err: str


async def command(gateway: Gateway, *args: str, env: dict[str, str] | None = None) -> Outcome:
    """``python -m gateway.admin ARGS`` in its own process, as an operator runs it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "gateway.admin",
        *args,
        env={**os.environ, **gateway.env, **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return Outcome(process.returncode, out.decode(), err.decode())


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    response = await client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def events(broker: str, topic: str, count: int) -> list[dict]:
    return [json.loads(record.value) for record in await read_topic(broker, topic, count)]


async def test_an_organisation_created_by_the_operator_is_published_and_its_admin_signs_in(
    gateway: Gateway, broker: str, tmp_path: Path
) -> None:
    password_file = tmp_path / "password"
    password_file.write_text("acme admin password\n")
    done = await command(
        gateway,
        "organisations",
        "create",
        "--name",
        "Acme Buying",
        "--admin-email",
        "Boss@Acme.example",
        "--admin-password-file",
        str(password_file),
        "--json",
    )
    assert done.code == 0, done.err
    created = json.loads(done.out)
    organisation_id = created["id"]
    assert created["name"] == "Acme Buying"
    assert created["admin"] == {
        "id": created["admin"]["id"],
        "organisation_id": organisation_id,
        "email": "boss@acme.example",
        "name": "Administrator",
        "role": "buyer_admin",
        "generated_password": None,
    }

    # The first organisation (from the migration) and the new one, each published once, in full.
    published = {e["tenant_id"]: e for e in await events(broker, "gateway.organisation.v1", 2)}
    assert len(published) == 2
    new = published[organisation_id]
    assert new["type"] == "OrganisationSettingsChanged"
    assert {k: new["data"][k] for k in ("tenant_id", "name", "revision", "supplier_portal_enabled")} == {
        "tenant_id": organisation_id,
        "name": "Acme Buying",
        "revision": 1,
        "supplier_portal_enabled": True,
    }
    users = {e["data"]["email"]: e for e in await events(broker, "gateway.user.v1", 2)}
    assert sorted(users) == [ADMIN_EMAIL, "boss@acme.example"]
    boss_event = users["boss@acme.example"]
    assert (boss_event["tenant_id"], boss_event["type"]) == (organisation_id, "UserRegistered")
    assert (boss_event["data"]["user_id"], boss_event["data"]["role"]) == (created["admin"]["id"], "buyer_admin")
    assert all("acme admin password" not in json.dumps(e) for e in users.values())

    # The new admin works in its own organisation only.
    boss = await sign_in(gateway.client, "boss@acme.example", "acme admin password")
    assert (await gateway.client.get("/api/v1/me", headers=boss)).json()["tenant_id"] == organisation_id
    own = (await gateway.client.get("/api/v1/settings", headers=boss)).json()
    assert (own["organisation_id"], own["name"]) == (organisation_id, "Acme Buying")
    listed = (await gateway.client.get("/api/v1/users", headers=boss)).json()["items"]
    assert [u["email"] for u in listed] == ["boss@acme.example"]
    first = await sign_in(gateway.client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert [u["email"] for u in (await gateway.client.get("/api/v1/users", headers=first)).json()["items"]] == [
        ADMIN_EMAIL
    ]

    assert [o.name for o in await operator.list_organisations(gateway.settings)] == [
        "Buyer organisation",
        "Acme Buying",
    ]


async def test_a_user_added_by_the_operator_gets_a_password_shown_once_and_joins_only_that_organisation(
    gateway: Gateway, broker: str
) -> None:
    acme = await operator.create_organisation(
        gateway.settings, name="Acme", admin_email="boss@acme.example", admin_password="acme admin password"
    )
    done = await command(
        gateway,
        "users",
        "create",
        "--organisation",
        str(acme.id),
        "--email",
        "clerk@acme.example",
        "--name",
        "Clerk",
        "--role",
        "buyer_user",
    )
    assert done.code == 0, done.err
    [user_line, password_line] = done.out.splitlines()
    assert user_line.startswith("user") and "clerk@acme.example" in user_line and "buyer_user" in user_line
    assert password_line.startswith("password") and password_line.endswith("(generated; shown only this once)")
    password = password_line.split()[1]
    assert len(password) >= 12 and password not in done.err

    clerk = await sign_in(gateway.client, "clerk@acme.example", password)
    me = (await gateway.client.get("/api/v1/me", headers=clerk)).json()
    assert (me["tenant_id"], me["role"], me["name"]) == (str(acme.id), "buyer_user", "Clerk")
    boss = await sign_in(gateway.client, "boss@acme.example", "acme admin password")
    listed = (await gateway.client.get("/api/v1/users", headers=boss)).json()["items"]
    assert sorted(u["email"] for u in listed) == ["boss@acme.example", "clerk@acme.example"]
    first = await sign_in(gateway.client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert [u["email"] for u in (await gateway.client.get("/api/v1/users", headers=first)).json()["items"]] == [
        ADMIN_EMAIL
    ]

    users = await events(broker, "gateway.user.v1", 3)
    tenants = {u["data"]["email"]: u["tenant_id"] for u in users}
    assert len(users) == 3 and tenants["boss@acme.example"] == tenants["clerk@acme.example"] == str(acme.id)
    assert tenants[ADMIN_EMAIL] != str(acme.id)
    assert all(password not in json.dumps(u) for u in users)


async def test_refused_operator_commands_exit_non_zero_with_a_clear_message_and_change_nothing(
    gateway: Gateway, broker: str
) -> None:
    nowhere = {"GATEWAY_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/portal_gateway"}
    duplicate, unknown, bad_role, unreachable = await asyncio.gather(
        command(gateway, "organisations", "create", "--name", "Copycat", "--admin-email", ADMIN_EMAIL.upper()),
        command(
            gateway,
            "users",
            "create",
            "--organisation",
            str(uuid.uuid4()),
            "--email",
            "x@acme.example",
            "--role",
            "buyer_user",
        ),
        command(
            gateway,
            "users",
            "create",
            "--organisation",
            str(uuid.uuid4()),
            "--email",
            "x@acme.example",
            "--role",
            "supplier",
        ),
        command(gateway, "organisations", "list", env=nowhere),
    )
    assert (duplicate.code, duplicate.err.strip()) == (1, f"error: a user with email {ADMIN_EMAIL} already exists")
    assert (unknown.code, unknown.err.strip()) == (1, "error: organisation not found")
    assert bad_role.code == 2 and "buyer_admin" in bad_role.err and "buyer_user" in bad_role.err
    assert unreachable.code == 1 and unreachable.err.startswith("error: cannot reach the gateway database")
    for outcome in (duplicate, unknown, bad_role, unreachable):
        assert outcome.out == "" and "Traceback" not in outcome.err

    settings = gateway.settings
    with pytest.raises(WeakPassword):
        await operator.create_organisation(settings, name="Acme", admin_email="a@acme.example", admin_password="short")
    with pytest.raises(InvalidInput, match="not a valid email"):
        await operator.create_organisation(settings, name="Acme", admin_email="not an email")
    with pytest.raises(InvalidName):
        await operator.create_organisation(settings, name="Acme\r\nBcc: x@evil.example", admin_email="a@acme.example")
    [first] = await operator.list_organisations(settings)
    with pytest.raises(UnknownRole):
        await operator.create_user(settings, organisation_id=first.id, email="s@acme.example", role="supplier")
    with pytest.raises(OrganisationNotFound):
        await operator.create_user(settings, organisation_id=uuid.uuid4(), email="s@acme.example", role="buyer_user")
    with pytest.raises(EmailTaken):
        await operator.create_user(settings, organisation_id=first.id, email=ADMIN_EMAIL, role="buyer_user")

    # Nothing was written: one organisation, the admin's password unchanged, and behind a marker
    # user only the migration's events were published.
    assert [o.name for o in await operator.list_organisations(settings)] == ["Buyer organisation"]
    await sign_in(gateway.client, ADMIN_EMAIL, ADMIN_PASSWORD)
    marker = await operator.create_user(
        settings, organisation_id=first.id, email="marker@buyer.example", role="buyer_user"
    )
    users = await events(broker, "gateway.user.v1", 2)
    assert sorted(u["data"]["email"] for u in users) == [ADMIN_EMAIL, marker.email]
    assert len(await events(broker, "gateway.organisation.v1", 1)) == 1
