"""The buyer's change to an acknowledged order waits for the supplier's acknowledgement: the order
says so, the counts hold it as unprocessed until then, and the acknowledgement is published."""

from __future__ import annotations

import uuid
from typing import Any

from tests.orders.integration.announcements import sent_order
from tests.orders.integration.support import OrdersService, invoice_event


async def test_a_change_after_the_acknowledgement_counts_as_unprocessed_until_acknowledged(
    orders: OrdersService,
) -> None:
    tenant = uuid.uuid4()
    buyer = orders.tokens.buyer(tenant)
    supplier_id = await orders.supplier(tenant)
    supplier = orders.tokens.supplier(supplier_id)

    async def summary(token: str) -> int:
        response = await orders.client.get("/api/v1/purchase-orders/summary", headers=orders.tokens.headers(token))
        assert response.status_code == 200, response.text
        return int(response.json()["unprocessed_orders"])

    async def change(order: dict[str, Any], delivery_date: str) -> dict[str, Any]:
        response = await orders.client.patch(
            f"/api/v1/purchase-orders/{order['id']}",
            json={"delivery_date": delivery_date},
            headers=orders.tokens.headers(buyer),
        )
        assert response.status_code == 200, response.text
        return response.json()

    order = await sent_order(orders, buyer, supplier_id)
    assert (order["acknowledged_revision"], order["change_unacknowledged"]) == (None, False)
    assert await summary(supplier) == 1
    acknowledged = (await orders.act(supplier, order["id"], "acknowledge")).json()
    assert acknowledged["acknowledged_revision"] == acknowledged["revision"]
    assert await summary(supplier) == 0

    changed = await change(order, "2027-01-15")
    assert (changed["status"], changed["change_unacknowledged"]) == ("acknowledged", True)
    assert changed["acknowledged_revision"] == acknowledged["revision"] < changed["revision"]
    assert (await summary(supplier), await summary(buyer)) == (1, 1)
    # A partly invoiced order's delivery date still moves, and waits for the supplier too.
    invoiced = await sent_order(orders, buyer, supplier_id)
    assert (await orders.act(supplier, invoiced["id"], "acknowledge")).status_code == 200
    await orders.handled("orders.invoices", (await orders.publish_event(invoice_event(invoiced, ["1"]), tenant)).id)
    await change(invoiced, "2027-02-01")
    assert await summary(supplier) == 2

    # Pages written by PostgreSQL say what each order says alone.
    page = await orders.client.get("/api/v1/purchase-orders", headers=orders.tokens.headers(supplier))
    for item in page.json()["items"]:
        assert item == (await orders.get(supplier, item["id"])).json()
    assert {x["id"]: x["change_unacknowledged"] for x in page.json()["items"]} == {
        order["id"]: True,
        invoiced["id"]: True,
    }

    again = await orders.act(supplier, order["id"], "acknowledge")
    assert again.status_code == 200, again.text
    now_acknowledged = again.json()
    assert (now_acknowledged["status"], now_acknowledged["change_unacknowledged"]) == ("acknowledged", False)
    assert now_acknowledged["acknowledged_revision"] == now_acknowledged["revision"]
    still_partly = (await orders.act(supplier, invoiced["id"], "acknowledge")).json()
    assert (still_partly["status"], still_partly["change_unacknowledged"]) == ("partially_invoiced", False)
    assert (await summary(supplier), await summary(buyer)) == (0, 0)

    repeated = await orders.act(supplier, order["id"], "acknowledge")
    assert repeated.status_code == 409, repeated.text
    assert "already acknowledged" in repeated.json()["detail"]

    # Each acknowledgement is published with the revision it acknowledged.
    # Submitted, acknowledged, changed, acknowledged; and for the partly invoiced one also invoiced.
    events = [e for e in await orders.events(9) if e["data"].get("purchase_order_id") == order["id"]]
    acknowledgements = [e["data"] for e in events if e["type"] == "PurchaseOrderAcknowledged"]
    assert [(a["revision"], a["acknowledged_revision"]) for a in acknowledgements] == [
        (acknowledged["revision"], acknowledged["revision"]),
        (now_acknowledged["revision"], now_acknowledged["revision"]),
    ]
    [changed_event] = [e["data"] for e in events if e["type"] == "PurchaseOrderChanged"]
    assert changed_event["change_unacknowledged"] is True
