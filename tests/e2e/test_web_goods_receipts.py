"""Goods receipts in the web portal, in real Chromium: the buyer records what arrived of a sent
order (each line prefilled with what is still to receive), is told beside the field when a line
would be received beyond what was ordered, reverses a receipt after a confirmation; the supplier
reads the receipts and the received quantities; the draft editor's "Match invoices against
receipts"."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.async_api import expect

from tests.e2e.conftest import Portal
from tests.e2e.test_web_buyer_orders import signed_in_buyer
from tests.e2e.test_web_supplier_day import onboard_in_browser

PASSWORD = "receipts-password"


async def test_a_buyer_records_and_reverses_receipts_and_the_supplier_reads_them(
    portal: Portal, browser_people: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    buyer_api, supplier_id, supplier = await onboard_in_browser(
        portal, browser_people, name=f"Dock {tag}", email=f"dock-{tag}@receipts.example", password=PASSWORD
    )
    po = await portal.create_po(
        buyer_api,
        supplier_id,
        [
            {"description": "Pallet wrap", "quantity": "10", "unit_price": "4.50", "unit": "roll"},
            {"description": "Corner boards", "quantity": "4", "unit_price": "0.40"},
        ],
    )
    po = await portal.submit_po(buyer_api, po["id"])
    buyer = await signed_in_buyer(browser_people)
    page = buyer.page
    await buyer.open(f"/purchase-orders/{po['id']}")
    receipts = page.locator("#receipts")
    await expect(receipts.get_by_role("heading", name="Goods receipts")).to_be_visible()
    await expect(receipts.get_by_text("No goods receipts for this order yet.")).to_be_visible()
    await expect(page.get_by_label("Quantity received, line 1")).to_have_value("10")
    await expect(page.get_by_label("Quantity received, line 2")).to_have_value("4")
    await expect(page.get_by_label("Received on")).not_to_have_value("")
    await buyer.accessible("an order with its receipt form")

    # Part of line 1 arrived, nothing of line 2.
    await page.get_by_label("Quantity received, line 1").fill("6")
    await page.get_by_label("Quantity received, line 2").fill("0")
    await page.get_by_label("Note").fill("First pallet, 4 rolls to follow")
    await page.get_by_role("button", name="Record receipt").click()
    await expect(page.get_by_role("status")).to_contain_text("The goods receipt was recorded")
    first = f"{po['number']}-GR1"
    row = receipts.get_by_role("row").filter(has_text=first)
    await expect(row).to_contain_text("6 × line 1, Pallet wrap")
    await expect(row).to_contain_text("First pallet, 4 rolls to follow")
    await expect(row).to_contain_text("Recorded")
    lines = page.locator("#lines-heading + .table-scroll")
    await expect(lines.get_by_role("row").filter(has_text="Pallet wrap")).to_contain_text("6")
    await expect(page.get_by_label("Quantity received, line 1")).to_have_value("4")
    await expect(page.get_by_label("Quantity received, line 2")).to_have_value("4")
    await buyer.screenshot("buyer-order-goods-receipts")

    # More than is left to receive: refused beside the field, what was typed kept.
    await page.get_by_label("Quantity received, line 1").fill("5")
    await page.get_by_role("button", name="Record receipt").click()
    quantity = page.get_by_label("Quantity received, line 1")
    await expect(quantity).to_have_attribute("aria-invalid", "true")
    await expect(quantity).to_have_value("5")
    await expect(page.get_by_text("at most 4 more can be received")).to_be_visible()
    await buyer.accessible("the receipt form with a refusal")
    await buyer.screenshot("buyer-order-receipt-refused")

    # Nothing entered at all: said on the form, the API not asked.
    await page.get_by_label("Quantity received, line 1").fill("")
    await page.get_by_label("Quantity received, line 2").fill("0")
    await page.get_by_role("button", name="Record receipt").click()
    await expect(page.get_by_text("Enter what arrived of at least one line.")).to_be_visible()

    # Reversed after a confirmation.
    await buyer.open(f"/purchase-orders/{po['id']}")
    await page.get_by_role("link", name=f"Reverse receipt {first}").click()
    await expect(page.get_by_role("heading", name=f"Reverse receipt {first}?")).to_be_visible()
    await buyer.accessible("the reversal's confirmation")
    await buyer.screenshot("buyer-order-reverse-receipt")
    await page.get_by_role("button", name="Yes, reverse the receipt").click()
    await expect(page.get_by_role("status")).to_contain_text("The goods receipt was reversed")
    await expect(receipts.get_by_role("row").filter(has_text=first)).to_contain_text("Reversed")
    await expect(page.get_by_role("link", name=f"Reverse receipt {first}")).to_have_count(0)
    await expect(page.get_by_label("Quantity received, line 1")).to_have_value("10")

    await page.get_by_label("Quantity received, line 2").fill("4")
    await page.get_by_label("Quantity received, line 1").fill("")
    await page.get_by_role("button", name="Record receipt").click()
    await expect(page.get_by_role("status")).to_contain_text("The goods receipt was recorded")
    second = f"{po['number']}-GR2"

    # The supplier reads them, and records nothing.
    await supplier.open(f"/purchase-orders/{po['id']}")
    spage = supplier.page
    theirs = spage.locator("#receipts")
    await expect(theirs.get_by_role("row").filter(has_text=first)).to_contain_text("Reversed")
    await expect(theirs.get_by_role("row").filter(has_text=second)).to_contain_text("4 × line 2, Corner boards")
    await expect(spage.get_by_role("button", name="Record receipt")).to_have_count(0)
    await expect(spage.get_by_role("link", name=f"Reverse receipt {second}")).to_have_count(0)
    supplier_lines = spage.locator("#lines-heading + .table-scroll")
    await expect(supplier_lines.get_by_role("columnheader", name="Received")).to_be_visible()
    await expect(supplier_lines.get_by_role("row").filter(has_text="Corner boards")).to_contain_text("4")
    await supplier.accessible("the supplier's order with its receipts")
    await supplier.screenshot("supplier-order-goods-receipts")

    # Without a script the receipts are a link from the order; what is recorded there comes back
    # to the order, which then shows them.
    plain = await signed_in_buyer(browser_people, java_script_enabled=False)
    await plain.open(f"/purchase-orders/{po['id']}")
    await plain.page.get_by_role("link", name="Goods receipts of this order").click()
    await expect(plain.page.get_by_role("heading", level=1)).to_have_text(f"Goods receipts of order {po['number']}")
    await expect(plain.page.get_by_role("row").filter(has_text=second)).to_contain_text("Recorded")
    await plain.page.get_by_label("Quantity received, line 1").fill("4")
    await plain.page.get_by_role("button", name="Record receipt").click()
    await expect(plain.page.get_by_role("status")).to_contain_text("The goods receipt was recorded")
    third = plain.page.locator("#receipts").get_by_role("row").filter(has_text=f"{po['number']}-GR3")
    await expect(third).to_contain_text("4 × line 1, Pallet wrap")


async def test_a_draft_matches_invoices_against_receipts_when_the_buyer_ticks_it(
    portal: Portal, browser_people: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    buyer_api = await portal.admin()
    supplier_id, _ = await portal.onboard_supplier(buyer_api, name=f"Tick {tag}", email=f"tick-{tag}@receipts.example")
    draft = await portal.create_po(
        buyer_api, supplier_id, [{"description": "Tape", "quantity": "3", "unit_price": "2"}]
    )
    assert draft["match_against_receipts"] is False
    buyer = await signed_in_buyer(browser_people)
    page = buyer.page
    await buyer.open("/purchase-orders/new")
    await expect(page.get_by_label("Match invoices against receipts")).not_to_be_checked()
    await buyer.open(f"/purchase-orders/{draft['id']}/edit")
    box = page.get_by_label("Match invoices against receipts")
    await expect(box).not_to_be_checked()
    await box.check()
    await buyer.accessible("the order editor with three-way matching")
    await buyer.screenshot("buyer-order-editor-match-receipts")
    await page.get_by_role("button", name="Save draft").click()
    await expect(page.get_by_role("status")).to_contain_text("The draft was saved")
    saved = (await portal.api.get(f"/purchase-orders/{draft['id']}", headers=buyer_api)).json()
    assert saved["match_against_receipts"] is True
    await expect(page.get_by_text("The order and its goods receipts")).to_be_visible()
    await page.get_by_role("link", name="Edit", exact=True).click()
    await expect(page.get_by_label("Match invoices against receipts")).to_be_checked()
    await page.get_by_label("Match invoices against receipts").uncheck()
    await page.get_by_role("button", name="Save draft").click()
    await expect(page.get_by_role("status")).to_contain_text("The draft was saved")
    saved = (await portal.api.get(f"/purchase-orders/{draft['id']}", headers=buyer_api)).json()
    assert saved["match_against_receipts"] is False
