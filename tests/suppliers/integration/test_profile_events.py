"""Events of the two views: published through the outbox with the profile and the supplier's terms."""

from __future__ import annotations

import uuid

from portal_dev.testing import Tokens
from shared.contracts.suppliers import SupplierProfileUpdated
from tests.suppliers.integration.support import create_supplier, define_field, patch_ok, portal, supplier_events


async def test_profile_edit_and_tolerance_change_publish_the_whole_state_with_profile_and_terms(
    service, tokens: Tokens, broker: str
) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    tenant = uuid.uuid4()
    buyer = tokens.headers(tokens.buyer(tenant))
    await define_field(client, buyer, "region", shown_in_portal=True)
    await define_field(client, buyer, "rating", "number")
    supplier = await create_supplier(client, buyer, custom_fields={"region": "north", "rating": 4})
    await portal(client, buyer, supplier["id"], "activate")
    supplier_user = tokens.headers(tokens.supplier(uuid.UUID(supplier["id"])))
    edit = {
        "email": "sales@acme.example",
        "minimum_order_amount": "500.00",
        "lead_time_days": 10,
        "address": "Main St 1",
    }
    await patch_ok(client, f"/api/v1/portal/profiles/{supplier['id']}", edit, supplier_user)
    await patch_ok(client, f"/api/v1/suppliers/{supplier['id']}", {"tolerance_rate": "2.5"}, buyer)

    created, activated, profile_updated, updated = await supplier_events(broker, 4)
    assert [e["type"] for e in (created, activated, profile_updated, updated)] == [
        "SupplierCreated",
        "SupplierPortalActivated",
        "SupplierProfileUpdated",
        "SupplierUpdated",
    ]
    assert created["data"]["portal_profile"] is None
    assert activated["data"]["portal_profile"]["email"] == "ap@acme.example"

    data = profile_updated["data"]
    assert profile_updated["tenant_id"] == str(tenant)
    assert (data["email"], data["minimum_order_amount"], data["lead_time_days"]) == ("sales@acme.example", "500.00", 10)
    assert data["custom_fields"] == {"region": "north", "rating": "4"}
    assert data["portal_profile"] == {
        "supplier_id": supplier["id"],
        "name": "Acme Tools",
        "email": "sales@acme.example",
        "phone": "+49 1",
        "currency": "EUR",
        "legal_name": None,
        "address": "Main St 1",
        "tax_id": None,
        "minimum_order_amount": "500.00",
        "lead_time_days": 10,
        "custom_fields": {"region": "north"},
        "portal_status": "active",
    }
    assert SupplierProfileUpdated.model_validate(data).revision == 3
    # The address is the supplier's own detail: its edit reaches the buyer's record and the event.
    assert data["address"] == "Main St 1"

    assert updated["data"]["tolerance_rate"] == "2.5"
    assert updated["data"]["revision"] == 4
    assert updated["data"]["minimum_order_amount"] == "500.00"
    assert updated["data"]["portal_profile"] == data["portal_profile"]
