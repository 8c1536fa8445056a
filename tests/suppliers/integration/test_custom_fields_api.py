"""Supplier custom fields through HTTP: the buyer's definitions and the checks on supplier values."""

from __future__ import annotations

import uuid

import pytest

from portal_dev.testing import Tokens
from tests.suppliers.integration.support import create_supplier, define_field, error_fields, get_ok, patch_ok

FIELDS = "/api/v1/supplier-custom-fields"


async def test_buyer_defines_lists_and_changes_custom_fields(service, tokens: Tokens) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    tenant = uuid.uuid4()
    admin = tokens.headers(tokens.buyer(tenant))
    user = tokens.headers(tokens.buyer(tenant, admin=False))
    size = await define_field(client, admin, "size", "choice", choices=["S", "M"], required=True)
    assert {k: size[k] for k in ("key", "type", "choices", "required", "shown_in_portal")} == {
        "key": "size",
        "type": "choice",
        "choices": ["S", "M"],
        "required": True,
        "shown_in_portal": False,
    }
    await define_field(client, user, "vat_id")

    listed = await get_ok(client, FIELDS, admin)
    assert sorted(f["key"] for f in listed["items"]) == ["size", "vat_id"] and listed["next_cursor"] is None
    first = await get_ok(client, f"{FIELDS}?limit=1", user)
    second = await get_ok(client, f"{FIELDS}?limit=1&cursor={first['next_cursor']}", user)
    assert {first["items"][0]["key"], second["items"][0]["key"]} == {"size", "vat_id"}

    changes = {"label": "Size class", "choices": ["S", "M", "L"], "required": False, "shown_in_portal": True}
    changed = await patch_ok(client, f"{FIELDS}/size", changes, user)
    assert {k: changed[k] for k in changes} == changes and changed["type"] == "choice"

    other_tenant = tokens.headers(tokens.buyer(uuid.uuid4()))
    assert (await get_ok(client, FIELDS, other_tenant))["items"] == []
    assert (await client.patch(f"{FIELDS}/size", json={"label": "x"}, headers=other_tenant)).status_code == 404


async def test_a_key_is_defined_once_per_tenant(service, tokens: Tokens) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    buyer = tokens.headers(tokens.buyer(uuid.uuid4()))
    await define_field(client, buyer, "vat_id")
    again = await client.post(FIELDS, json={"key": "vat_id", "label": "VAT", "type": "text"}, headers=buyer)
    assert again.status_code == 409
    await define_field(client, tokens.headers(tokens.buyer(uuid.uuid4())), "vat_id")


async def test_suppliers_may_not_define_or_read_definitions(service, tokens: Tokens) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    supplier_user = tokens.headers(tokens.supplier(uuid.uuid4()))
    body = {"key": "vat_id", "label": "VAT", "type": "text"}
    assert (await client.post(FIELDS, json=body, headers=supplier_user)).status_code == 403
    assert (await client.get(FIELDS, headers=supplier_user)).status_code == 403
    assert (await client.patch(f"{FIELDS}/vat_id", json={"label": "x"}, headers=supplier_user)).status_code == 403


@pytest.mark.parametrize(
    "body, field",
    [
        ({"key": "Not A Slug", "label": "x", "type": "text"}, "key"),
        ({"key": "size", "label": "Size", "type": "choice"}, "choices"),
        ({"key": "size", "label": "Size", "type": "choice", "choices": []}, "choices"),
        ({"key": "note", "label": "Note", "type": "text", "choices": ["a"]}, "choices"),
        ({"key": "size", "label": "Size", "type": "colour"}, "type"),
        ({"key": "size", "label": "", "type": "text"}, "label"),
        ({"key": "size", "label": "Size", "type": "text", "tenant_id": str(uuid.uuid4())}, "tenant_id"),
    ],
)
async def test_invalid_definitions_are_422(service, tokens: Tokens, body: dict, field: str) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    response = await client.post(FIELDS, json=body, headers=tokens.headers(tokens.buyer(uuid.uuid4())))
    assert field in error_fields(response)


async def test_key_and_type_cannot_change_and_choices_stay_valid(service, tokens: Tokens) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    buyer = tokens.headers(tokens.buyer(uuid.uuid4()))
    await define_field(client, buyer, "size", "choice", choices=["S"])
    for body, field in (({"type": "text"}, "type"), ({"key": "other"}, "key"), ({"choices": []}, "choices")):
        assert field in error_fields(await client.patch(f"{FIELDS}/size", json=body, headers=buyer))
    assert (await client.patch(f"{FIELDS}/missing", json={"label": "x"}, headers=buyer)).status_code == 404


@pytest.fixture
async def typed(service, tokens: Tokens):  # type: ignore[no-untyped-def]
    """A tenant with one field of each type: (client, buyer headers)."""
    client, _ = service
    buyer = tokens.headers(tokens.buyer(uuid.uuid4()))
    await define_field(client, buyer, "note")
    await define_field(client, buyer, "rating", "number")
    await define_field(client, buyer, "since", "date")
    await define_field(client, buyer, "size", "choice", choices=["S", "M"])
    return client, buyer


@pytest.mark.parametrize(
    "values, field",
    [
        ({"colour": "red"}, "custom_fields.colour"),
        ({"rating": "many"}, "custom_fields.rating"),
        ({"rating": True}, "custom_fields.rating"),
        ({"since": "05/01/2024"}, "custom_fields.since"),
        ({"since": "2023-02-29"}, "custom_fields.since"),
        ({"size": "XL"}, "custom_fields.size"),
        ({"note": 5}, "custom_fields.note"),
    ],
)
async def test_custom_field_values_are_checked_against_their_definitions(typed, values: dict, field: str) -> None:  # type: ignore[no-untyped-def]
    client, buyer = typed
    body = {"name": "Acme", "email": "ap@acme.example", "currency": "EUR", "custom_fields": values}
    assert error_fields(await client.post("/api/v1/suppliers", json=body, headers=buyer)) == [field]
    supplier = await create_supplier(client, buyer)
    patched = await client.patch(f"/api/v1/suppliers/{supplier['id']}", json={"custom_fields": values}, headers=buyer)
    assert error_fields(patched) == [field]


async def test_valid_custom_field_values_are_stored_normalised(typed) -> None:  # type: ignore[no-untyped-def]
    client, buyer = typed
    values = {"note": "net 30", "rating": 4.5, "since": "2024-05-01", "size": "M"}
    supplier = await create_supplier(client, buyer, custom_fields=values)
    assert supplier["custom_fields"] == {**values, "rating": "4.5"}
    patched = await patch_ok(client, f"/api/v1/suppliers/{supplier['id']}", {"custom_fields": {"note": None}}, buyer)
    assert "note" not in patched["custom_fields"] and patched["custom_fields"]["size"] == "M"


async def test_required_fields_must_be_present_when_the_buyer_creates_or_edits(service, tokens: Tokens) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    buyer = tokens.headers(tokens.buyer(uuid.uuid4()))
    before = await create_supplier(client, buyer)
    await define_field(client, buyer, "vat_id", required=True)

    missing = await client.post(
        "/api/v1/suppliers", json={"name": "A", "email": "a@a.example", "currency": "EUR"}, headers=buyer
    )
    assert error_fields(missing) == ["custom_fields.vat_id"]
    edit = await client.patch(f"/api/v1/suppliers/{before['id']}", json={"name": "Renamed"}, headers=buyer)
    assert error_fields(edit) == ["custom_fields.vat_id"]

    body = {"name": "Renamed", "custom_fields": {"vat_id": "DE123"}}
    assert (await patch_ok(client, f"/api/v1/suppliers/{before['id']}", body, buyer))["name"] == "Renamed"
    await create_supplier(client, buyer, custom_fields={"vat_id": "DE456"})


async def test_a_field_shown_later_appears_in_the_profile_with_the_buyers_value(service, tokens: Tokens) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    buyer = tokens.headers(tokens.buyer(uuid.uuid4()))
    await define_field(client, buyer, "payment_terms")
    supplier = await create_supplier(client, buyer, custom_fields={"payment_terms": "net 30"})
    await client.post(f"/api/v1/suppliers/{supplier['id']}/portal/activate", headers=buyer)
    supplier_user = tokens.headers(tokens.supplier(uuid.UUID(supplier["id"])))
    path = f"/api/v1/portal/profiles/{supplier['id']}"
    assert (await get_ok(client, path, supplier_user))["custom_fields"] == {}

    await patch_ok(client, f"{FIELDS}/payment_terms", {"shown_in_portal": True}, buyer)
    assert (await get_ok(client, path, supplier_user))["custom_fields"] == {"payment_terms": "net 30"}
    await patch_ok(client, path, {"custom_fields": {"payment_terms": "net 60"}}, supplier_user)
    record = await get_ok(client, f"/api/v1/suppliers/{supplier['id']}", buyer)
    assert record["custom_fields"] == {"payment_terms": "net 60"}
