"""Goods receipts on the real servers: recorded and reversed by the buyer, read by both sides,
counted in the lines' received quantities on answers, pages and every event of the order."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.contracts.identity import OrganisationSettingsChanged
from tests.orders.integration.support import OrdersService

NOW = datetime.now(UTC)
TODAY = NOW.date().isoformat()


async def sent_order(orders: OrdersService) -> tuple[str, str, dict[str, Any]]:
    """A buyer token, the supplier's token and an order (lines: 10 and 5) the supplier has received."""
    tenant = uuid.uuid4()
    supplier_id = await orders.supplier(tenant)
    buyer = orders.tokens.buyer(tenant, admin=False)
    order = await orders.create(buyer, supplier_id)
    order = (await orders.act(buyer, order["id"], "submit")).json()
    return buyer, orders.tokens.supplier(supplier_id), order


async def post_receipt(orders: OrdersService, token: str, order: dict[str, Any], *quantities: str | None, **body: Any):  # type: ignore[no-untyped-def]
    lines = [
        {"purchase_order_line_id": line["id"], "quantity": quantity}
        for line, quantity in zip(order["lines"], quantities, strict=False)
        if quantity is not None
    ]
    return await orders.client.post(
        f"/api/v1/purchase-orders/{order['id']}/receipts",
        json={"received_on": TODAY, "lines": lines} | body,
        headers=orders.tokens.headers(token),
    )


async def received(orders: OrdersService, token: str, order: dict[str, Any]) -> list[str]:
    current = (await orders.get(token, order["id"])).json()
    return [line["received_quantity"] for line in current["lines"]]


async def test_a_receipt_recorded_and_reversed_moves_received_quantities_on_answers_pages_and_events(
    orders: OrdersService,
) -> None:
    buyer, supplier, order = await sent_order(orders)
    first = await post_receipt(orders, buyer, order, "4", "5", note="  pallet 1  ")
    assert first.status_code == 201, first.text
    receipt = first.json()
    assert receipt["number"] == f"{order['number']}-GR1"
    assert (receipt["status"], receipt["note"], receipt["received_on"]) == ("recorded", "pallet 1", TODAY)
    assert [(x["line_no"], x["description"], x["quantity"]) for x in receipt["lines"]] == [
        (1, "Bolts M8", "4"),
        (2, "Nuts M8", "5"),
    ]
    second = (await post_receipt(orders, buyer, order, "1.5")).json()
    assert second["number"] == f"{order['number']}-GR2"
    assert await received(orders, buyer, order) == ["5.5", "5"]
    assert await received(orders, supplier, order) == ["5.5", "5"]
    [listed] = (await orders.client.get("/api/v1/purchase-orders", headers=orders.tokens.headers(buyer))).json()[
        "items"
    ]
    assert [x["received_quantity"] for x in listed["lines"]] == ["5.5", "5"]

    reverse = f"/api/v1/purchase-orders/{order['id']}/receipts/{receipt['id']}/reverse"
    reversed_receipt = await orders.client.post(reverse, headers=orders.tokens.headers(buyer))
    assert reversed_receipt.status_code == 200, reversed_receipt.text
    assert reversed_receipt.json()["status"] == "reversed" and reversed_receipt.json()["reversed_at"]
    assert await received(orders, buyer, order) == ["1.5", "0"]
    again = await orders.client.post(reverse, headers=orders.tokens.headers(buyer))
    assert again.status_code == 409, again.text

    for token in (buyer, supplier):
        answer = await orders.client.get(
            f"/api/v1/purchase-orders/{order['id']}/receipts", headers=orders.tokens.headers(token)
        )
        assert [(x["number"], x["status"]) for x in answer.json()["items"]] == [
            (receipt["number"], "reversed"),
            (second["number"], "recorded"),
        ]

    events = await orders.events(4)
    assert [e["type"] for e in events] == [
        "PurchaseOrderSubmitted",
        "GoodsReceiptRecorded",
        "GoodsReceiptRecorded",
        "GoodsReceiptReversed",
    ]
    assert [[x["received_quantity"] for x in e["data"]["lines"]] for e in events] == [
        ["0", "0"],
        ["4", "5"],
        ["5.5", "5"],
        ["1.5", "0"],
    ]
    assert [e["data"]["revision"] for e in events] == [order["revision"] + n for n in range(4)]
    assert events[1]["data"]["receipt"]["receipt_id"] == receipt["id"]
    assert events[3]["data"]["receipt"]["status"] == "reversed"
    assert all(e["data"]["receipt"]["recorded_by"] == receipt["recorded_by"] for e in events[1:])


async def test_receipts_are_the_buyers_and_another_supplier_does_not_see_them(orders: OrdersService) -> None:
    buyer, supplier, order = await sent_order(orders)
    refused = await post_receipt(orders, supplier, order, "1")
    assert refused.status_code == 403, refused.text
    stranger = orders.tokens.supplier(uuid.uuid4())
    path = f"/api/v1/purchase-orders/{order['id']}/receipts"
    assert (await orders.client.get(path, headers=orders.tokens.headers(stranger))).status_code == 404
    assert (await post_receipt(orders, stranger, order, "1")).status_code == 404
    other_buyer = orders.tokens.buyer(uuid.uuid4())
    assert (await post_receipt(orders, other_buyer, order, "1")).status_code == 404
    receipt = (await post_receipt(orders, buyer, order, "1")).json()
    reverse = f"{path}/{receipt['id']}/reverse"
    assert (await orders.client.post(reverse, headers=orders.tokens.headers(supplier))).status_code == 403
    unknown = f"{path}/{uuid.uuid4()}/reverse"
    assert (await orders.client.post(unknown, headers=orders.tokens.headers(buyer))).status_code == 404


async def test_a_receipt_that_says_what_cannot_be_is_refused_and_changes_nothing(orders: OrdersService) -> None:
    buyer, _, order = await sent_order(orders)
    tomorrow = (NOW + timedelta(days=1)).date().isoformat()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"lines": [{"purchase_order_line_id": order["lines"][0]["id"], "quantity": "10.5"}]}, "lines.0.quantity"),
        ({"lines": [{"purchase_order_line_id": str(uuid.uuid4()), "quantity": "1"}]}, "lines.0.purchase_order_line_id"),
        (
            {"lines": [{"purchase_order_line_id": order["lines"][0]["id"], "quantity": "1"}] * 2},
            "lines.1.purchase_order_line_id",
        ),
        ({"received_on": tomorrow}, "received_on"),
    ]
    for body, field in cases:
        answer = await post_receipt(orders, buyer, order, "1", **body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert field in str(answer.json()), (field, answer.json())
    for quantity in ("0", "-1", "1.00001", "abc", "1e400"):
        answer = await post_receipt(orders, buyer, order, quantity)
        assert answer.status_code == 422, (quantity, answer.text)
    empty = await post_receipt(orders, buyer, order)
    assert empty.status_code == 422
    assert await received(orders, buyer, order) == ["0", "0"]


async def test_draft_canceled_and_closed_orders_take_no_receipt(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    supplier_id = await orders.supplier(tenant)
    buyer = orders.tokens.buyer(tenant)
    draft = await orders.create(buyer, supplier_id)
    assert (await post_receipt(orders, buyer, draft, "1")).status_code == 409
    for action in ("cancel", "close"):
        order = await orders.create(buyer, supplier_id)
        await orders.act(buyer, order["id"], "submit")
        receipt = (await post_receipt(orders, buyer, order, "1")).json()
        await orders.act(buyer, order["id"], action)
        assert (await post_receipt(orders, buyer, order, "1")).status_code == 409
        reverse = f"/api/v1/purchase-orders/{order['id']}/receipts/{receipt['id']}/reverse"
        assert (await orders.client.post(reverse, headers=orders.tokens.headers(buyer))).status_code == 409


async def test_a_new_order_matches_against_receipts_as_its_organisation_says_unless_the_buyer_says_otherwise(
    orders: OrdersService,
) -> None:
    tenant = uuid.uuid4()
    settings = OrganisationSettingsChanged(
        tenant_id=tenant,
        name="Globex",
        invoice_issue_date_required=False,
        supplier_portal_enabled=True,
        revision=1,
        updated_at=NOW,
        three_way_matching=True,
    )
    await orders.handled("orders.organisations", (await orders.publish_event(settings, tenant)).id)
    supplier_id = await orders.supplier(tenant)
    buyer = orders.tokens.buyer(tenant)
    assert (await orders.create(buyer, supplier_id))["match_against_receipts"] is True
    order = await orders.create(buyer, supplier_id, match_against_receipts=False)
    assert order["match_against_receipts"] is False
    path = f"/api/v1/purchase-orders/{order['id']}"
    patched = await orders.client.patch(
        path, json={"match_against_receipts": True}, headers=orders.tokens.headers(buyer)
    )
    assert patched.status_code == 200 and patched.json()["match_against_receipts"] is True
    await orders.act(buyer, order["id"], "submit")
    changed = await orders.client.patch(
        path, json={"match_against_receipts": False}, headers=orders.tokens.headers(buyer)
    )
    assert changed.status_code == 200 and changed.json()["match_against_receipts"] is False
    submitted, change = await orders.events(2)
    assert submitted["data"]["match_against_receipts"] is True
    assert change["type"] == "PurchaseOrderChanged" and change["data"]["match_against_receipts"] is False
    assert change["data"]["changes"] == [{"field": "match_against_receipts", "before": "true", "after": "false"}]
    elsewhere = uuid.uuid4()
    other_supplier = await orders.supplier(elsewhere)
    assert (await orders.create(orders.tokens.buyer(elsewhere), other_supplier))["match_against_receipts"] is False


async def test_a_receipt_posted_again_with_its_idempotency_key_is_recorded_once(orders: OrdersService) -> None:
    buyer, _, order = await sent_order(orders)
    body = {"received_on": TODAY, "lines": [{"purchase_order_line_id": order["lines"][0]["id"], "quantity": "2"}]}
    headers = orders.tokens.headers(buyer) | {"Idempotency-Key": f"receipt-{uuid.uuid4()}"}
    path = f"/api/v1/purchase-orders/{order['id']}/receipts"
    first = await orders.client.post(path, json=body, headers=headers)
    again = await orders.client.post(path, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    listed = (await orders.client.get(path, headers=orders.tokens.headers(buyer))).json()["items"]
    assert [r["id"] for r in listed] == [first.json()["id"]]
    assert await received(orders, buyer, order) == ["2", "0"]


async def test_a_received_line_is_not_ordered_below_what_arrived_nor_removed(orders: OrdersService) -> None:
    buyer, _, order = await sent_order(orders)
    assert (await post_receipt(orders, buyer, order, "6")).status_code == 201
    bolts, nuts = order["lines"]

    def line(source: dict[str, Any], quantity: str) -> dict[str, Any]:
        return {"id": source["id"], "description": source["description"], "quantity": quantity, "unit_price": "1"}

    path = f"/api/v1/purchase-orders/{order['id']}"
    headers = orders.tokens.headers(buyer)
    below = await orders.client.patch(path, json={"lines": [line(bolts, "5"), line(nuts, "5")]}, headers=headers)
    assert below.status_code == 409, below.text
    removed = await orders.client.patch(path, json={"lines": [line(nuts, "5")]}, headers=headers)
    assert removed.status_code == 409, removed.text
    kept = await orders.client.patch(path, json={"lines": [line(bolts, "6"), line(nuts, "5")]}, headers=headers)
    assert kept.status_code == 200, kept.text
    assert [x["received_quantity"] for x in kept.json()["lines"]] == ["6", "0"]
    assert await received(orders, buyer, order) == ["6", "0"]
