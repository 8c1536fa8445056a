"""Why an invoice is held, as the buyer and the supplier read it in real Chromium: an invoice beyond
its order's goods receipts (the received quantity per line, the line not all received), then
approved on the receipt that covers it; an invoice that may duplicate another, linked to it; the
buyer sees what set the tolerance limit, the supplier never does."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.async_api import expect

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, SUPPLIER_PASSWORD, Portal
from tests.e2e.test_matching_worked_examples import Buyer, Supplier


async def test_the_buyer_and_the_supplier_read_why_an_invoice_is_held(portal: Portal, browser_people: Any) -> None:
    buyer = Buyer(portal, portal.api, await portal.admin())
    tag = uuid.uuid4().hex[:6]
    email = f"why-{tag}@supplier.example"
    supplier_id, headers = await portal.onboard_supplier(
        buyer.headers, name=f"Why {tag}", email=email, tolerance="5", tolerance_amount="30.00"
    )
    supplier = Supplier(supplier_id, headers)
    po = await buyer.order(
        supplier,
        [{"description": "Pallet racks", "quantity": "10", "unit_price": "100.00"}],
        match_against_receipts=True,
    )
    line = po["lines"][0]["id"]
    receipt = {"received_on": "2026-11-20", "lines": [{"purchase_order_line_id": line, "quantity": "6"}]}
    assert (
        await portal.api.post(f"/purchase-orders/{po['id']}/receipts", json=receipt, headers=buyer.headers)
    ).status_code == 201
    held = await buyer.verdict(supplier, po, [(0, "10", "100.00")])
    assert held["matching"]["reasons"] == ["not_received"]
    twin_po = await buyer.order(supplier, [{"description": "Shelves", "quantity": "4", "unit_price": "25.00"}])
    first = await buyer.verdict(supplier, twin_po, [(0, "2", "25.00")], number=f"DUP-{tag}/1")
    twin = await buyer.verdict(supplier, twin_po, [(0, "2", "25.00")], number=f"dup {tag} 1")
    assert twin["matching"]["reasons"] == ["possible_duplicate"]

    person = await browser_people()
    page = person.page
    await person.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    await person.open(f"/invoices/{held['id']}")
    held_section = page.get_by_role("region", name="Why it is held for approval")
    await expect(held_section).to_contain_text("More is invoiced than the goods receipts say has arrived.")
    await expect(held_section).to_contain_text("Not all received: Pallet racks.")
    await expect(held_section).to_contain_text("the amount 30.00 EUR, stricter than 5 %")
    report = page.locator("table.lines")
    await expect(report.get_by_role("columnheader", name="Received")).to_be_visible()
    await expect(report.locator("tr.changed")).to_contain_text("More than received")
    await person.accessible("an invoice held for its receipts")
    await person.screenshot("buyer-invoice-not-received")

    await person.open(f"/invoices/{twin['id']}")
    duplicate = page.get_by_role("region", name="Why it is held for approval")
    await expect(duplicate).to_contain_text("It may duplicate another invoice")
    await duplicate.get_by_role("link", name=f"DUP-{tag}/1").click()
    await expect(page).to_have_url(re.compile(f"/invoices/{first['id']}"))
    await person.screenshot("buyer-invoice-duplicate")

    # The rest arrives: the invoice is approved without anyone deciding.
    rest = {"received_on": "2026-11-21", "lines": [{"purchase_order_line_id": line, "quantity": "4"}]}
    assert (
        await portal.api.post(f"/purchase-orders/{po['id']}/receipts", json=rest, headers=buyer.headers)
    ).status_code == 201
    await portal.invoice_in(buyer.headers, held["id"], "approved")

    vendor = await browser_people()
    await vendor.sign_in(email, SUPPLIER_PASSWORD)
    await vendor.open(f"/invoices/{twin['id']}")
    seen = vendor.page.get_by_role("region", name="Waiting for the buyer’s approval")
    await expect(seen).to_contain_text("It may duplicate another invoice")
    await expect(vendor.page.get_by_text("Tolerance limit")).to_have_count(0)
    await vendor.accessible("the supplier's held invoice")
    await vendor.screenshot("supplier-invoice-duplicate")
