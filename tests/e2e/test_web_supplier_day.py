"""A supplier's whole day in the web portal, in real Chromium, through the pages only: from the
invitation email's link to a paid invoice. The buyer's side (sending the order, deciding, paying)
goes through the API, as the buyer's own pages are another part of the portal."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.async_api import expect

from tests.e2e.browser import downloaded
from tests.e2e.conftest import Portal, link_in

SCAN = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DELIVERY_NOTE = b"Delivered in two parcels.\n"


async def onboard_in_browser(portal: Portal, new_person: Any, *, name: str, email: str, password: str) -> tuple:
    """The buyer adds the supplier and switches its portal on; the supplier follows the email's link."""
    buyer = await portal.admin()
    body = {"name": name, "email": email, "currency": "EUR", "tolerance_rate": "5"}
    created = await portal.api.post("/suppliers", json=body, headers=buyer)
    assert created.status_code == 201, created.text
    supplier_id = created.json()["id"]
    activated = await portal.api.post(f"/suppliers/{supplier_id}/portal/activate", headers=buyer)
    assert activated.status_code == 200, activated.text
    [invitation] = await portal.email(to=email, subject="invit")
    supplier = await new_person()
    await supplier.page.goto(link_in(invitation, "/invitations/"))
    await expect(supplier.page.get_by_role("heading", name="Join the supplier portal")).to_be_visible()
    await supplier.accessible("the invitation page")
    await supplier.page.get_by_label("Your name").fill(f"{name} clerk")
    await supplier.page.get_by_label("Password").fill(password)
    await supplier.page.get_by_role("button", name="Accept invitation").click()
    await expect(supplier.page.get_by_role("button", name="Sign out")).to_be_visible()
    return buyer, supplier_id, supplier


async def test_a_suppliers_whole_day_from_the_invitation_link_to_a_paid_invoice(
    portal: Portal, browser_people: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    email = f"sales-{tag}@fastener.example"
    buyer, supplier_id, supplier = await onboard_in_browser(
        portal, browser_people, name=f"Fastener {tag}", email=email, password="fastener-password"
    )
    page = supplier.page
    await supplier.accessible("the dashboard")

    # The buyer sends an order; one line's description is markup, which must stay text.
    lines = [
        {"description": "Hex bolts M8", "quantity": "100", "unit_price": "0.50", "sku": "HB-8", "unit": "pc"},
        {"description": "<script>alert('x')</script> washers", "quantity": "200", "unit_price": "0.10"},
        {"description": "Nuts M8", "quantity": "50", "unit_price": "0.20"},
    ]
    po = await portal.create_po(buyer, supplier_id, lines)
    await portal.submit_po(buyer, po["id"])

    # The dashboard counts it as unprocessed; the list makes it stand out.
    await supplier.reload_until(lambda: page.get_by_text("1 unprocessed order"), "the new order on the dashboard")
    await supplier.screenshot("dashboard")
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Purchase orders").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=po["number"]))
    await expect(row.get_by_text("New")).to_be_visible()
    await supplier.accessible("the orders list")
    await page.get_by_label("Search by number").fill(po["number"])
    await page.get_by_role("button", name="Show").click()
    await expect(page.get_by_role("link", name=re.compile(r"PO-"))).to_have_count(1)
    await supplier.screenshot("orders")

    await page.get_by_role("link", name=po["number"]).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(po["number"])
    await expect(page.get_by_role("cell", name="<script>alert('x')</script> washers")).to_be_visible()
    assert supplier.dialogs == []
    await supplier.accessible("an order's page")
    await page.get_by_role("button", name="Acknowledge").click()
    await expect(page.get_by_role("status")).to_contain_text("You acknowledged this order")
    await expect(page.get_by_role("button", name="Acknowledge")).to_have_count(0)

    async with page.expect_download() as pdf:
        await page.get_by_role("link", name="Download PDF").click()
    assert (await downloaded(pdf)).startswith(b"%PDF")
    async with page.expect_download() as xlsx:
        await page.get_by_role("link", name="Download XLSX").click()
    assert (await downloaded(xlsx)).startswith(b"PK")

    await page.get_by_label("New comment").fill("Delivery on Tuesday <b>morning</b>.")
    await page.get_by_role("button", name="Add comment").click()
    await expect(page.get_by_text("Delivery on Tuesday <b>morning</b>.")).to_be_visible()
    await page.get_by_label("File to attach").set_input_files(
        {"name": "delivery-note.txt", "mimeType": "text/plain", "buffer": DELIVERY_NOTE}
    )
    await page.get_by_role("button", name="Upload").click()
    async with page.expect_download() as note:
        await page.get_by_role("link", name="delivery-note.txt").click()
    assert (await downloaded(note)) == DELIVERY_NOTE
    await supplier.screenshot("order")
    await supplier.open(f"/purchase-orders/{po['id']}/conversation")  # without a script, a page of its own
    await expect(page.get_by_role("heading", level=1)).to_have_text("Comments and files")
    await supplier.accessible("the comments and files page")
    await supplier.open(f"/purchase-orders/{po['id']}")

    # The invoice: prefilled with what remains; changed, a line removed, a new item added.
    await page.get_by_role("link", name="Create invoice").click()
    await expect(page.get_by_label("Quantity, line 1")).to_have_value("100")
    await expect(page.get_by_label("Unit price, line 2")).to_have_value("0.10")
    await supplier.accessible("the invoice editor")
    await page.get_by_role("button", name="Remove line 3").click()
    await expect(page.get_by_label("Quantity, line 3")).to_have_count(0)
    await page.get_by_role("button", name="Add a new item").click()
    await page.get_by_label("Description, line 3").fill("Freight")
    await page.get_by_label("Quantity, line 3").fill("1")
    await page.get_by_label("Unit price, line 3").fill("15")
    await page.get_by_label("Quantity, line 1").fill("60")
    await page.get_by_label("Unit price, line 2").fill("0.12")
    # 60 × 0.50 + 200 × 0.12 + 15: the total follows the typing, before anything is saved.
    await expect(page.locator("#totals")).to_contain_text("69.00 EUR")
    await page.get_by_label("Invoice number").fill(f"INV-{tag}-1")
    await page.get_by_label("Issue date").fill("2026-12-01")
    await page.get_by_label("Attach the scan").set_input_files(
        {"name": "invoice-scan.pdf", "mimeType": "application/pdf", "buffer": SCAN}
    )
    await supplier.screenshot("invoice-editor")
    await page.get_by_role("button", name="Save draft").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Invoice INV-{tag}-1")
    await expect(page.locator("#status")).to_have_text("Draft")
    await expect(page.get_by_role("link", name="invoice-scan.pdf")).to_be_visible()
    await supplier.accessible("a draft invoice")
    async with page.expect_download() as invoice_pdf:
        await page.get_by_role("link", name="Download PDF").click()
    assert (await downloaded(invoice_pdf)).startswith(b"%PDF")
    await page.get_by_role("link", name="Edit", exact=True).click()
    await expect(page.get_by_label("Unit price, line 2")).to_have_value("0.12")
    await page.get_by_role("button", name="Submit", exact=True).click()

    # Matching, then held for the new item: the page updates itself when the verdict arrives.
    await expect(page.locator("#status")).to_have_text("Pending", timeout=30_000)
    await expect(page.get_by_text("It bills items that were not ordered.")).to_be_visible()
    freight = page.get_by_role("row").filter(has_text="Freight")
    await expect(freight).to_contain_text("Not on the order")
    await expect(freight).to_have_class(re.compile("changed"))
    await expect(page.get_by_role("row").filter(has_text="washers")).to_contain_text("Changed price")
    await supplier.accessible("a held invoice")
    await supplier.screenshot("invoice-pending")

    # The buyer rejects it; the supplier reads why, drops the freight and submits again.
    invoice_id = page.url.rstrip("/").split("/")[-1].split("?")[0]
    rejected = await portal.api.post(
        f"/invoices/{invoice_id}/reject", json={"reason": "Freight is included in the prices."}, headers=buyer
    )
    assert rejected.status_code == 200, rejected.text
    await page.reload()
    await expect(page.locator("#status")).to_have_text("Rejected")
    await expect(page.get_by_text("Freight is included in the prices.")).to_be_visible()
    await page.get_by_role("link", name="Edit and submit again").click()
    await page.get_by_role("button", name="Remove line 3").click()
    await expect(page.locator("#totals")).to_contain_text("54.00 EUR")
    await page.get_by_role("button", name="Submit", exact=True).click()
    await expect(page.locator("#status")).to_have_text("Approved", timeout=30_000)

    # Paid in two parts.
    for amount in ("20.00", "34.00"):
        paid = await portal.api.post(f"/invoices/{invoice_id}/payments", json={"amount": amount}, headers=buyer)
        assert paid.status_code == 201, paid.text
    await page.reload()
    await expect(page.locator("#status")).to_have_text("Paid")
    payments = page.get_by_role("region", name="Payments")
    await expect(payments.get_by_role("row")).to_have_count(4)  # header, two payments, the sum
    await supplier.accessible("a paid invoice")
    await supplier.screenshot("invoice-paid")
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Invoices").click()
    await expect(page.get_by_role("row").filter(has_text=f"INV-{tag}-1")).to_contain_text("Paid")
    await supplier.accessible("the invoices list")
    await supplier.sign_out()
    await supplier.open("/invoices")
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
