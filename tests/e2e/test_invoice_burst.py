"""An integrating client's burst, through the gateway: a buyer sends 30 purchase orders at once;
for each, as soon as the supplier can read it, the supplier creates an invoice on it. Invoicing
learns of the orders from their events a moment after the supplier can see them, and must not
answer 404 for any of them meanwhile: every invoice is created at the first request, no retries."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import httpx

from portal_dev.testing import poll_until
from tests.e2e.conftest import Organisation, Portal

ORDERS = 30


async def test_every_order_the_supplier_can_see_takes_an_invoice_at_once(
    api: httpx.AsyncClient, portal: Portal, new_organisation: Callable[[], Awaitable[Organisation]]
) -> None:
    organisation = await new_organisation()
    buyer = await portal.sign_in(organisation.admin_email, organisation.admin_password)
    email = f"burst-{uuid.uuid4().hex[:8]}@supplier.example"
    supplier_id, supplier = await portal.onboard_supplier(buyer, name="Burst Supplies", email=email)

    lines = [{"description": "Item", "quantity": "3", "unit_price": "9.90"}]
    orders = await asyncio.gather(*(portal.create_po(buyer, supplier_id, lines) for _ in range(ORDERS)))

    async def send_and_invoice(n: int, po: dict) -> httpx.Response:
        await portal.submit_po(buyer, po["id"])

        async def visible() -> bool:
            return (await api.get(f"/purchase-orders/{po['id']}", headers=supplier)).status_code == 200

        await poll_until(visible, timeout_s=30, interval_s=0.005, what=f"the supplier to see {po['number']}")
        body = {"purchase_order_id": po["id"], "number": f"BURST-{n}", "issue_date": "2026-11-23"}
        return await api.post("/invoices", json=body, headers=supplier)

    # All sent at once: their events reach invoicing together, behind what the supplier sees.
    answers = await asyncio.gather(*(send_and_invoice(n, po) for n, po in enumerate(orders)))

    refused = [(answer.status_code, answer.text) for answer in answers if answer.status_code != 201]
    assert not refused, refused
    listed = await api.get("/invoices", params={"supplier_id": supplier_id, "limit": 100}, headers=buyer)
    assert len(listed.json()["items"]) == ORDERS
