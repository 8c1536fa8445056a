"""A supplier credits part of an approved invoice in the web portal, in real Chromium: the credit
note's editor on the invoice's lines with live totals, its page once approved, and the invoice's
lowered balance due with its credit notes listed."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.async_api import expect

from tests.e2e.conftest import Portal
from tests.e2e.test_web_supplier_day import onboard_in_browser

PASSWORD = "web-credit-password"


async def test_a_supplier_credits_part_of_an_approved_invoice(portal: Portal, browser_people: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    buyer, supplier_id, supplier = await onboard_in_browser(
        portal, browser_people, name=f"Credits {tag}", email=f"credits-{tag}@credit.example", password=PASSWORD
    )
    po = await portal.create_po(
        buyer, supplier_id, [{"description": "Lamps", "quantity": "10", "unit_price": "40.00", "tax_rate": "20"}]
    )
    await portal.submit_po(buyer, po["id"])
    supplier_headers = await portal.sign_in(f"credits-{tag}@credit.example", PASSWORD)
    invoice = await portal.create_invoice(supplier_headers, {"purchase_order_id": po["id"], "number": f"LMP-{tag}"})
    assert (await portal.api.post(f"/invoices/{invoice['id']}/submit", headers=supplier_headers)).status_code == 202
    await portal.invoice_in(supplier_headers, invoice["id"], "approved")

    page = supplier.page
    await supplier.open(f"/invoices/{invoice['id']}")
    await page.get_by_role("link", name="Credit this invoice").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("New credit note")
    await supplier.accessible("the credit note editor")
    await page.get_by_label("Credit note number").fill(f"LMP-{tag}-C")
    await page.get_by_label("Quantity, line 1").fill("2")
    await expect(page.locator("#totals")).to_contain_text("Gross total 96.00 EUR")
    await supplier.screenshot("credit-note-editor")
    await page.get_by_role("button", name="Submit").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Credit note LMP-{tag}-C")
    await expect(page.locator("#status")).to_have_text("Approved", timeout=30_000)
    await expect(page.get_by_text("It stays within the invoice it credits")).to_be_visible()
    await page.get_by_role("link", name=f"LMP-{tag}", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Invoice LMP-{tag}")
    facts = page.locator("dl.facts")
    await expect(facts).to_contain_text("Credited96.00 EUR")
    await expect(facts).to_contain_text("Balance due384.00 EUR")
    await expect(page.get_by_role("link", name=f"LMP-{tag}-C")).to_be_visible()
    await supplier.accessible("an invoice with a credit note")
    await supplier.screenshot("invoice-credited")

    await supplier.open("/invoices?kind=credit_note")
    await expect(page.get_by_role("link", name=f"LMP-{tag}-C")).to_be_visible()
    await expect(page.get_by_role("link", name=f"LMP-{tag}", exact=True)).to_have_count(0)
