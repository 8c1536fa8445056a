"""A page of orders (written by PostgreSQL) says exactly what each order says when asked alone."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from portal_dev.testing import all_pages, key_order
from tests.orders.integration.announcements import announce_organisation, sent_order, supplier_with_terms
from tests.orders.integration.support import OrdersService, invoice_event


async def every_page(orders: OrdersService, token: str, query: str = "") -> list[dict[str, Any]]:
    return await all_pages(orders.client, f"/api/v1/purchase-orders?limit=2{query}", orders.tokens.headers(token))


async def test_each_order_on_a_page_reads_exactly_as_the_order_asked_alone(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    buyer = orders.tokens.buyer(tenant)
    await announce_organisation(orders, tenant, 'Nord "Einkauf" GmbH ✓')
    supplier_id = await supplier_with_terms(orders, tenant, minimum_order_amount="500", lead_time_days=30)
    supplier = orders.tokens.supplier(supplier_id)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()

    warned = await sent_order(orders, buyer, supplier_id, delivery_date=tomorrow)
    odd_lines = [
        {"description": 'Line\nwith "quotes", a tab\t and ✓', "quantity": "0.0001", "unit_price": "123456.123456"},
        {"description": "Plain", "quantity": "3", "unit_price": "0.5", "sku": "S-1", "unit": "kg"},
    ]
    draft = await orders.create(buyer, supplier_id, lines=odd_lines, delivery_date=None)
    acknowledged = await sent_order(orders, buyer, supplier_id)
    assert (await orders.act(supplier, acknowledged["id"], "acknowledge")).status_code == 200
    # Over-invoiced first line (12 of 10): nothing remains, never a negative quantity.
    invoiced = await sent_order(orders, buyer, supplier_id)
    await orders.handled("orders.invoices", (await orders.publish_event(invoice_event(invoiced, ["12"]), tenant)).id)
    canceled = await orders.create(buyer, supplier_id)
    assert (await orders.act(buyer, canceled["id"], "submit")).status_code == 200
    assert (await orders.act(buyer, canceled["id"], "cancel")).status_code == 200

    newest_first = [canceled, invoiced, acknowledged, draft, warned]
    for token, expected in ((buyer, newest_first), (supplier, [o for o in newest_first if o is not draft])):
        listed = await every_page(orders, token)
        assert [item["id"] for item in listed] == [order["id"] for order in expected]
        for item in listed:
            alone = (await orders.get(token, item["id"])).json()
            assert item == alone
            assert key_order(item) == key_order(alone)

    [over] = [item for item in await every_page(orders, buyer, "&status=partially_invoiced")]
    assert (over["lines"][0]["invoiced_quantity"], over["lines"][0]["remaining_quantity"]) == ("12", "0")
    [with_warnings] = [item for item in await every_page(orders, buyer) if item["id"] == warned["id"]]
    assert [w["code"] for w in with_warnings["warnings"]] == ["below_minimum_order_amount", "inside_lead_time"]
    assert with_warnings["buyer_name"] == 'Nord "Einkauf" GmbH ✓'


async def test_a_page_of_a_supplier_without_orders_is_empty(orders: OrdersService) -> None:
    assert await every_page(orders, orders.tokens.supplier(uuid.uuid4())) == []


async def test_pages_asked_in_turn_by_different_callers_show_each_caller_only_its_own(orders: OrdersService) -> None:
    # The page statements are built once per shape and shared by every caller: only the values differ.
    asked: list[tuple[str, str, list[str]]] = []
    for _ in range(2):
        tenant = uuid.uuid4()
        buyer = orders.tokens.buyer(tenant)
        supplier_id = await supplier_with_terms(orders, tenant)
        newest_first = [(await sent_order(orders, buyer, supplier_id))["id"] for _ in range(3)][::-1]
        asked += [
            (buyer, "", newest_first),
            (buyer, f"&supplier_id={supplier_id}&status=sent", newest_first),
            (buyer, f"&supplier_id={uuid.uuid4()}", []),
            (orders.tokens.supplier(supplier_id), "&status=sent", newest_first),
            (orders.tokens.supplier(supplier_id), "&status=draft", []),
        ]
    for token, query, expected in asked + asked[::-1]:
        assert [item["id"] for item in await every_page(orders, token, query)] == expected
