"""The supplier's order page in real Chromium after the buyer changed an acknowledged order: it says
the order changed since the acknowledgement and offers "Acknowledge changes", which clears it."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.async_api import expect

from tests.e2e.conftest import SUPPLIER_PASSWORD, Portal


async def test_the_supplier_acknowledges_the_buyers_changes_on_the_orders_page(
    portal: Portal, browser_people: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    buyer = await portal.admin()
    email = f"ack-changes-{tag}@supplier.example"
    supplier_id, supplier_api = await portal.onboard_supplier(buyer, name=f"Ack Works {tag}", email=email)
    created = await portal.create_po(
        buyer, supplier_id, [{"description": "Gaskets", "quantity": "20", "unit_price": "3"}]
    )
    order = await portal.submit_po(buyer, created["id"])
    path = f"/purchase-orders/{order['id']}"
    assert (await portal.api.post(f"{path}/acknowledge", headers=supplier_api)).status_code == 200
    changed = await portal.api.patch(path, json={"delivery_date": "2027-10-15"}, headers=buyer)
    assert changed.status_code == 200, changed.text

    supplier = await browser_people()
    page = supplier.page
    await supplier.open("/purchase-orders")
    await supplier.sign_in(email, SUPPLIER_PASSWORD)
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=order["number"]))
    await expect(row.get_by_text("Changed")).to_be_visible()
    await page.get_by_role("link", name=order["number"]).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(order["number"])
    await expect(page.get_by_role("note")).to_contain_text("The buyer changed this order after you acknowledged it")
    await expect(page.get_by_role("button", name="Acknowledge", exact=True)).to_have_count(0)
    await supplier.accessible("an order changed since its acknowledgement")
    await supplier.screenshot("order-changed-since-acknowledged")

    await page.get_by_role("button", name="Acknowledge changes").click()
    await expect(page.get_by_role("status")).to_contain_text("You acknowledged the buyer's changes")
    await expect(page.get_by_role("button", name="Acknowledge changes")).to_have_count(0)
    await expect(page.get_by_text("The buyer changed this order after you acknowledged it")).to_have_count(0)
    latest = (await portal.api.get(path, headers=supplier_api)).json()
    assert (latest["change_unacknowledged"], latest["acknowledged_revision"]) == (False, latest["revision"])
