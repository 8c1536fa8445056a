"""The two views of one supplier through HTTP: the buyer's record and the supplier's portal profile."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import pytest

from portal_dev.testing import Tokens
from tests.suppliers.integration.support import (
    create_supplier,
    define_field,
    error_fields,
    get_ok,
    patch_ok,
    portal,
)


@pytest.fixture
async def active(service, tokens: Tokens):  # type: ignore[no-untyped-def]
    """An activated supplier with one shown and one hidden custom field: (client, buyer, supplier user, id)."""
    client, _ = service
    buyer = tokens.headers(tokens.buyer(uuid.uuid4()))
    await define_field(client, buyer, "region", shown_in_portal=True)
    await define_field(client, buyer, "rating", "number")
    created = await create_supplier(client, buyer, custom_fields={"region": "north", "rating": 4})
    await portal(client, buyer, created["id"], "activate")
    supplier_user = tokens.headers(tokens.supplier(uuid.UUID(created["id"])))
    return client, buyer, supplier_user, created["id"]


async def test_first_activation_initialises_the_profile_from_the_buyer_record(active) -> None:  # type: ignore[no-untyped-def]
    client, buyer, supplier_user, supplier_id = active
    [profile] = (await get_ok(client, "/api/v1/portal/profiles", supplier_user))["items"]
    assert profile == {
        "supplier_id": supplier_id,
        "name": "Acme Tools",
        "email": "ap@acme.example",
        "phone": "+49 1",
        "currency": "EUR",
        "legal_name": None,
        "address": None,
        "tax_id": None,
        "minimum_order_amount": None,
        "lead_time_days": None,
        "custom_fields": {"region": "north"},
        "custom_field_definitions": [
            {"key": "region", "label": "Region", "type": "text", "choices": [], "required": False}
        ],
        "portal_status": "active",
    }
    assert await get_ok(client, f"/api/v1/portal/profiles/{supplier_id}", supplier_user) == profile
    record = await get_ok(client, f"/api/v1/suppliers/{supplier_id}", buyer)
    assert record["portal_profile"] == profile
    assert record["custom_fields"] == {"region": "north", "rating": "4"}


async def test_supplier_email_and_phone_changes_reach_the_buyer_record(active) -> None:  # type: ignore[no-untyped-def]
    client, buyer, supplier_user, supplier_id = active
    body = {"email": "sales@acme.example", "phone": "+49 2"}
    profile = await patch_ok(client, f"/api/v1/portal/profiles/{supplier_id}", body, supplier_user)
    assert (profile["email"], profile["phone"]) == ("sales@acme.example", "+49 2")
    record = await get_ok(client, f"/api/v1/suppliers/{supplier_id}", buyer)
    assert (record["email"], record["phone"]) == ("sales@acme.example", "+49 2")


async def test_buyer_email_and_phone_changes_stay_in_the_buyer_record(active) -> None:  # type: ignore[no-untyped-def]
    client, buyer, supplier_user, supplier_id = active
    body = {"email": "invoices@acme.example", "phone": "+49 9"}
    record = await patch_ok(client, f"/api/v1/suppliers/{supplier_id}", body, buyer)
    assert (record["email"], record["phone"]) == ("invoices@acme.example", "+49 9")
    assert (record["portal_profile"]["email"], record["portal_profile"]["phone"]) == ("ap@acme.example", "+49 1")
    profile = await get_ok(client, f"/api/v1/portal/profiles/{supplier_id}", supplier_user)
    assert profile["email"] == "ap@acme.example"


async def test_name_flows_both_ways_while_active(active) -> None:  # type: ignore[no-untyped-def]
    client, buyer, supplier_user, supplier_id = active
    await patch_ok(client, f"/api/v1/suppliers/{supplier_id}", {"name": "Acme Tools GmbH"}, buyer)
    assert (await get_ok(client, f"/api/v1/portal/profiles/{supplier_id}", supplier_user))["name"] == "Acme Tools GmbH"
    await patch_ok(client, f"/api/v1/portal/profiles/{supplier_id}", {"name": "Acme Ltd"}, supplier_user)
    assert (await get_ok(client, f"/api/v1/suppliers/{supplier_id}", buyer))["name"] == "Acme Ltd"


async def test_shown_custom_fields_flow_both_ways_and_hidden_ones_stay_hidden(active) -> None:  # type: ignore[no-untyped-def]
    client, buyer, supplier_user, supplier_id = active
    await patch_ok(client, f"/api/v1/suppliers/{supplier_id}", {"custom_fields": {"region": "south"}}, buyer)
    profile = await get_ok(client, f"/api/v1/portal/profiles/{supplier_id}", supplier_user)
    assert profile["custom_fields"] == {"region": "south"}

    await patch_ok(
        client, f"/api/v1/portal/profiles/{supplier_id}", {"custom_fields": {"region": "east"}}, supplier_user
    )
    record = await get_ok(client, f"/api/v1/suppliers/{supplier_id}", buyer)
    assert record["custom_fields"] == {"region": "east", "rating": "4"}
    # The supplier reading the buyer's record does not see the hidden field either.
    as_supplier = await get_ok(client, f"/api/v1/suppliers/{supplier_id}", supplier_user)
    assert as_supplier["custom_fields"] == {"region": "east"}

    hidden = await client.patch(
        f"/api/v1/portal/profiles/{supplier_id}", json={"custom_fields": {"rating": 5}}, headers=supplier_user
    )
    assert error_fields(hidden) == ["custom_fields.rating"]


async def test_a_supplier_profile_lists_the_shown_custom_field_definitions_in_order_and_never_the_hidden_ones(
    active,
) -> None:  # type: ignore[no-untyped-def]
    client, buyer, supplier_user, supplier_id = active
    await define_field(client, buyer, "size", "choice", choices=["S", "M"], required=True, shown_in_portal=True)
    await define_field(client, buyer, "internal_note")
    await define_field(client, buyer, "founded", "date", shown_in_portal=True)
    await define_field(client, buyer, "headcount", "number", shown_in_portal=True)
    await patch_ok(client, "/api/v1/supplier-custom-fields/headcount", {"shown_in_portal": False}, buyer)
    await patch_ok(client, "/api/v1/supplier-custom-fields/internal_note", {"shown_in_portal": True}, buyer)
    buyers_order = [f["key"] for f in (await get_ok(client, "/api/v1/supplier-custom-fields", buyer))["items"]]
    shown = ["region", "size", "founded", "internal_note"]

    [listed] = (await get_ok(client, "/api/v1/portal/profiles", supplier_user))["items"]
    definitions = listed["custom_field_definitions"]
    assert [d["key"] for d in definitions] == [k for k in buyers_order if k in shown]
    assert {d["key"]: d for d in definitions}["size"] == {
        "key": "size",
        "label": "Size",
        "type": "choice",
        "choices": ["S", "M"],
        "required": True,
    }
    assert (await get_ok(client, f"/api/v1/portal/profiles/{supplier_id}", supplier_user)) == listed
    patched = await patch_ok(client, f"/api/v1/portal/profiles/{supplier_id}", {"lead_time_days": 3}, supplier_user)
    assert patched["custom_field_definitions"] == definitions


async def test_the_supplier_may_edit_every_shown_custom_field(active) -> None:  # type: ignore[no-untyped-def]
    client, buyer, supplier_user, supplier_id = active
    await define_field(client, buyer, "size", "choice", choices=["S", "M"], shown_in_portal=True)
    await define_field(client, buyer, "founded", "date", shown_in_portal=True)
    await define_field(client, buyer, "headcount", "number", shown_in_portal=True)
    profile = await get_ok(client, f"/api/v1/portal/profiles/{supplier_id}", supplier_user)
    value_of_type = {"text": "south", "choice": "M", "date": "1999-04-01", "number": "12"}
    values = {d["key"]: value_of_type[d["type"]] for d in profile["custom_field_definitions"]}
    assert values.keys() == {"region", "size", "founded", "headcount"}

    edited = await patch_ok(client, f"/api/v1/portal/profiles/{supplier_id}", {"custom_fields": values}, supplier_user)
    assert edited["custom_fields"] == values
    assert (await get_ok(client, f"/api/v1/suppliers/{supplier_id}", buyer))["custom_fields"] == {
        **values,
        "rating": "4",
    }


async def test_currency_is_the_buyers_and_always_reaches_the_profile(active) -> None:  # type: ignore[no-untyped-def]
    client, buyer, supplier_user, supplier_id = active
    await patch_ok(client, f"/api/v1/suppliers/{supplier_id}", {"currency": "USD"}, buyer)
    assert (await get_ok(client, f"/api/v1/portal/profiles/{supplier_id}", supplier_user))["currency"] == "USD"

    refused = await client.patch(
        f"/api/v1/portal/profiles/{supplier_id}", json={"currency": "GBP"}, headers=supplier_user
    )
    assert error_fields(refused) == ["currency"]

    await portal(client, buyer, supplier_id, "deactivate")
    await patch_ok(client, f"/api/v1/suppliers/{supplier_id}", {"currency": "CHF"}, buyer)
    assert (await get_ok(client, f"/api/v1/portal/profiles/{supplier_id}", supplier_user))["currency"] == "CHF"


async def test_terms_are_the_suppliers_and_read_only_for_the_buyer(active) -> None:  # type: ignore[no-untyped-def]
    client, buyer, supplier_user, supplier_id = active
    terms = {"minimum_order_amount": "500.00", "lead_time_days": 10}
    profile = await patch_ok(client, f"/api/v1/portal/profiles/{supplier_id}", terms, supplier_user)
    assert {k: profile[k] for k in terms} == terms

    record = await get_ok(client, f"/api/v1/suppliers/{supplier_id}", buyer)
    assert {k: record[k] for k in terms} == terms
    assert record["name"] == "Acme Tools" and record["email"] == "ap@acme.example"
    for field, value in terms.items():
        response = await client.patch(f"/api/v1/suppliers/{supplier_id}", json={field: value}, headers=buyer)
        assert error_fields(response) == [field]


async def test_legal_details_are_the_suppliers_own_like_its_phone(active) -> None:  # type: ignore[no-untyped-def]
    client, buyer, supplier_user, supplier_id = active
    details = {"legal_name": "Acme Tools GmbH", "address": "Main St 1\n10115 Berlin", "tax_id": "DE999"}
    profile = await patch_ok(client, f"/api/v1/portal/profiles/{supplier_id}", details, supplier_user)
    assert {k: profile[k] for k in details} == details
    # The supplier's edit reaches the buyer's record...
    record = await get_ok(client, f"/api/v1/suppliers/{supplier_id}", buyer)
    assert {k: record[k] for k in details} == details
    # ...the buyer's edit while the portal is active stays in the record.
    record = await patch_ok(client, f"/api/v1/suppliers/{supplier_id}", {"tax_id": "DE111", "address": ""}, buyer)
    assert (record["tax_id"], record["address"]) == ("DE111", None)
    profile = await get_ok(client, f"/api/v1/portal/profiles/{supplier_id}", supplier_user)
    assert (profile["tax_id"], profile["address"]) == ("DE999", details["address"])
    too_long = await client.patch(
        f"/api/v1/portal/profiles/{supplier_id}", json={"tax_id": "x" * 51}, headers=supplier_user
    )
    assert error_fields(too_long) == ["tax_id"]


async def test_edits_while_deactivated_stay_with_the_buyer_until_reactivation(active) -> None:  # type: ignore[no-untyped-def]
    client, buyer, supplier_user, supplier_id = active
    await patch_ok(client, f"/api/v1/portal/profiles/{supplier_id}", {"email": "sales@acme.example"}, supplier_user)
    await portal(client, buyer, supplier_id, "deactivate")
    refused = await client.patch(f"/api/v1/portal/profiles/{supplier_id}", json={"name": "x"}, headers=supplier_user)
    assert refused.status_code == 409

    edits = {"name": "Renamed", "email": "new@acme.example", "phone": "+49 7", "custom_fields": {"region": "west"}}
    record = await patch_ok(client, f"/api/v1/suppliers/{supplier_id}", edits, buyer)
    profile = record["portal_profile"]
    assert (profile["name"], profile["email"], profile["phone"]) == ("Acme Tools", "sales@acme.example", "+49 1")
    assert profile["custom_fields"] == {"region": "north"} and profile["portal_status"] == "inactive"

    await portal(client, buyer, supplier_id, "activate")
    profile = await get_ok(client, f"/api/v1/portal/profiles/{supplier_id}", supplier_user)
    assert (profile["name"], profile["email"], profile["phone"]) == ("Renamed", "new@acme.example", "+49 7")
    assert profile["custom_fields"] == {"region": "west"} and profile["portal_status"] == "active"


async def test_concurrent_edits_of_both_sides_are_all_kept(active) -> None:  # type: ignore[no-untyped-def]
    client, buyer, supplier_user, supplier_id = active
    before = await get_ok(client, f"/api/v1/suppliers/{supplier_id}", buyer)
    edits = [
        client.patch(
            f"/api/v1/portal/profiles/{supplier_id}", json={"email": "sales@acme.example"}, headers=supplier_user
        ),
        client.patch(f"/api/v1/suppliers/{supplier_id}", json={"currency": "USD"}, headers=buyer),
        client.patch(f"/api/v1/portal/profiles/{supplier_id}", json={"lead_time_days": 4}, headers=supplier_user),
        client.patch(f"/api/v1/suppliers/{supplier_id}", json={"tolerance_rate": "3"}, headers=buyer),
    ]
    assert [r.status_code for r in await asyncio.gather(*edits)] == [200] * 4
    record = await get_ok(client, f"/api/v1/suppliers/{supplier_id}", buyer)
    assert (record["email"], record["currency"]) == ("sales@acme.example", "USD")
    assert Decimal(record["tolerance_rate"]) == Decimal(3)
    assert (record["portal_profile"]["currency"], record["lead_time_days"]) == ("USD", 4)
    assert record["updated_at"] > before["updated_at"]


async def test_profiles_of_other_suppliers_and_tenants_are_404(active, tokens: Tokens) -> None:  # type: ignore[no-untyped-def]
    client, buyer, _, supplier_id = active
    stranger = tokens.headers(tokens.supplier(uuid.uuid4()))
    path = f"/api/v1/portal/profiles/{supplier_id}"
    assert (await client.get(path, headers=stranger)).status_code == 404
    assert (await client.patch(path, json={"name": "x"}, headers=stranger)).status_code == 404
    assert (await get_ok(client, "/api/v1/portal/profiles", stranger))["items"] == []

    for other in (buyer, tokens.headers(tokens.buyer(uuid.uuid4()))):
        assert (await client.get(path, headers=other)).status_code == 404
        assert (await client.patch(path, json={"name": "x"}, headers=other)).status_code == 404
        assert (await get_ok(client, "/api/v1/portal/profiles", other))["items"] == []


async def test_before_the_first_activation_there_is_no_profile(service, tokens: Tokens) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    buyer = tokens.headers(tokens.buyer(uuid.uuid4()))
    created = await create_supplier(client, buyer)
    assert created["portal_profile"] is None and created["minimum_order_amount"] is None
    supplier_user = tokens.headers(tokens.supplier(uuid.UUID(created["id"])))
    path = f"/api/v1/portal/profiles/{created['id']}"
    assert (await client.get(path, headers=supplier_user)).status_code == 404
    assert (await client.patch(path, json={"name": "x"}, headers=supplier_user)).status_code == 409
    assert (await get_ok(client, "/api/v1/portal/profiles", supplier_user))["items"] == []


@pytest.mark.parametrize(
    "body, field",
    [
        ({"tolerance_rate": "1"}, "tolerance_rate"),
        ({"portal_status": "active"}, "portal_status"),
        ({"minimum_order_amount": "-1"}, "minimum_order_amount"),
        ({"minimum_order_amount": "NaN"}, "minimum_order_amount"),
        ({"lead_time_days": -1}, "lead_time_days"),
        ({"lead_time_days": 1.5}, "lead_time_days"),
        ({"email": "not-an-email"}, "email"),
        ({"name": ""}, "name"),
        ({"custom_fields": {"colour": "red"}}, "custom_fields.colour"),
    ],
)
async def test_invalid_profile_edits_are_422_with_the_field(active, body: dict, field: str) -> None:  # type: ignore[no-untyped-def]
    client, _, supplier_user, supplier_id = active
    response = await client.patch(f"/api/v1/portal/profiles/{supplier_id}", json=body, headers=supplier_user)
    assert field in error_fields(response)
