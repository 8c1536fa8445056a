"""Events other services announce, as the tests of comments, terms and buyer names need them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from shared.contracts import Envelope
from shared.contracts.identity import OrganisationSettingsChanged
from shared.contracts.suppliers import SupplierCreated
from tests.orders.integration.support import OrdersService

ORGANISATIONS_TOPIC = "gateway.organisation.v1"


def organisation(tenant_id: uuid.UUID, name: str, *, revision: int = 1) -> OrganisationSettingsChanged:
    return OrganisationSettingsChanged(
        tenant_id=tenant_id,
        name=name,
        invoice_issue_date_required=False,
        supplier_portal_enabled=True,
        revision=revision,
        updated_at=datetime.now(UTC),
    )


async def announce_organisation(
    orders: OrdersService, tenant_id: uuid.UUID, name: str, *, revision: int = 1
) -> Envelope:
    """The gateway's announcement of the buyer organisation, arrived in the read model."""
    envelope = await orders.publish_event(organisation(tenant_id, name, revision=revision), tenant_id)
    await orders.handled("orders.organisations", envelope.id)
    return envelope


async def supplier_with_terms(
    orders: OrdersService,
    tenant_id: uuid.UUID,
    *,
    minimum_order_amount: str | None = None,
    lead_time_days: int | None = None,
) -> uuid.UUID:
    snapshot = SupplierCreated(
        supplier_id=uuid.uuid4(),
        tenant_id=tenant_id,
        name="Acme Tools",
        email="sales@acme.example",
        currency="EUR",
        tolerance_rate=Decimal("5"),
        portal_status="active",
        revision=1,
        updated_at=datetime.now(UTC),
        minimum_order_amount=Decimal(minimum_order_amount) if minimum_order_amount else None,
        lead_time_days=lead_time_days,
    )
    envelope = await orders.publish_event(snapshot, tenant_id)
    await orders.handled("orders.suppliers", envelope.id)
    return snapshot.supplier_id


async def sent_order(orders: OrdersService, buyer: str, supplier_id: uuid.UUID, **overrides: Any) -> dict[str, Any]:
    order = await orders.create(buyer, supplier_id, **overrides)
    response = await orders.act(buyer, order["id"], "submit")
    assert response.status_code == 200, response.text
    return response.json()
