"""Comments on purchase orders: both sides of a sent order talk, oldest first; others see nothing."""

from __future__ import annotations

import uuid

from tests.orders.integration.announcements import sent_order
from tests.orders.integration.support import OrdersService


def comments_path(order_id: str) -> str:
    return f"/api/v1/purchase-orders/{order_id}/comments"


async def test_buyer_and_supplier_comment_and_read_the_thread_oldest_first(orders: OrdersService) -> None:
    tenant, initiator, supplier_user = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    supplier_id = await orders.supplier(tenant)
    buyer = orders.tokens.buyer(tenant, admin=False, user_id=initiator)
    linked = orders.tokens.supplier(supplier_id, user_id=supplier_user)
    order = await sent_order(orders, buyer, supplier_id)
    path = comments_path(order["id"])

    asked = await orders.client.post(
        path, json={"body": "Can you deliver earlier?"}, headers=orders.tokens.headers(linked)
    )
    assert asked.status_code == 201, asked.text
    assert (asked.json()["author_id"], asked.json()["author_role"]) == (str(supplier_user), "supplier")
    assert asked.json()["author_name"] is None
    answered = await orders.client.post(path, json={"body": "No, thanks."}, headers=orders.tokens.headers(buyer))
    assert answered.json()["author_role"] == "buyer_user"

    for token in (buyer, linked):
        thread = (await orders.client.get(path, headers=orders.tokens.headers(token))).json()
        assert [c["body"] for c in thread["items"]] == ["Can you deliver earlier?", "No, thanks."]
        assert thread["next_cursor"] is None

    first = (await orders.client.get(path + "?limit=1", headers=orders.tokens.headers(buyer))).json()
    rest = (
        await orders.client.get(f"{path}?limit=1&cursor={first['next_cursor']}", headers=orders.tokens.headers(buyer))
    ).json()
    assert [c["body"] for c in first["items"] + rest["items"]] == ["Can you deliver earlier?", "No, thanks."]

    # Each comment is announced (the notifier tells the other side), naming the order's initiator.
    events = await orders.events(3)
    assert [e["type"] for e in events] == [
        "PurchaseOrderSubmitted",
        "PurchaseOrderCommentAdded",
        "PurchaseOrderCommentAdded",
    ]
    data = events[1]["data"]
    assert (data["comment_id"], data["purchase_order_id"], data["number"]) == (
        asked.json()["id"],
        order["id"],
        order["number"],
    )
    assert (data["initiator_id"], data["author_role"], data["body"]) == (
        str(initiator),
        "supplier",
        "Can you deliver earlier?",
    )
    assert events[2]["data"]["author_role"] == "buyer_user"


async def test_strangers_and_the_supplier_of_a_draft_get_404(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    supplier_id = await orders.supplier(tenant)
    buyer = orders.tokens.buyer(tenant)
    linked = orders.tokens.supplier(supplier_id)
    draft = await orders.create(buyer, supplier_id)
    path = comments_path(draft["id"])

    for token in (linked, orders.tokens.supplier(uuid.uuid4()), orders.tokens.buyer(uuid.uuid4())):
        headers = orders.tokens.headers(token)
        assert (await orders.client.post(path, json={"body": "hi"}, headers=headers)).status_code == 404
        assert (await orders.client.get(path, headers=headers)).status_code == 404

    # The buyer's own note on a draft is kept, and becomes visible to the supplier once it is sent.
    note = await orders.client.post(path, json={"body": "check prices"}, headers=orders.tokens.headers(buyer))
    assert note.status_code == 201
    await orders.act(buyer, draft["id"], "submit")
    seen = (await orders.client.get(path, headers=orders.tokens.headers(linked))).json()
    assert [c["body"] for c in seen["items"]] == ["check prices"]
    [event] = await orders.events(1)
    assert event["type"] == "PurchaseOrderSubmitted"


async def test_a_comment_needs_1_to_5000_characters_and_nothing_else(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    buyer = orders.tokens.buyer(tenant)
    order = await sent_order(orders, buyer, await orders.supplier(tenant))
    headers = orders.tokens.headers(buyer)
    for body in ({"body": ""}, {"body": "x" * 5001}, {"body": "   "}, {}, {"body": "ok", "author_id": "x"}):
        response = await orders.client.post(comments_path(order["id"]), json=body, headers=headers)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
    long_enough = await orders.client.post(comments_path(order["id"]), json={"body": "x" * 5000}, headers=headers)
    assert long_enough.status_code == 201
