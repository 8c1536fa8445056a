"""A supplier's tolerance and payment terms are the buyer admin's, through HTTP on the real servers:
a buyer user changing them (or creating a supplier with them) gets 403 problem details naming the
fields and changes nothing, while it still edits the other fields and may send the terms unchanged;
every event of the topic names who acted."""

from __future__ import annotations

import uuid
from decimal import Decimal

from portal_dev.testing import Tokens
from tests.suppliers.integration.support import create_supplier, get_ok, patch_ok, portal, supplier_events


def refused_fields(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert "buyer admin" in problem["detail"]
    return sorted(e["field"] for e in problem["errors"])


async def test_a_buyer_user_changing_the_tolerance_or_payment_terms_is_refused_and_nothing_changes(
    service, tokens: Tokens
) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    tenant = uuid.uuid4()
    admin = tokens.headers(tokens.buyer(tenant))
    clerk = tokens.headers(tokens.buyer(tenant, admin=False))
    created = await create_supplier(client, admin, tolerance_rate="5", payment_terms_days=30)
    path = f"/api/v1/suppliers/{created['id']}"

    for body, fields in (
        ({"tolerance_rate": "7"}, ["tolerance_rate"]),
        ({"tolerance_rate": None}, ["tolerance_rate"]),  # back to the organisation's defaults is a change too
        ({"tolerance_amount": "10"}, ["tolerance_amount"]),
        ({"payment_terms_days": 60}, ["payment_terms_days"]),
        (
            {"name": "Renamed", "tolerance_amount": "1", "payment_terms_days": 0},
            ["payment_terms_days", "tolerance_amount"],
        ),
    ):
        assert refused_fields(await client.patch(path, json=body, headers=clerk)) == fields, body

    after = await get_ok(client, path, admin)
    assert (
        after["name"],
        Decimal(after["tolerance_rate"]),
        after["tolerance_amount"],
        after["payment_terms_days"],
    ) == (
        "Acme Tools",
        5,
        None,
        30,
    )
    assert after["updated_at"] == created["updated_at"]


async def test_a_buyer_user_edits_the_other_fields_and_may_send_the_terms_unchanged(service, tokens: Tokens) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    tenant = uuid.uuid4()
    admin = tokens.headers(tokens.buyer(tenant))
    clerk = tokens.headers(tokens.buyer(tenant, admin=False))
    created = await create_supplier(client, admin, tolerance_rate="5", tolerance_amount="100", payment_terms_days=14)
    path = f"/api/v1/suppliers/{created['id']}"

    # The record as read, sent back whole with one field changed (a client's round trip).
    created = await get_ok(client, f"/api/v1/suppliers/{created['id']}", clerk)
    whole = {k: created[k] for k in ("name", "email", "phone", "currency", "tolerance_rate", "tolerance_amount")}
    changed = await patch_ok(client, path, whole | {"phone": "+49 2", "payment_terms_days": 14}, clerk)
    assert (changed["phone"], changed["payment_terms_days"], changed["tolerance_amount"]) == ("+49 2", 14, "100.00")
    renamed = await patch_ok(client, path, {"name": "Acme Tools GmbH", "tolerance_rate": "5"}, clerk)
    assert renamed["name"] == "Acme Tools GmbH"

    by_admin = await patch_ok(
        client, path, {"tolerance_rate": None, "tolerance_amount": "80", "payment_terms_days": 45}, admin
    )
    assert (by_admin["tolerance_rate"], by_admin["tolerance_amount"], by_admin["payment_terms_days"]) == (
        None,
        "80.00",
        45,
    )


async def test_a_buyer_user_creates_a_supplier_only_without_terms_of_its_own(service, tokens: Tokens) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    tenant = uuid.uuid4()
    clerk = tokens.headers(tokens.buyer(tenant, admin=False))
    body = {"name": "Globex", "email": "ap@globex.example", "currency": "EUR"}

    for terms, fields in (
        ({"tolerance_rate": "5"}, ["tolerance_rate"]),
        ({"tolerance_amount": "0"}, ["tolerance_amount"]),
        ({"payment_terms_days": 30, "tolerance_rate": "0"}, ["payment_terms_days", "tolerance_rate"]),
    ):
        assert refused_fields(await client.post("/api/v1/suppliers", json=body | terms, headers=clerk)) == fields
    listed = await get_ok(client, "/api/v1/suppliers", clerk)
    assert listed["items"] == []

    nulls = {"tolerance_rate": None, "tolerance_amount": None, "payment_terms_days": None}
    created = await create_supplier(client, clerk, **body, **nulls)
    assert (created["tolerance_rate"], created["tolerance_amount"], created["payment_terms_days"]) == (None, None, None)
    admin = tokens.headers(tokens.buyer(tenant))
    assert (await create_supplier(client, admin, **body, tolerance_rate="3", payment_terms_days=10))[
        "payment_terms_days"
    ] == 10


async def test_every_supplier_event_names_who_acted(service, tokens: Tokens, broker: str) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    tenant, admin_id, clerk_id, supplier_user_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    admin = tokens.headers(tokens.buyer(tenant, user_id=admin_id))
    clerk = tokens.headers(tokens.buyer(tenant, admin=False, user_id=clerk_id))
    created = await create_supplier(client, admin, tolerance_rate="5")
    await patch_ok(client, f"/api/v1/suppliers/{created['id']}", {"phone": "+49 3"}, clerk)
    await portal(client, clerk, created["id"], "activate")
    supplier_user = tokens.headers(tokens.supplier(uuid.UUID(created["id"]), user_id=supplier_user_id))
    await patch_ok(client, f"/api/v1/portal/profiles/{created['id']}", {"lead_time_days": 4}, supplier_user)
    await portal(client, admin, created["id"], "deactivate")

    events = await supplier_events(broker, 5)
    assert [(e["type"], e["data"]["actor"]) for e in events] == [
        ("SupplierCreated", {"user_id": str(admin_id), "role": "buyer_admin"}),
        ("SupplierUpdated", {"user_id": str(clerk_id), "role": "buyer_user"}),
        ("SupplierPortalActivated", {"user_id": str(clerk_id), "role": "buyer_user"}),
        ("SupplierProfileUpdated", {"user_id": str(supplier_user_id), "role": "supplier"}),
        ("SupplierPortalDeactivated", {"user_id": str(admin_id), "role": "buyer_admin"}),
    ]
