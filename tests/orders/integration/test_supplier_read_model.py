"""The supplier read model follows supplier events and never goes back to an older revision."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from shared.contracts.suppliers import SupplierSnapshot, SupplierUpdated
from tests.orders.integration.support import OrdersService


def supplier_update(
    supplier_id: uuid.UUID, tenant_id: uuid.UUID, *, name: str, currency: str, revision: int
) -> SupplierSnapshot:
    return SupplierUpdated(
        supplier_id=supplier_id,
        tenant_id=tenant_id,
        name=name,
        email="sales@acme.example",
        currency=currency,
        tolerance_rate=Decimal("5"),
        portal_status="active",
        revision=revision,
        updated_at=datetime.now(UTC),
    )


async def test_newer_supplier_state_is_kept_and_an_older_revision_is_ignored(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    supplier_id = await orders.supplier(tenant, name="Acme Tools", currency="EUR")
    buyer = orders.tokens.buyer(tenant)

    renamed = supplier_update(supplier_id, tenant, name="Acme Tools GmbH", currency="USD", revision=3)
    await orders.handled("orders.suppliers", (await orders.publish_event(renamed, tenant)).id)
    stale = supplier_update(supplier_id, tenant, name="Acme (old)", currency="EUR", revision=2)
    await orders.handled("orders.suppliers", (await orders.publish_event(stale, tenant)).id)

    order = await orders.create(buyer, supplier_id, currency="USD")
    assert order["supplier_name"] == "Acme Tools GmbH"
    response = await orders.client.post(
        "/api/v1/purchase-orders",
        json={"supplier_id": str(supplier_id), "currency": "EUR", "lines": order_lines()},
        headers=orders.tokens.headers(buyer),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "currency"


async def test_the_same_supplier_event_delivered_twice_is_handled_once(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    supplier_id = await orders.supplier(tenant)
    update = supplier_update(supplier_id, tenant, name="Acme Tools AG", currency="EUR", revision=2)
    envelope = await orders.publish_event(update, tenant)
    await orders.publish_envelope(envelope, update)
    marker = await orders.publish_event(
        supplier_update(supplier_id, tenant, name="Acme Tools SE", currency="EUR", revision=3), tenant
    )
    await orders.handled("orders.suppliers", marker.id)
    assert await orders.scalar("SELECT count(*) FROM inbox WHERE event_id = :e", e=envelope.id) == 1
    assert await orders.scalar("SELECT name FROM suppliers WHERE id = :s", s=supplier_id) == "Acme Tools SE"


def order_lines() -> list[dict[str, str]]:
    return [{"description": "Bolts", "quantity": "1", "unit_price": "1"}]
