"""The list of orders searched by PO number: any part of it, in any case, combined with the other
filters, the pages and the caller's scope; the searched text is only ever text."""

from __future__ import annotations

import uuid
from typing import Any

from tests.orders.integration.announcements import sent_order
from tests.orders.integration.support import OrdersService
from tests.orders.integration.test_invalid_input import assert_refused
from tests.orders.integration.test_order_pages import every_page


async def numbers(orders: OrdersService, token: str, query: str) -> list[str]:
    return [item["number"] for item in await every_page(orders, token, query)]


async def test_a_search_finds_the_orders_whose_number_holds_the_text_with_every_other_filter(
    orders: OrdersService,
) -> None:
    tenant, elsewhere = uuid.uuid4(), uuid.uuid4()
    buyer = orders.tokens.buyer(tenant)
    first, second = await orders.supplier(tenant), await orders.supplier(tenant)
    created: list[dict[str, Any]] = [await sent_order(orders, buyer, first)]  # PO-000001
    created += [await orders.create(buyer, second) for _ in range(8)]  # PO-000002 to PO-000009, drafts
    canceled = await sent_order(orders, buyer, first)  # PO-000010
    assert (await orders.act(buyer, canceled["id"], "cancel")).status_code == 200
    created += [canceled, await orders.create(buyer, second)]  # PO-000011, a draft
    assert [o["number"] for o in created] == [f"PO-{n:06d}" for n in range(1, 12)]
    # Another buyer's PO-000001 (numbers count per tenant) stays that buyer's.
    other_buyer = orders.tokens.buyer(elsewhere)
    await sent_order(orders, other_buyer, await orders.supplier(elsewhere))

    asked = [
        (buyer, "&number=00001", ["PO-000011", "PO-000010", "PO-000001"]),
        (buyer, "&number=po-00001", ["PO-000011", "PO-000010"]),
        (buyer, "&number=%20%200001%20", ["PO-000011", "PO-000010", "PO-000001"]),  # trimmed
        (buyer, "&number=PO-000003", ["PO-000003"]),
        (buyer, f"&number=00001&supplier_id={first}", ["PO-000010", "PO-000001"]),
        (buyer, "&number=00001&status=sent", ["PO-000001"]),
        (buyer, "&number=00001&open=true", ["PO-000001"]),
        (buyer, "&number=00001&open=false", ["PO-000011", "PO-000010"]),
        (buyer, "&number=00000", [f"PO-{n:06d}" for n in range(9, 0, -1)]),  # over five pages of two
        (buyer, "&number=42", []),
        (buyer, "&number=", [f"PO-{n:06d}" for n in range(11, 0, -1)]),  # blank: no search
        (orders.tokens.supplier(first), "&number=00001", ["PO-000010", "PO-000001"]),
        (orders.tokens.supplier(second), "&number=00001", []),  # its PO-000011 is a draft
        (other_buyer, "&number=00001", ["PO-000001"]),
    ]
    # The page statements are kept per shape for every caller: asked in turn, each answer its own.
    for token, query, expected in asked + asked[::-1]:
        assert await numbers(orders, token, query) == expected, query


async def test_like_wildcards_in_the_search_match_only_themselves(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    buyer = orders.tokens.buyer(tenant)
    supplier_id = await orders.supplier(tenant)
    for _ in range(2):
        await sent_order(orders, buyer, supplier_id)
    assert await numbers(orders, buyer, "&number=PO-") == ["PO-000002", "PO-000001"]
    # Unescaped, each of these would match every number ("%" any text, "_" any character).
    for text in ("%25", "_", "PO_0", "PO-%25", "%5C", "PO-00000_"):
        assert await numbers(orders, buyer, f"&number={text}") == [], text


async def test_a_search_longer_than_fifty_characters_is_refused(orders: OrdersService) -> None:
    headers = orders.tokens.headers(orders.tokens.buyer(uuid.uuid4()))
    too_long = await orders.client.get(f"/api/v1/purchase-orders?number={'0' * 51}", headers=headers)
    assert_refused(too_long, "query.number")
    fifty = await orders.client.get(f"/api/v1/purchase-orders?number=%20{'0' * 50}%20", headers=headers)
    assert fifty.status_code == 200 and fifty.json()["items"] == []
