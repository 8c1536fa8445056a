"""What an order says of its parties, its initiator, its payment terms and its delivery address,
learned from the gateway's and the suppliers' events: on answers, list pages, events and the PDF."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from pypdf import PdfReader

from shared.contracts.identity import OrganisationSettingsChanged, UserRegistered, UserUpdated
from shared.contracts.suppliers import SupplierCreated, SupplierProfileUpdated
from tests.orders.integration.announcements import sent_order
from tests.orders.integration.support import OrdersService

NOW = datetime.now(UTC)
WAREHOUSE = "Globex Warehouse 3\nDock 12\n20457 Hamburg"


async def buyer_organisation(orders: OrdersService, tenant: uuid.UUID, **details: Any) -> None:
    payload = OrganisationSettingsChanged(
        tenant_id=tenant,
        name="Globex",
        invoice_issue_date_required=False,
        supplier_portal_enabled=True,
        revision=1,
        updated_at=NOW,
        **details,
    )
    await orders.handled("orders.organisations", (await orders.publish_event(payload, tenant)).id)


async def legal_supplier(orders: OrdersService, tenant: uuid.UUID, **details: Any) -> uuid.UUID:
    payload = SupplierCreated(
        supplier_id=uuid.uuid4(),
        tenant_id=tenant,
        name="Acme",
        email="sales@acme.example",
        currency="EUR",
        tolerance_rate=Decimal("0"),
        portal_status="active",
        revision=1,
        updated_at=NOW,
        **details,
    )
    await orders.handled("orders.suppliers", (await orders.publish_event(payload, tenant)).id)
    return payload.supplier_id


async def user(
    orders: OrdersService, tenant: uuid.UUID, user_id: uuid.UUID, name: str, email: str, *, at: datetime = NOW
) -> uuid.UUID:
    payload = UserUpdated(user_id=user_id, tenant_id=tenant, email=email, name=name, role="buyer_user", updated_at=at)
    envelope = await orders.publish_event(payload, tenant)
    await orders.handled("orders.users", envelope.id)
    return envelope.id


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


async def test_an_order_names_both_parties_its_initiator_terms_and_delivery_address_as_the_events_told(
    orders: OrdersService,
) -> None:
    tenant, initiator = uuid.uuid4(), uuid.uuid4()
    await buyer_organisation(
        orders,
        tenant,
        legal_name="Globex Buying GmbH",
        address="Hauptstrasse 1\n10115 Berlin",
        tax_id="DE123456789",
        contact_name="Pat Purchasing",
        contact_email="purchasing@globex.example",
        contact_phone="+49 30 123456",
    )
    supplier_id = await legal_supplier(
        orders,
        tenant,
        legal_name="Acme Tools Ltd",
        address="7 Mill Road\nSheffield",
        tax_id="GB987",
        payment_terms_days=45,
    )
    await user(orders, tenant, initiator, "Dana Buyer", "dana@globex.example")
    buyer = orders.tokens.buyer(tenant, user_id=initiator)

    order = await sent_order(
        orders, buyer, supplier_id, delivery_address="Globex Warehouse 3\r\nDock 12\r\n20457 Hamburg"
    )
    assert order["buyer"] == {
        "legal_name": "Globex Buying GmbH",
        "address": "Hauptstrasse 1\n10115 Berlin",
        "tax_id": "DE123456789",
        "contact_name": "Pat Purchasing",
        "contact_email": "purchasing@globex.example",
        "contact_phone": "+49 30 123456",
    }
    assert order["supplier"] == {
        "legal_name": "Acme Tools Ltd",
        "address": "7 Mill Road\nSheffield",
        "tax_id": "GB987",
        "contact_name": None,
        "contact_email": None,
        "contact_phone": None,
    }
    told = {
        name: order[name] for name in ("initiator_name", "initiator_email", "payment_terms_days", "delivery_address")
    }
    assert told == {
        "initiator_name": "Dana Buyer",
        "initiator_email": "dana@globex.example",
        "payment_terms_days": 45,
        "delivery_address": WAREHOUSE,
    }

    [submitted] = await orders.events(1)
    assert {name: submitted["data"][name] for name in told} == told
    assert submitted["data"]["buyer"] == order["buyer"] and submitted["data"]["supplier"] == order["supplier"]
    # The list page's documents, written by PostgreSQL, say the same as the order's answer.
    page = await orders.client.get("/api/v1/purchase-orders", headers=orders.tokens.headers(buyer))
    [listed] = page.json()["items"]
    assert listed == (await orders.get(buyer, order["id"])).json()

    supplier_token = orders.tokens.supplier(supplier_id)
    exported = await orders.client.get(
        f"/api/v1/purchase-orders/{order['id']}/export?format=pdf", headers=orders.tokens.headers(supplier_token)
    )
    text = pdf_text(exported.content)
    for expected in (
        "Buyer Globex Buying GmbH",
        "Tax ID DE123456789",
        "Contact Pat Purchasing, purchasing@globex.example, +49 30 123456",
        "Supplier Acme Tools Ltd",
        "Address 7 Mill Road\nSheffield",
        "Ordered by Dana Buyer (dana@globex.example)",
        "Delivery address Globex Warehouse 3\nDock 12\n20457 Hamburg",
        "Payment terms 45 days net",
    ):
        assert expected in text, expected


async def test_without_terms_of_its_own_the_supplier_is_paid_on_the_organisations_default_and_details_follow_changes(
    orders: OrdersService,
) -> None:
    tenant = uuid.uuid4()
    await buyer_organisation(orders, tenant, default_payment_terms_days=60, address="Hauptstrasse 1\n10115 Berlin")
    supplier_id = await legal_supplier(orders, tenant)
    buyer = orders.tokens.buyer(tenant)
    draft = await orders.create(buyer, supplier_id)
    assert (draft["payment_terms_days"], draft["supplier"]["legal_name"], draft["delivery_address"]) == (60, None, None)
    assert (draft["initiator_name"], draft["initiator_email"]) == (None, None)

    # The supplier fills in its legal details in its profile before the order is sent.
    profile = SupplierProfileUpdated(
        supplier_id=supplier_id,
        tenant_id=tenant,
        name="Acme",
        email="sales@acme.example",
        currency="EUR",
        tolerance_rate=Decimal("0"),
        portal_status="active",
        revision=2,
        updated_at=NOW,
        legal_name="Acme Tools Ltd",
        payment_terms_days=14,
    )
    await orders.handled("orders.suppliers", (await orders.publish_event(profile, tenant)).id)
    response = await orders.act(buyer, draft["id"], "submit")
    [submitted] = await orders.events(1)
    assert (submitted["data"]["supplier"]["legal_name"], submitted["data"]["payment_terms_days"]) == (
        "Acme Tools Ltd",
        14,
    )
    exported = await orders.client.get(
        f"/api/v1/purchase-orders/{response.json()['id']}/export?format=pdf", headers=orders.tokens.headers(buyer)
    )
    text = pdf_text(exported.content)
    # No delivery address of its own: the goods go to the buyer's address.
    assert "Delivery address Hauptstrasse 1\n10115 Berlin" in text and "Ordered by -" in text


async def test_a_users_older_or_repeated_announcement_changes_nothing(orders: OrdersService) -> None:
    tenant, initiator = uuid.uuid4(), uuid.uuid4()
    await user(orders, tenant, initiator, "Dana Buyer", "dana@globex.example")
    older = UserRegistered(
        user_id=initiator,
        tenant_id=tenant,
        email="old@globex.example",
        name="Dana Old",
        role="buyer_user",
        updated_at=NOW - timedelta(days=1),
    )
    envelope = await orders.publish_event(older, tenant)
    await orders.publish_envelope(envelope, older)
    marker = await user(orders, tenant, uuid.uuid4(), "Someone Else", "else@globex.example")
    await orders.handled("orders.users", marker)
    await orders.handled("orders.users", envelope.id)
    count = await orders.scalar(
        "SELECT count(*) FROM inbox WHERE consumer = 'orders.users' AND event_id = :e", e=envelope.id
    )
    assert count == 1
    assert await orders.scalar("SELECT email FROM users WHERE user_id = :u", u=initiator) == "dana@globex.example"


async def test_a_delivery_address_changed_on_a_sent_order_is_told_and_a_control_character_is_refused(
    orders: OrdersService,
) -> None:
    tenant = uuid.uuid4()
    buyer = orders.tokens.buyer(tenant)
    order = await sent_order(orders, buyer, await orders.supplier(tenant))
    headers = orders.tokens.headers(buyer)
    path = f"/api/v1/purchase-orders/{order['id']}"

    refused = await orders.client.patch(path, json={"delivery_address": "Dock\t12"}, headers=headers)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in json.loads(refused.content)["errors"]] == ["delivery_address"]
    too_long = await orders.client.post(
        "/api/v1/purchase-orders",
        json={
            "supplier_id": order["supplier_id"],
            "currency": "EUR",
            "delivery_address": "x" * 501,
            "lines": [{"description": "Bolts", "quantity": "1", "unit_price": "1"}],
        },
        headers=headers,
    )
    assert too_long.status_code == 422, too_long.text

    changed = await orders.client.patch(path, json={"delivery_address": WAREHOUSE}, headers=headers)
    assert changed.status_code == 200 and changed.json()["delivery_address"] == WAREHOUSE
    _submitted, change = await orders.events(2)
    assert change["type"] == "PurchaseOrderChanged"
    assert change["data"]["changes"] == [{"field": "delivery_address", "before": None, "after": WAREHOUSE}]
    assert change["data"]["delivery_address"] == WAREHOUSE
