"""A supplier whose buyer switched the supplier portal off keeps only the orders still to invoice.

The restriction travels in the token (``restricted_supplier_ids``, restated by the gateway on
every request), so these tests sign such tokens themselves.
"""

from __future__ import annotations

import uuid
from typing import Any

from shared.auth import Principal, TokenIssuer
from shared.contracts.invoicing import InvoiceApproved, InvoiceSubmitted
from tests.orders.integration.support import OrdersService, invoice_event
from tests.orders.sourcing.integration.support import Tender

INVOICES = "orders.invoices"


def restricted_token(orders: OrdersService, *supplier_ids: uuid.UUID, restricted: set[uuid.UUID]) -> str:
    """A supplier user's token whose ``restricted`` records belong to a buyer with the portal off."""
    issuer = TokenIssuer(orders.tokens.private_key_file.read_text())
    principal = Principal(
        user_id=uuid.uuid4(),
        role="supplier",
        supplier_ids=frozenset(supplier_ids),
        restricted_supplier_ids=frozenset(restricted),
    )
    return issuer.issue(principal)


async def sent(orders: OrdersService, buyer: str, supplier_id: uuid.UUID) -> dict[str, Any]:
    order = await orders.create(buyer, supplier_id)
    response = await orders.act(buyer, order["id"], "submit")
    assert response.status_code == 200, response.text
    return dict(response.json())


async def invoiced(orders: OrdersService, order: dict[str, Any], quantities: list[str | None], event: Any) -> None:
    """An invoice of ``order`` billing ``quantities``, submitted or approved, arrived in orders."""
    extra = {"status": "approved", "auto_approved": True} if event is InvoiceApproved else {}
    payload = invoice_event(order, quantities, event=event, **extra)
    await orders.handled(INVOICES, (await orders.publish_event(payload, uuid.UUID(order["tenant_id"]))).id)


async def listed_ids(orders: OrdersService, token: str, query: str = "") -> list[str]:
    response = await orders.client.get(f"/api/v1/purchase-orders{query}", headers=orders.tokens.headers(token))
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_a_restricted_supplier_sees_only_the_orders_still_to_invoice(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    supplier_id = await orders.supplier(tenant)
    buyer = orders.tokens.buyer(tenant)
    untouched = await sent(orders, buyer, supplier_id)
    partly = await sent(orders, buyer, supplier_id)
    await invoiced(orders, partly, ["4"], InvoiceApproved)
    # Fully invoiced by an invoice not yet decided on: fully invoiced whatever its invoices' status.
    covered = await sent(orders, buyer, supplier_id)
    await invoiced(orders, covered, ["10", "5"], InvoiceSubmitted)
    canceled = await sent(orders, buyer, supplier_id)
    assert (await orders.act(buyer, canceled["id"], "cancel")).status_code == 200
    assert (await orders.get(buyer, covered["id"])).json()["status"] == "fully_invoiced"

    full = orders.tokens.supplier(supplier_id)
    restricted = restricted_token(orders, supplier_id, restricted={supplier_id})

    every = {untouched["id"], partly["id"], covered["id"], canceled["id"]}
    assert set(await listed_ids(orders, full)) == every
    assert await listed_ids(orders, restricted) == [partly["id"], untouched["id"]]
    assert await listed_ids(orders, restricted, "?status=fully_invoiced") == []
    assert await listed_ids(orders, restricted, "?open=false") == []

    seen = await orders.get(restricted, partly["id"])
    assert seen.status_code == 200
    assert [x["remaining_quantity"] for x in seen.json()["lines"]] == ["6", "5"]
    for hidden in (covered, canceled):
        assert (await orders.get(restricted, hidden["id"])).status_code == 404
        for path in ("export?format=pdf", "comments", "attachments"):
            response = await orders.client.get(
                f"/api/v1/purchase-orders/{hidden['id']}/{path}", headers=orders.tokens.headers(restricted)
            )
            assert response.status_code == 404, (path, response.text)
        assert (await orders.get(full, hidden["id"])).status_code == 200

    summary = await orders.client.get("/api/v1/purchase-orders/summary", headers=orders.tokens.headers(restricted))
    counts = summary.json()
    assert counts["open_orders"] == 2 and counts["unprocessed_orders"] == 1
    assert counts["orders_by_status"]["fully_invoiced"] == 0 and counts["orders_by_status"]["canceled"] == 0


async def test_a_restricted_supplier_reads_an_open_order_but_cannot_comment_attach_or_acknowledge(
    orders: OrdersService,
) -> None:
    tenant = uuid.uuid4()
    supplier_id = await orders.supplier(tenant)
    buyer = orders.tokens.buyer(tenant)
    order = await sent(orders, buyer, supplier_id)
    said = await orders.client.post(
        f"/api/v1/purchase-orders/{order['id']}/comments",
        json={"body": "Delivery on Monday"},
        headers=orders.tokens.headers(buyer),
    )
    assert said.status_code == 201, said.text
    restricted = orders.tokens.headers(restricted_token(orders, supplier_id, restricted={supplier_id}))
    base = f"/api/v1/purchase-orders/{order['id']}"

    comments = await orders.client.get(f"{base}/comments", headers=restricted)
    assert [c["body"] for c in comments.json()["items"]] == ["Delivery on Monday"]
    assert (await orders.client.get(f"{base}/export?format=xlsx", headers=restricted)).status_code == 200

    refused = [
        await orders.client.post(f"{base}/comments", json={"body": "Noted"}, headers=restricted),
        await orders.client.post(
            f"{base}/attachments", files={"file": ("note.pdf", b"%PDF-1.4 note", "application/pdf")}, headers=restricted
        ),
        await orders.client.post(f"{base}/acknowledge", headers=restricted),
    ]
    for response in refused:
        assert response.status_code == 409, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert "switched its supplier portal off" in response.json()["detail"]
    assert (await orders.get(buyer, order["id"])).json()["status"] == "sent"


async def test_the_restriction_covers_only_the_records_it_names(orders: OrdersService) -> None:
    switched_off, still_on = uuid.uuid4(), uuid.uuid4()
    off_supplier = await orders.supplier(switched_off)
    on_supplier = await orders.supplier(still_on)
    off_buyer, on_buyer = orders.tokens.buyer(switched_off), orders.tokens.buyer(still_on)
    off_order = await sent(orders, off_buyer, off_supplier)
    await invoiced(orders, off_order, ["10", "5"], InvoiceApproved)
    on_order = await sent(orders, on_buyer, on_supplier)
    await invoiced(orders, on_order, ["10", "5"], InvoiceApproved)

    token = restricted_token(orders, off_supplier, on_supplier, restricted={off_supplier})
    assert await listed_ids(orders, token) == [on_order["id"]]
    assert (await orders.get(token, off_order["id"])).status_code == 404
    commented = await orders.client.post(
        f"/api/v1/purchase-orders/{on_order['id']}/comments",
        json={"body": "Thanks"},
        headers=orders.tokens.headers(token),
    )
    assert commented.status_code == 201, commented.text


async def test_a_restricted_supplier_sees_none_of_the_buyers_rfps(orders: OrdersService) -> None:
    tender = await Tender.start(orders, suppliers=1)
    rfp = await tender.published([0])
    supplier_id = tender.suppliers[0]
    restricted = orders.tokens.headers(restricted_token(orders, supplier_id, restricted={supplier_id}))

    assert (await tender.get(tender.supplier(0), f"/rfps/{rfp['id']}")).status_code == 200
    assert (await tender.get(restricted, f"/rfps/{rfp['id']}")).status_code == 404
    assert (await tender.get(restricted, "/rfps")).json()["items"] == []
    answered = await orders.client.put(
        f"/api/v1/rfps/{rfp['id']}/proposal",
        json={"lines": [{"rfp_line_id": line["id"], "unit_price": "1.00"} for line in rfp["lines"]]},
        headers=restricted,
    )
    assert answered.status_code == 404, answered.text
