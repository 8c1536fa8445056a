"""The buyer changes a sent order: the supplier is told each changed field with the new state."""

from __future__ import annotations

import uuid

from tests.orders.integration.announcements import sent_order
from tests.orders.integration.support import OrdersService, invoice_event


def patch_path(order_id: str) -> str:
    return f"/api/v1/purchase-orders/{order_id}"


async def test_a_sent_order_changes_and_publishes_what_changed(orders: OrdersService) -> None:
    tenant, initiator = uuid.uuid4(), uuid.uuid4()
    supplier_id = await orders.supplier(tenant)
    buyer = orders.tokens.buyer(tenant, admin=False, user_id=initiator)
    linked = orders.tokens.supplier(supplier_id)
    order = await sent_order(orders, buyer, supplier_id, delivery_date="2027-01-15")
    assert (await orders.act(linked, order["id"], "acknowledge")).status_code == 200
    headers = orders.tokens.headers(buyer)

    moved = await orders.client.patch(patch_path(order["id"]), json={"delivery_date": "2027-02-01"}, headers=headers)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["delivery_date"], moved.json()["status"]) == ("2027-02-01", "acknowledged")

    lines = [
        {
            "id": order["lines"][0]["id"],
            "description": "Bolts M8",
            "quantity": "10",
            "unit_price": "5.00",
            "sku": "B-8",
            "unit": "pcs",
        },
        {"id": order["lines"][1]["id"], "description": "Nuts M8", "quantity": "8", "unit_price": "0.335"},
        {"description": "Washers", "quantity": "3", "unit_price": "2.5"},
    ]
    relined = await orders.client.patch(patch_path(order["id"]), json={"lines": lines}, headers=headers)
    assert relined.status_code == 200, relined.text
    assert relined.json()["status"] == "acknowledged"
    assert [x["id"] for x in relined.json()["lines"][:2]] == [x["id"] for x in order["lines"]]
    assert relined.json()["net_total"] == "60.18"  # 50.00 + 8 × 0.335 = 2.68 + 7.50

    # Nothing changed: nothing is published.
    same = await orders.client.patch(patch_path(order["id"]), json={"delivery_date": "2027-02-01"}, headers=headers)
    assert same.status_code == 200
    assert same.json()["revision"] == relined.json()["revision"]

    events = await orders.events(4)
    assert [e["type"] for e in events] == [
        "PurchaseOrderSubmitted",
        "PurchaseOrderAcknowledged",
        "PurchaseOrderChanged",
        "PurchaseOrderChanged",
    ]
    assert events[2]["data"]["changes"] == [{"field": "delivery_date", "before": "2027-01-15", "after": "2027-02-01"}]
    assert events[3]["data"]["changes"] == [
        {"field": "line 2 quantity", "before": "5", "after": "8"},
        {"field": "line 3", "before": None, "after": "3 Washers at 2.5"},
    ]
    assert events[3]["data"]["net_total"] == "60.18"
    assert events[3]["data"]["status"] == "acknowledged"
    assert len(events[3]["data"]["lines"]) == 3
    assert await orders.scalar("SELECT count(*) FROM outbox WHERE event_type = 'PurchaseOrderChanged'") == 2


async def test_only_the_initiator_or_an_admin_changes_a_sent_order(orders: OrdersService) -> None:
    tenant, initiator = uuid.uuid4(), uuid.uuid4()
    supplier_id = await orders.supplier(tenant)
    buyer = orders.tokens.buyer(tenant, admin=False, user_id=initiator)
    order = await sent_order(orders, buyer, supplier_id)
    change = {"delivery_date": "2027-03-01"}
    for token in (orders.tokens.buyer(tenant, admin=False), orders.tokens.supplier(supplier_id)):
        response = await orders.client.patch(patch_path(order["id"]), json=change, headers=orders.tokens.headers(token))
        assert response.status_code == 403
    stranger = orders.tokens.headers(orders.tokens.buyer(uuid.uuid4()))
    assert (await orders.client.patch(patch_path(order["id"]), json=change, headers=stranger)).status_code == 404
    admin = orders.tokens.headers(orders.tokens.buyer(tenant))
    assert (await orders.client.patch(patch_path(order["id"]), json=change, headers=admin)).status_code == 200


async def test_invoiced_lines_stay_but_the_delivery_date_moves_until_the_order_closes(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    buyer = orders.tokens.buyer(tenant)
    headers = orders.tokens.headers(buyer)
    order = await sent_order(orders, buyer, await orders.supplier(tenant))
    await orders.handled("orders.invoices", (await orders.publish_event(invoice_event(order, ["3"]), tenant)).id)

    lines = {"lines": [{"description": "Bolts", "quantity": "20", "unit_price": "5"}]}
    refused = await orders.client.patch(patch_path(order["id"]), json=lines, headers=headers)
    assert refused.status_code == 409
    assert "already invoiced" in refused.json()["detail"]
    moved = await orders.client.patch(patch_path(order["id"]), json={"delivery_date": "2027-04-01"}, headers=headers)
    assert moved.status_code == 200
    assert moved.json()["status"] == "partially_invoiced"

    await orders.act(buyer, order["id"], "close")
    closed = await orders.client.patch(patch_path(order["id"]), json={"delivery_date": "2027-05-01"}, headers=headers)
    assert closed.status_code == 409


async def test_a_line_id_of_another_order_is_refused(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    buyer = orders.tokens.buyer(tenant)
    supplier_id = await orders.supplier(tenant)
    order, other = await sent_order(orders, buyer, supplier_id), await sent_order(orders, buyer, supplier_id)
    lines = [{"id": other["lines"][0]["id"], "description": "Bolts", "quantity": "1", "unit_price": "1"}]
    response = await orders.client.patch(
        patch_path(order["id"]), json={"lines": lines}, headers=orders.tokens.headers(buyer)
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "lines.0.id"
