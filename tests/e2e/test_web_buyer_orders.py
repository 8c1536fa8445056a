"""A buyer's purchase orders in the web portal, in real Chromium, through the pages only: an order
made with the line editor (totals that follow the typing), saved, edited, sent, changed once
sent (the supplier is emailed what changed), canceled and closed after a confirmation; the
editor with the keyboard alone, and without JavaScript. The supplier's side goes through the API."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.async_api import Page, expect

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Portal


async def supplier_known_to_orders(portal: Portal, name: str, email: str) -> tuple[dict[str, str], str, dict]:
    """A supplier with its portal on, and an earlier order to it: purchase orders know it by now."""
    buyer = await portal.admin()
    supplier_id, _ = await portal.onboard_supplier(buyer, name=name, email=email)
    earlier = await portal.create_po(
        buyer, supplier_id, [{"description": "Labels", "quantity": "5", "unit_price": "2"}]
    )
    return buyer, supplier_id, earlier


async def signed_in_buyer(new_person: Any, **options: Any) -> Any:
    buyer = await new_person(**options)
    await buyer.open("/purchase-orders")
    await buyer.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    return buyer


def order_id_of(page: Page) -> str:
    return page.url.split("?")[0].rstrip("/").split("/")[-1]


async def test_a_buyer_makes_sends_changes_cancels_and_closes_orders(portal: Portal, browser_people: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    name, email = f"Office {tag}", f"orders-{tag}@office.example"
    buyer_api, supplier_id, earlier = await supplier_known_to_orders(portal, name, email)
    await portal.submit_po(buyer_api, earlier["id"])
    buyer = await signed_in_buyer(browser_people)
    page = buyer.page

    # A new order: three lines typed, the second removed, another added; the totals follow.
    await page.get_by_role("link", name="New purchase order").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("New purchase order")
    await page.get_by_label("Supplier").select_option(label=name)
    await expect(page.get_by_label("Currency")).to_have_value("EUR")
    await expect(page.get_by_text("The supplier invoices in EUR")).to_be_visible()
    await page.get_by_label("Delivery date").fill("2027-06-15")
    await page.get_by_label("Description, line 1").fill("Copy paper A4")
    await page.get_by_label("SKU, line 1").fill("CP-A4")
    await page.get_by_label("Unit, line 1").fill("box")
    await page.get_by_label("Quantity, line 1").fill("10")
    await page.get_by_label("Unit price, line 1").fill("24.90")
    await expect(page.locator("#line-0-net")).to_have_text("249.00")
    await expect(page.locator("#totals")).to_contain_text("249.00 EUR")
    await page.get_by_role("button", name="Add a line").click()
    await page.get_by_label("Description, line 2").fill("Stapler")
    await page.get_by_label("Unit price, line 2").fill("12")
    await page.get_by_role("button", name="Add a line").click()
    await page.get_by_label("Description, line 3").fill("Toner <b>black</b>")
    await page.get_by_label("Quantity, line 3").fill("2")
    await page.get_by_label("Unit price, line 3").fill("61.25")
    await expect(page.locator("#totals")).to_contain_text("383.50 EUR")
    await page.get_by_role("button", name="Remove line 2").click()
    await expect(page.get_by_label("Description, line 2")).to_have_value("Toner <b>black</b>")
    await expect(page.get_by_label("Description, line 3")).to_have_count(0)
    await page.get_by_role("button", name="Add a line").click()
    await page.get_by_label("Description, line 3").fill("Envelopes C5")
    await page.get_by_label("Quantity, line 3").fill("3")
    await page.get_by_label("Unit price, line 3").fill("4.5")
    # 10 × 24.90 + 2 × 61.25 + 3 × 4.50, before anything is saved.
    await expect(page.locator("#totals")).to_contain_text("385.00 EUR")
    await expect(page.locator("#line-2-net")).to_have_text("13.50")
    await buyer.accessible("the order editor")
    await buyer.screenshot("buyer-order-editor")

    # The API refuses another currency than the supplier's: said next to the field, the typing kept.
    await page.get_by_label("Currency").fill("USD")
    await page.get_by_role("button", name="Save draft").click()
    await expect(page.get_by_text("must be the supplier's currency EUR")).to_be_visible()
    await expect(page.get_by_label("Currency")).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_label("Quantity, line 3")).to_have_value("3")
    await expect(page.get_by_label("Supplier")).to_have_value(supplier_id)
    await buyer.accessible("the order editor with a refusal")
    await page.get_by_label("Currency").fill("EUR")
    await page.get_by_role("button", name="Save draft").click()

    await expect(page.get_by_role("status")).to_contain_text("The draft was saved")
    number = (await page.get_by_role("heading", level=1).inner_text()).strip()
    assert re.fullmatch(r"PO-\d{6}", number)
    order_id = order_id_of(page)
    await expect(page.locator("#status")).to_have_text("Draft")
    await expect(page.get_by_role("cell", name="Toner <b>black</b>")).to_be_visible()
    await expect(page.get_by_role("row").filter(has_text="Net total").last).to_contain_text("385.00 EUR")
    assert buyer.dialogs == []
    await buyer.accessible("a draft order")

    # Edited as a draft: a quantity the API refuses is shown next to its field.
    await page.get_by_role("link", name="Edit", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Edit {number}")
    await expect(page.get_by_label("Supplier")).to_have_value(name)
    await page.get_by_label("Quantity, line 1").fill("12.00005")
    await page.get_by_role("button", name="Save draft").click()
    quantity = page.get_by_label("Quantity, line 1")
    await expect(quantity).to_have_attribute("aria-invalid", "true")
    await expect(quantity).to_have_value("12.00005")
    await expect(page.get_by_text("no more than 4 decimal places")).to_be_visible()
    await quantity.fill("12")
    await page.get_by_label("Delivery date").fill("2027-06-30")
    await page.get_by_role("button", name="Save draft").click()
    await expect(page.get_by_role("status")).to_contain_text("The draft was saved")
    await expect(page.get_by_role("row").filter(has_text="Copy paper A4")).to_contain_text("298.80")
    await expect(page.get_by_text("30 Jun 2027")).to_be_visible()

    # Sent: the supplier's email arrives with the order.
    await page.get_by_role("button", name="Send to supplier").click()
    await expect(page.get_by_role("status")).to_contain_text("The order was sent")
    await expect(page.locator("#status")).to_have_text("Sent")
    [sent] = await portal.email(to=email, subject=f"New purchase order {number}")
    assert "Envelopes C5" in sent.get_body(preferencelist=("plain",)).get_content()
    await expect(page.get_by_role("button", name="Send to supplier")).to_have_count(0)

    # Changed once sent: the page says the supplier was emailed, and the email says what changed.
    await page.get_by_role("link", name="Edit", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Change {number}")
    await expect(page.get_by_text("the supplier is emailed each change")).to_be_visible()
    await buyer.accessible("the change of a sent order")
    await page.get_by_label("Unit price, line 2").fill("59.90")
    await page.get_by_label("Delivery date").fill("2027-07-07")
    await page.get_by_role("button", name="Save changes").click()
    await expect(page.get_by_role("status")).to_contain_text("The supplier was emailed what changed")
    [changed] = await portal.email(to=email, subject=f"Purchase order {number} was changed")
    text = changed.get_body(preferencelist=("plain",)).get_content()
    assert "line 2 unit_price: 61.25" in text and "59.9" in text and "2027-07-07" in text
    await expect(page.get_by_role("row").filter(has_text="Net total").last).to_contain_text("432.10 EUR")
    await buyer.accessible("a changed order")
    await buyer.screenshot("buyer-order")

    # Saving without a change changes nothing, and says so.
    await page.get_by_role("link", name="Edit", exact=True).click()
    await page.get_by_role("button", name="Save changes").click()
    await expect(page.get_by_role("status")).to_contain_text("Nothing was changed")

    # The earlier order is canceled after its confirmation; asked and kept first, nothing happens.
    await buyer.open(f"/purchase-orders/{earlier['id']}")
    await page.get_by_role("link", name="Cancel order").click()
    confirm = page.get_by_role("region", name="Cancel this order?")
    await expect(confirm).to_contain_text("This cannot be undone")
    await buyer.accessible("the confirmation of a cancellation")
    await confirm.get_by_role("link", name="Keep the order as it is").click()
    await expect(page.get_by_role("region", name="Cancel this order?")).to_have_count(0)
    await expect(page.locator("#status")).to_have_text("Sent")
    await page.get_by_role("link", name="Cancel order").click()
    await page.get_by_role("button", name="Yes, cancel the order").click()
    await expect(page.get_by_role("status")).to_contain_text("The order was canceled")
    await expect(page.locator("#status")).to_have_text("Canceled")
    await expect(page.get_by_role("link", name="Cancel order")).to_have_count(0)
    await expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    assert (await portal.api.get(f"/purchase-orders/{earlier['id']}", headers=buyer_api)).json()["status"] == "canceled"

    # The new order is closed after its confirmation.
    await buyer.open(f"/purchase-orders/{order_id}")
    await page.get_by_role("link", name="Close order").click()
    await expect(page.get_by_role("region", name="Close this order?")).to_contain_text("nothing more is expected")
    await page.get_by_role("button", name="Yes, close the order").click()
    await expect(page.get_by_role("status")).to_contain_text("The order was closed")
    await expect(page.locator("#status")).to_have_text("Closed")
    await buyer.accessible("a closed order")

    # A form posted for a closed order is refused by the API: a message on the page, not an error page.
    csrf = await page.locator("input[name=csrf_token]").first.get_attribute("value")
    answer = await page.request.post(f"{buyer.base_url}/purchase-orders/{order_id}/cancel", form={"csrf_token": csrf})
    assert answer.status == 409
    assert "That could not be done." in await answer.text()

    # The orders list has both, in their statuses.
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Purchase orders").click()
    await expect(page.get_by_role("row").filter(has_text=number)).to_contain_text("Closed")
    await expect(page.get_by_role("row").filter(has_text=earlier["number"])).to_contain_text("Canceled")
    await buyer.accessible("the buyer's orders list")


async def test_a_purchase_order_is_made_and_sent_with_the_keyboard_alone(portal: Portal, browser_people: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    # No space in the name: a space typed on a select opens its list instead of searching on.
    name, email = f"Keyed-{tag}", f"keyed-{tag}@keyboard.example"
    await supplier_known_to_orders(portal, name, email)
    buyer = await signed_in_buyer(browser_people)
    page = buyer.page

    await buyer.tab_to("New purchase order")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("New purchase order")
    await buyer.tab_to("Supplier")
    await page.keyboard.type(name)
    await expect(page.get_by_label("Supplier")).to_have_value(re.compile(r"\w{8}-"))
    await expect(page.get_by_label("Currency")).to_have_value("EUR")
    await buyer.tab_to("Description, line 1")
    await page.keyboard.type("Cable ties")
    await buyer.tab_to("Quantity, line 1")
    await page.keyboard.press("Control+A")
    await page.keyboard.type("4")
    await buyer.tab_to("Unit price, line 1")
    await page.keyboard.type("2.5")
    await expect(page.locator("#totals")).to_contain_text("10.00 EUR")
    await buyer.tab_to("Send to supplier")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("The order was sent")
    number = (await page.get_by_role("heading", level=1).inner_text()).strip()
    await portal.email(to=email, subject=f"New purchase order {number}")


async def test_the_order_editor_works_without_javascript(portal: Portal, browser_people: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    name = f"Plain orders {tag}"
    await supplier_known_to_orders(portal, name, f"plain-orders-{tag}@plain.example")
    buyer = await signed_in_buyer(browser_people, java_script_enabled=False)
    page = buyer.page

    await page.get_by_role("link", name="New purchase order").click()
    await page.get_by_label("Supplier").select_option(label=name)
    await page.get_by_label("Description, line 1").fill("Folders")
    await page.get_by_label("Quantity, line 1").fill("20")
    await page.get_by_label("Unit price, line 1").fill("1.5")
    # Lines are added and removed by the server; what was typed stays, the nets priced.
    await page.get_by_role("button", name="Add a line").click()
    await expect(page.get_by_label("Description, line 1")).to_have_value("Folders")
    await expect(page.locator("#line-0-net")).to_have_text("30.00")
    await page.get_by_label("Description, line 2").fill("Mistake")
    await page.get_by_role("button", name="Add a line").click()
    await page.get_by_label("Description, line 3").fill("Binders")
    await page.get_by_label("Unit price, line 3").fill("3")
    await page.get_by_role("button", name="Remove line 2").click()
    await expect(page.get_by_label("Description, line 2")).to_have_value("Binders")
    # The currency was left to the server: the supplier's.
    await expect(page.get_by_label("Currency")).to_have_value("EUR")
    await page.get_by_role("button", name="Save draft").click()
    await expect(page.get_by_role("status")).to_contain_text("The draft was saved")
    await expect(page.get_by_role("row").filter(has_text="Net total").last).to_contain_text("33.00 EUR")

    # Cancel with its confirmation, a form like any other.
    await page.get_by_role("link", name="Cancel order").click()
    await page.get_by_role("button", name="Yes, cancel the order").click()
    await expect(page.get_by_role("status")).to_contain_text("The order was canceled")
