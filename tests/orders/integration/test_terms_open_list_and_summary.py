"""Supplier terms warn on submission; the open list and the portal summary count each side's orders."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from shared.contracts.suppliers import SupplierProfileUpdated
from tests.orders.integration.announcements import sent_order, supplier_with_terms
from tests.orders.integration.support import OrdersService, invoice_event


async def test_submitting_against_the_suppliers_terms_warns_both_sides_but_sends(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    buyer = orders.tokens.buyer(tenant)
    supplier_id = await supplier_with_terms(orders, tenant, minimum_order_amount="500", lead_time_days=30)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    order = await sent_order(orders, buyer, supplier_id, delivery_date=tomorrow)

    assert order["status"] == "sent"
    assert [w["code"] for w in order["warnings"]] == ["below_minimum_order_amount", "inside_lead_time"]
    assert order["warnings"][0]["message"] == (
        "net total 51.68 EUR is below the supplier's minimum order amount of 500.00 EUR"
    )
    assert "lead time of 30 days" in order["warnings"][1]["message"]
    for token in (buyer, orders.tokens.supplier(supplier_id)):
        assert (await orders.get(token, order["id"])).json()["warnings"] == order["warnings"]
    [event] = await orders.events(1)
    assert event["data"]["warnings"] == order["warnings"]


async def test_an_order_meeting_the_terms_exactly_has_no_warnings(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    buyer = orders.tokens.buyer(tenant)
    supplier_id = await supplier_with_terms(orders, tenant, minimum_order_amount="51.68", lead_time_days=10)
    on_time = (datetime.now(UTC) + timedelta(days=10)).date().isoformat()
    order = await sent_order(orders, buyer, supplier_id, delivery_date=on_time)
    assert order["warnings"] == []
    draft = await orders.create(buyer, supplier_id)
    assert draft["warnings"] == []


async def test_terms_the_supplier_sets_in_its_profile_apply_to_the_next_submission(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    buyer = orders.tokens.buyer(tenant)
    supplier_id = await supplier_with_terms(orders, tenant)
    profile = SupplierProfileUpdated(
        supplier_id=supplier_id,
        tenant_id=tenant,
        name="Acme Tools",
        email="sales@acme.example",
        currency="EUR",
        tolerance_rate=Decimal("5"),
        portal_status="active",
        revision=2,
        updated_at=datetime.now(UTC),
        minimum_order_amount=Decimal("100"),
    )
    await orders.handled("orders.suppliers", (await orders.publish_event(profile, tenant)).id)
    order = await sent_order(orders, buyer, supplier_id)
    assert [w["code"] for w in order["warnings"]] == ["below_minimum_order_amount"]


async def test_the_open_list_and_the_summary_count_each_sides_orders(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    buyer = orders.tokens.buyer(tenant)
    supplier_id, other_supplier = await orders.supplier(tenant), await orders.supplier(tenant)
    linked = orders.tokens.supplier(supplier_id)

    untouched = await sent_order(orders, buyer, supplier_id)
    acknowledged = await sent_order(orders, buyer, supplier_id)
    await orders.act(linked, acknowledged["id"], "acknowledge")
    # A live invoice that bills no PO line leaves the order "sent", yet the supplier did act on it.
    invoiced_new_items = await sent_order(orders, buyer, supplier_id)
    partly = await sent_order(orders, buyer, supplier_id)
    fully = await sent_order(orders, buyer, supplier_id)
    for order, quantities in ((invoiced_new_items, [None, None]), (partly, ["1", None]), (fully, ["10", "5"])):
        envelope = await orders.publish_event(invoice_event(order, quantities), tenant)
        await orders.handled("orders.invoices", envelope.id)
    canceled = await sent_order(orders, buyer, supplier_id)
    await orders.act(buyer, canceled["id"], "cancel")
    closed = await sent_order(orders, buyer, supplier_id)
    await orders.act(buyer, closed["id"], "close")
    draft = await orders.create(buyer, supplier_id)
    elsewhere = await sent_order(orders, buyer, other_supplier)

    async def listed(token: str, query: str) -> set[str]:
        page = await orders.client.get(f"/api/v1/purchase-orders?{query}", headers=orders.tokens.headers(token))
        assert page.status_code == 200, page.text
        return {x["id"] for x in page.json()["items"]}

    supplier_open = {untouched["id"], acknowledged["id"], invoiced_new_items["id"], partly["id"]}
    assert await listed(linked, "open=true") == supplier_open
    assert await listed(buyer, "open=true") == supplier_open | {elsewhere["id"]}
    assert await listed(buyer, "open=false") == {fully["id"], canceled["id"], closed["id"], draft["id"]}
    assert await listed(linked, "open=false") == {fully["id"], canceled["id"], closed["id"]}

    async def summary(token: str) -> dict[str, int]:
        response = await orders.client.get("/api/v1/purchase-orders/summary", headers=orders.tokens.headers(token))
        assert response.status_code == 200, response.text
        return response.json()

    none = {"draft": 0, "sent": 0, "acknowledged": 0, "partially_invoiced": 0, "fully_invoiced": 0}
    none |= {"canceled": 0, "closed": 0}
    seen_by_supplier = none | {"sent": 2, "acknowledged": 1, "partially_invoiced": 1, "fully_invoiced": 1}
    seen_by_supplier |= {"canceled": 1, "closed": 1}
    assert await summary(linked) == {"unprocessed_orders": 1, "open_orders": 4, "orders_by_status": seen_by_supplier}
    seen_by_buyer = seen_by_supplier | {"draft": 1, "sent": 3}
    assert await summary(buyer) == {"unprocessed_orders": 2, "open_orders": 5, "orders_by_status": seen_by_buyer}
    nothing = {"unprocessed_orders": 0, "open_orders": 0, "orders_by_status": none}
    assert await summary(orders.tokens.supplier(uuid.uuid4())) == nothing
    assert await summary(orders.tokens.buyer(uuid.uuid4())) == nothing
