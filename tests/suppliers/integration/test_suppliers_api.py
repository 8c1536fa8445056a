"""The suppliers service on real PostgreSQL and a real broker: API, scoping, outbox relay."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import text

from portal_dev.testing import Tokens, poll_until, read_topic

TOPIC = "suppliers.supplier.v1"


async def read_events(bootstrap_servers: str, count: int) -> list[dict]:
    return [json.loads(r.value) for r in await read_topic(bootstrap_servers, TOPIC, count)]


def new_supplier(**overrides: object) -> dict:
    body = {"name": "Acme Tools", "email": "sales@acme.example", "currency": "EUR", "tolerance_rate": "5"}
    body.update(overrides)
    return body


async def test_created_supplier_is_published_with_its_whole_state_through_the_outbox(
    service, tokens: Tokens, broker: str
) -> None:  # type: ignore[no-untyped-def]
    client, runtime = service
    tenant = uuid.uuid4()
    response = await client.post("/api/v1/suppliers", json=new_supplier(), headers=tokens.headers(tokens.buyer(tenant)))
    assert response.status_code == 201, response.text
    supplier = response.json()
    assert supplier["tolerance_rate"] == "5"

    [event] = await read_events(broker, 1)
    assert event["type"] == "SupplierCreated"
    assert event["tenant_id"] == str(tenant)
    assert event["data"]["supplier_id"] == supplier["id"]
    assert event["data"]["tolerance_rate"] == "5"

    async def outbox_drained() -> bool:
        async with runtime.engine.connect() as conn:
            return (await conn.execute(text("SELECT count(*) FROM outbox WHERE sent_at IS NULL"))).scalar() == 0

    await poll_until(outbox_drained, what="outbox rows marked sent")


async def test_portal_activation_publishes_first_activation_once(service, tokens: Tokens, broker: str) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    auth = tokens.headers(tokens.buyer(uuid.uuid4()))
    supplier_id = (await client.post("/api/v1/suppliers", json=new_supplier(), headers=auth)).json()["id"]
    assert (await client.post(f"/api/v1/suppliers/{supplier_id}/portal/activate", headers=auth)).status_code == 200
    again = await client.post(f"/api/v1/suppliers/{supplier_id}/portal/activate", headers=auth)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert (await client.post(f"/api/v1/suppliers/{supplier_id}/portal/deactivate", headers=auth)).status_code == 200
    assert (await client.post(f"/api/v1/suppliers/{supplier_id}/portal/activate", headers=auth)).status_code == 200

    events = await read_events(broker, 4)
    activations = [e for e in events if e["type"] == "SupplierPortalActivated"]
    assert [a["data"]["first_activation"] for a in activations] == [True, False]


async def test_another_tenant_and_unlinked_suppliers_get_404(service, tokens: Tokens) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    owner = tokens.headers(tokens.buyer(uuid.uuid4()))
    supplier_id = (await client.post("/api/v1/suppliers", json=new_supplier(), headers=owner)).json()["id"]

    other_buyer = tokens.headers(tokens.buyer(uuid.uuid4()))
    assert (await client.get(f"/api/v1/suppliers/{supplier_id}", headers=other_buyer)).status_code == 404
    assert (
        await client.patch(f"/api/v1/suppliers/{supplier_id}", json={"name": "x"}, headers=other_buyer)
    ).status_code == 404
    assert (await client.get("/api/v1/suppliers", headers=other_buyer)).json()["items"] == []

    other_supplier = tokens.headers(tokens.supplier(uuid.uuid4()))
    assert (await client.get(f"/api/v1/suppliers/{supplier_id}", headers=other_supplier)).status_code == 404

    linked = tokens.headers(tokens.supplier(uuid.UUID(supplier_id)))
    assert (await client.get(f"/api/v1/suppliers/{supplier_id}", headers=linked)).status_code == 200
    assert (
        await client.patch(f"/api/v1/suppliers/{supplier_id}", json={"tolerance_rate": "50"}, headers=linked)
    ).status_code == 403
    assert (await client.post("/api/v1/suppliers", json=new_supplier(), headers=linked)).status_code == 403


@pytest.mark.parametrize(
    "body, field",
    [
        (new_supplier(currency="euro"), "currency"),
        (new_supplier(tolerance_rate="101"), "tolerance_rate"),
        (new_supplier(tolerance_rate="-1"), "tolerance_rate"),
        (new_supplier(email="not-an-email"), "email"),
        (new_supplier(tenant_id=str(uuid.uuid4())), "tenant_id"),
        ({"name": "no currency"}, "email"),
        # One line: a name reaches email headers, where a line break would split the header.
        (new_supplier(name="Acme\r\nBcc: victim@example.com"), "name"),
        (new_supplier(phone="+44\t113"), "phone"),
        (new_supplier(legal_name="Acme\u2028Ltd"), "legal_name"),
    ],
)
async def test_invalid_supplier_is_refused_with_problem_details(
    service, tokens: Tokens, body: dict, field: str
) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    response = await client.post("/api/v1/suppliers", json=body, headers=tokens.headers(tokens.buyer(uuid.uuid4())))
    assert response.status_code == 422
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert problem["status"] == 422
    assert any(e["field"] == field for e in problem["errors"]), problem


async def test_requests_without_a_valid_token_are_401(service) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    assert (await client.get("/api/v1/suppliers")).status_code == 401
    forged = {"Authorization": "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."}
    assert (await client.get("/api/v1/suppliers", headers=forged)).status_code == 401


async def test_list_is_paginated_with_a_cursor(service, tokens: Tokens) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    auth = tokens.headers(tokens.buyer(uuid.uuid4()))
    for i in range(5):
        await client.post("/api/v1/suppliers", json=new_supplier(name=f"S{i}"), headers=auth)
    first = (await client.get("/api/v1/suppliers?limit=2", headers=auth)).json()
    second = (await client.get(f"/api/v1/suppliers?limit=2&cursor={first['next_cursor']}", headers=auth)).json()
    third = (await client.get(f"/api/v1/suppliers?limit=2&cursor={second['next_cursor']}", headers=auth)).json()
    names = [s["name"] for page in (first, second, third) for s in page["items"]]
    assert names == ["S4", "S3", "S2", "S1", "S0"]
    assert third["next_cursor"] is None
    assert (await client.get("/api/v1/suppliers?cursor=garbage", headers=auth)).status_code == 422


async def test_the_buyer_sets_payment_terms_and_legal_details_and_they_are_published(
    service, tokens: Tokens, broker: str
) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    auth = tokens.headers(tokens.buyer(uuid.uuid4()))
    details = {"legal_name": "Acme Tools GmbH", "address": "Main St 1\n10115 Berlin", "tax_id": "DE999"}
    created = await client.post("/api/v1/suppliers", json=new_supplier(payment_terms_days=10, **details), headers=auth)
    assert created.status_code == 201, created.text
    supplier = created.json()
    assert supplier["payment_terms_days"] == 10 and {k: supplier[k] for k in details} == details
    # Null: the organisation's default applies from now on.
    changed = await client.patch(f"/api/v1/suppliers/{supplier['id']}", json={"payment_terms_days": None}, headers=auth)
    assert changed.status_code == 200 and changed.json()["payment_terms_days"] is None
    for refused in ({"payment_terms_days": -1}, {"payment_terms_days": 1.5}, {"tax_id": "x" * 51}):
        response = await client.patch(f"/api/v1/suppliers/{supplier['id']}", json=refused, headers=auth)
        assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"

    created_event, changed_event = await read_events(broker, 2)
    assert created_event["data"]["payment_terms_days"] == 10
    assert {k: created_event["data"][k] for k in details} == details
    assert changed_event["data"]["payment_terms_days"] is None
