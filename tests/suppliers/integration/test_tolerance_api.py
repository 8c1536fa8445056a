"""A supplier's tolerance through HTTP on the real servers: set, answered, cleared, refused,
published on every event, and never shown to the supplier."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from portal_dev.testing import Tokens
from tests.suppliers.integration.support import (
    create_supplier,
    error_fields,
    get_ok,
    patch_ok,
    portal,
    supplier_events,
)


def tolerance_of(record: dict[str, Any]) -> tuple[Decimal | None, str | None]:
    """A record's rate as a number (the database keeps 4 decimals of it) and its amount as answered."""
    rate = record["tolerance_rate"]
    return (None if rate is None else Decimal(rate)), record["tolerance_amount"]


def published_tolerance(event: dict[str, Any]) -> tuple[tuple[Decimal | None, str | None], Decimal]:
    policy = event["data"]["tolerance"]
    return tolerance_of({"tolerance_rate": policy["rate"], "tolerance_amount": policy["amount"]}), Decimal(
        event["data"]["tolerance_rate"]
    )


async def test_a_supplier_created_without_a_tolerance_takes_the_organisations_defaults(
    service, tokens: Tokens, broker: str
) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    buyer = tokens.headers(tokens.buyer(uuid.uuid4()))
    created = await create_supplier(client, buyer)
    assert (created["tolerance_rate"], created["tolerance_amount"]) == (None, None)
    [event] = await supplier_events(broker, 1)
    assert event["data"]["tolerance"] == {"rate": None, "amount": None}
    assert event["data"]["tolerance_rate"] == "0"


async def test_the_buyer_sets_changes_and_clears_the_rate_and_amount_and_each_change_is_published(
    service, tokens: Tokens, broker: str
) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    buyer = tokens.headers(tokens.buyer(uuid.uuid4()))
    created = await create_supplier(client, buyer, tolerance_rate="5", tolerance_amount="100")
    assert tolerance_of(created) == (5, "100.00")
    path = f"/api/v1/suppliers/{created['id']}"
    # One of the two cleared: the other stays.
    only_amount = await patch_ok(client, path, {"tolerance_rate": None}, buyer)
    assert tolerance_of(only_amount) == (None, "100.00")
    changed = await patch_ok(client, path, {"tolerance_rate": "2.5", "tolerance_amount": "80.5"}, buyer)
    assert tolerance_of(changed) == (Decimal("2.5"), "80.50")
    # A change of something else keeps the tolerance.
    renamed = await patch_ok(client, path, {"name": "Acme Tools GmbH"}, buyer)
    assert tolerance_of(renamed) == (Decimal("2.5"), "80.50")
    cleared = await patch_ok(client, path, {"tolerance_rate": None, "tolerance_amount": None}, buyer)
    assert tolerance_of(cleared) == (None, None)
    assert await get_ok(client, path, buyer) == cleared
    [listed] = (await get_ok(client, "/api/v1/suppliers", buyer))["items"]
    assert tolerance_of(listed) == (None, None)

    events = await supplier_events(broker, 5)
    assert [published_tolerance(e) for e in events] == [
        ((5, "100.00"), 5),
        ((None, "100.00"), 0),
        ((Decimal("2.5"), "80.50"), Decimal("2.5")),
        ((Decimal("2.5"), "80.50"), Decimal("2.5")),
        ((None, None), 0),
    ]


async def test_portal_events_carry_the_tolerance_too(service, tokens: Tokens, broker: str) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    buyer = tokens.headers(tokens.buyer(uuid.uuid4()))
    created = await create_supplier(client, buyer, tolerance_amount="40")
    await portal(client, buyer, created["id"], "activate")
    supplier_user = tokens.headers(tokens.supplier(uuid.UUID(created["id"])))
    await patch_ok(client, f"/api/v1/portal/profiles/{created['id']}", {"lead_time_days": 3}, supplier_user)
    await portal(client, buyer, created["id"], "deactivate")
    events = await supplier_events(broker, 4)
    assert [e["type"] for e in events] == [
        "SupplierCreated",
        "SupplierPortalActivated",
        "SupplierProfileUpdated",
        "SupplierPortalDeactivated",
    ]
    assert {str(e["data"]["tolerance"]) for e in events} == {str({"rate": None, "amount": "40.00"})}


@pytest.mark.parametrize(
    "body, field",
    [
        ({"tolerance_rate": "100.01"}, "tolerance_rate"),
        ({"tolerance_rate": "-1"}, "tolerance_rate"),
        ({"tolerance_rate": "five"}, "tolerance_rate"),
        ({"tolerance_amount": "-0.01"}, "tolerance_amount"),
        ({"tolerance_amount": "10.005"}, "tolerance_amount"),
        ({"tolerance_amount": "NaN"}, "tolerance_amount"),
        ({"tolerance_amount": "1e30"}, "tolerance_amount"),
        ({"tolerance_amount": "12.5", "currency": "JPY"}, "tolerance_amount"),
    ],
)
async def test_a_tolerance_out_of_range_or_finer_than_the_currency_is_refused_with_its_field(
    service, tokens: Tokens, body: dict, field: str
) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    buyer = tokens.headers(tokens.buyer(uuid.uuid4()))
    new = {"name": "Acme Tools", "email": "ap@acme.example", "currency": "EUR"} | body
    assert field in error_fields(await client.post("/api/v1/suppliers", json=new, headers=buyer))
    created = await create_supplier(client, buyer, currency=body.get("currency", "EUR"))
    patched = await client.patch(f"/api/v1/suppliers/{created['id']}", json=body, headers=buyer)
    assert field in error_fields(patched)


async def test_a_currency_whose_minor_unit_the_amount_does_not_fit_is_refused(service, tokens: Tokens) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    buyer = tokens.headers(tokens.buyer(uuid.uuid4()))
    created = await create_supplier(client, buyer, tolerance_amount="10.50")
    path = f"/api/v1/suppliers/{created['id']}"
    assert error_fields(await client.patch(path, json={"currency": "JPY"}, headers=buyer)) == ["tolerance_amount"]
    assert (await get_ok(client, path, buyer))["currency"] == "EUR"
    moved = await patch_ok(client, path, {"currency": "JPY", "tolerance_amount": "1500"}, buyer)
    assert (moved["currency"], moved["tolerance_amount"]) == ("JPY", "1500")


async def test_the_supplier_never_sees_its_tolerance(service, tokens: Tokens) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    buyer = tokens.headers(tokens.buyer(uuid.uuid4()))
    created = await create_supplier(client, buyer, tolerance_rate="5", tolerance_amount="100")
    await portal(client, buyer, created["id"], "activate")
    supplier_user = tokens.headers(tokens.supplier(uuid.UUID(created["id"])))

    record = await get_ok(client, f"/api/v1/suppliers/{created['id']}", supplier_user)
    assert (record["tolerance_rate"], record["tolerance_amount"]) == (None, None)
    [listed] = (await get_ok(client, "/api/v1/suppliers", supplier_user))["items"]
    assert (listed["tolerance_rate"], listed["tolerance_amount"]) == (None, None)
    profiles = await get_ok(client, "/api/v1/portal/profiles", supplier_user)
    profile = await get_ok(client, f"/api/v1/portal/profiles/{created['id']}", supplier_user)
    for shown in (*profiles["items"], profile, record["portal_profile"]):
        assert not [key for key in shown if "tolerance" in key], shown
    # Nor may it set one.
    for body in ({"tolerance_rate": "50"}, {"tolerance_amount": "1000"}):
        edit = await client.patch(f"/api/v1/portal/profiles/{created['id']}", json=body, headers=supplier_user)
        assert error_fields(edit) == list(body)
        refused = await client.patch(f"/api/v1/suppliers/{created['id']}", json=body, headers=supplier_user)
        assert refused.status_code == 403
    # The buyer's view is unchanged.
    buyers = await get_ok(client, f"/api/v1/suppliers/{created['id']}", buyer)
    assert tolerance_of(buyers) == (5, "100.00")
