"""Who sees and acts on a purchase order: the buyer's tenant, the linked supplier, nobody else."""

from __future__ import annotations

import uuid

from tests.orders.integration.support import OrdersService


async def test_the_linked_supplier_sees_sent_orders_and_nobody_else_sees_them(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    supplier_id = await orders.supplier(tenant)
    buyer = orders.tokens.buyer(tenant)
    linked = orders.tokens.supplier(supplier_id)
    other_supplier = orders.tokens.supplier(uuid.uuid4())
    other_tenant = orders.tokens.buyer(uuid.uuid4())
    order = await orders.create(buyer, supplier_id)

    # A draft is the buyer's own work: the supplier learns of it when it is sent.
    assert (await orders.get(linked, order["id"])).status_code == 404
    listed = await orders.client.get("/api/v1/purchase-orders", headers=orders.tokens.headers(linked))
    assert listed.json()["items"] == []

    await orders.act(buyer, order["id"], "submit")
    seen = await orders.get(linked, order["id"])
    assert seen.status_code == 200
    assert [x["remaining_quantity"] for x in seen.json()["lines"]] == ["10", "5"]
    listed = await orders.client.get("/api/v1/purchase-orders", headers=orders.tokens.headers(linked))
    assert [x["id"] for x in listed.json()["items"]] == [order["id"]]

    for stranger in (other_supplier, other_tenant):
        response = await orders.get(stranger, order["id"])
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert (await orders.act(stranger, order["id"], "cancel")).status_code == 404
        stranger_list = await orders.client.get("/api/v1/purchase-orders", headers=orders.tokens.headers(stranger))
        assert stranger_list.json()["items"] == []

    # The supplier sees the order but the buyer's actions are not its to take.
    assert (await orders.act(linked, order["id"], "cancel")).status_code == 403
    assert (await orders.act(linked, order["id"], "close")).status_code == 403


async def test_the_supplier_acknowledges_a_sent_order_once(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    supplier_id = await orders.supplier(tenant)
    buyer = orders.tokens.buyer(tenant)
    linked = orders.tokens.supplier(supplier_id)
    order = await orders.create(buyer, supplier_id)
    await orders.act(buyer, order["id"], "submit")

    assert (await orders.act(buyer, order["id"], "acknowledge")).status_code == 403
    acknowledged = await orders.act(linked, order["id"], "acknowledge")
    assert acknowledged.status_code == 200, acknowledged.text
    assert acknowledged.json()["status"] == "acknowledged"
    again = await orders.act(linked, order["id"], "acknowledge")
    assert again.status_code == 409
    assert again.json()["status"] == 409

    events = await orders.events(2)
    assert [e["type"] for e in events] == ["PurchaseOrderSubmitted", "PurchaseOrderAcknowledged"]
    assert events[1]["data"]["status"] == "acknowledged"
    assert events[1]["data"]["revision"] > events[0]["data"]["revision"]


async def test_the_initiator_or_an_admin_cancels_and_closes(orders: OrdersService) -> None:
    tenant, initiator = uuid.uuid4(), uuid.uuid4()
    supplier_id = await orders.supplier(tenant)
    buyer = orders.tokens.buyer(tenant, admin=False, user_id=initiator)
    colleague = orders.tokens.buyer(tenant, admin=False)
    admin = orders.tokens.buyer(tenant)

    canceled_draft = await orders.create(buyer, supplier_id)
    assert (await orders.act(buyer, canceled_draft["id"], "cancel")).json()["status"] == "canceled"

    to_cancel = await orders.create(buyer, supplier_id)
    to_close = await orders.create(buyer, supplier_id)
    for order in (to_cancel, to_close):
        await orders.act(buyer, order["id"], "submit")
    assert (await orders.act(colleague, to_cancel["id"], "cancel")).status_code == 403
    assert (await orders.act(buyer, to_cancel["id"], "cancel")).json()["status"] == "canceled"
    assert (await orders.act(admin, to_close["id"], "close")).json()["status"] == "closed"
    assert (await orders.act(admin, to_close["id"], "cancel")).status_code == 409
    assert (await orders.act(buyer, to_cancel["id"], "close")).status_code == 409

    events = await orders.events(4)
    # The canceled draft was never published, so nothing is said about it.
    assert {e["data"]["purchase_order_id"] for e in events} == {to_cancel["id"], to_close["id"]}
    assert sorted(e["type"] for e in events) == [
        "PurchaseOrderCanceled",
        "PurchaseOrderClosed",
        "PurchaseOrderSubmitted",
        "PurchaseOrderSubmitted",
    ]


async def test_lists_filter_by_status_and_supplier_and_page_newest_first(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    buyer = orders.tokens.buyer(tenant)
    first_supplier, second_supplier = await orders.supplier(tenant), await orders.supplier(tenant)
    created = [await orders.create(buyer, first_supplier) for _ in range(4)]
    other = await orders.create(buyer, second_supplier)
    await orders.act(buyer, created[0]["id"], "submit")
    headers = orders.tokens.headers(buyer)

    numbers: list[str] = []
    cursor = None
    while True:
        query = "/api/v1/purchase-orders?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await orders.client.get(query, headers=headers)).json()
        numbers += [x["number"] for x in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert numbers == ["PO-000005", "PO-000004", "PO-000003", "PO-000002", "PO-000001"]

    sent = (await orders.client.get("/api/v1/purchase-orders?status=sent", headers=headers)).json()
    assert [x["id"] for x in sent["items"]] == [created[0]["id"]]
    by_supplier = (
        await orders.client.get(f"/api/v1/purchase-orders?supplier_id={second_supplier}", headers=headers)
    ).json()
    assert [x["id"] for x in by_supplier["items"]] == [other["id"]]
    assert (await orders.client.get("/api/v1/purchase-orders?status=lost", headers=headers)).status_code == 422
    assert (await orders.client.get("/api/v1/purchase-orders?cursor=garbage", headers=headers)).status_code == 422


async def test_requests_without_a_valid_token_are_401(orders: OrdersService) -> None:
    assert (await orders.client.get("/api/v1/purchase-orders")).status_code == 401
    forged = {"Authorization": "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."}
    assert (await orders.client.get("/api/v1/purchase-orders", headers=forged)).status_code == 401
