"""Bad input answers 422 problem details naming the fields; a supplier never creates orders."""

from __future__ import annotations

import uuid
from typing import Any

from tests.orders.integration.support import OrdersService, order_body


def assert_refused(response: Any, field: str) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    assert any(e["field"] == field for e in problem["errors"]), problem
    return problem


async def test_invalid_orders_are_refused_with_the_fields_named(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    supplier_id = await orders.supplier(tenant, currency="EUR")
    headers = orders.tokens.headers(orders.tokens.buyer(tenant))
    line = {"description": "Bolts", "quantity": "1", "unit_price": "1"}
    cases: list[tuple[dict[str, Any], str]] = [
        (order_body(supplier_id, lines=[]), "lines"),
        (order_body(supplier_id, lines=[{**line, "quantity": "0"}]), "lines.0.quantity"),
        (order_body(supplier_id, lines=[{**line, "quantity": "-2"}]), "lines.0.quantity"),
        (order_body(supplier_id, lines=[{**line, "unit_price": "-0.01"}]), "lines.0.unit_price"),
        (order_body(supplier_id, lines=[{**line, "quantity": "many"}]), "lines.0.quantity"),
        (order_body(supplier_id, lines=[{**line, "description": ""}]), "lines.0.description"),
        (order_body(supplier_id, lines=[{**line, "colour": "red"}]), "lines.0.colour"),
        (order_body(supplier_id, currency="euro"), "currency"),
        (order_body(supplier_id, delivery_date="next week"), "delivery_date"),
        (order_body(supplier_id, status="sent"), "status"),
        (order_body(supplier_id, currency="USD"), "currency"),
        (order_body("not-a-uuid"), "supplier_id"),  # type: ignore[arg-type]
        ({"currency": "EUR"}, "supplier_id"),
    ]
    for body, field in cases:
        assert_refused(await orders.client.post("/api/v1/purchase-orders", json=body, headers=headers), field)


async def test_an_unknown_or_foreign_supplier_is_refused_as_unknown(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    foreign_supplier = await orders.supplier(uuid.uuid4())
    headers = orders.tokens.headers(orders.tokens.buyer(tenant))
    for supplier_id in (uuid.uuid4(), foreign_supplier):
        response = await orders.client.post("/api/v1/purchase-orders", json=order_body(supplier_id), headers=headers)
        problem = assert_refused(response, "supplier_id")
        assert "unknown supplier" in problem["detail"]


async def test_only_buyers_create_orders(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    supplier_id = await orders.supplier(tenant)
    headers = orders.tokens.headers(orders.tokens.supplier(supplier_id))
    response = await orders.client.post("/api/v1/purchase-orders", json=order_body(supplier_id), headers=headers)
    assert response.status_code == 403
