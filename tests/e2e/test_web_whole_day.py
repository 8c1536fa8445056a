"""A whole day across both sides of the portal, in real Chromium, through the pages only: the buyer
creates a supplier and invites it, the supplier accepts in the browser, the buyer sends an order,
the supplier invoices 6 % over its 5 % tolerance, the order's initiator finds it under Approvals
with the changed line highlighted and rejects it with a reason, the supplier corrects it within
tolerance and submits it again, it is approved on the spot, and the buyer records the payment."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.async_api import expect

from portal_dev.testing import poll_until
from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Portal, link_in


async def test_a_whole_day_across_both_sides_through_the_pages(portal: Portal, browser_people: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    name, email = f"Bolts and Nuts {tag}", f"office-{tag}@bolts.example"

    # The buyer creates the supplier and invites it to the portal.
    buyer = await browser_people()
    b = buyer.page
    await buyer.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    await b.get_by_role("navigation", name="Main").get_by_role("link", name="Suppliers").click()
    await b.get_by_role("link", name="New supplier").click()
    await b.get_by_label("Name", exact=True).fill(name)
    await b.get_by_label("Email").fill(email)
    await b.get_by_label("Currency").fill("EUR")
    await b.get_by_label("Tolerance rate (%)").fill("5")
    await b.get_by_role("button", name="Create supplier").click()
    await expect(b.get_by_role("heading", level=1)).to_have_text(name)
    await b.get_by_role("button", name="Invite to the portal").click()
    await expect(b.get_by_role("status")).to_contain_text(email)

    # The supplier accepts in the browser from the email's link.
    [invitation] = await portal.email(to=email, subject="invit")
    supplier = await browser_people()
    s = supplier.page
    await s.goto(link_in(invitation, "/invitations/"))
    await s.get_by_label("Your name").fill("Dana from Bolts")
    await s.get_by_label("Password").fill("bolts-password-123")
    await s.get_by_role("button", name="Accept invitation").click()
    await expect(s.get_by_role("button", name="Sign out")).to_be_visible()

    # The buyer sends an order (once the orders service knows the new supplier: it hears of it by event).
    await buyer.open("/purchase-orders/new")

    async def order_sent() -> bool:
        await b.get_by_label("Supplier").select_option(label=name)
        await b.get_by_label("Delivery date").fill("2027-03-01")
        await b.get_by_label("Description, line 1").fill("Hex bolts M10")
        await b.get_by_label("Quantity, line 1").fill("100")
        await b.get_by_label("Unit price, line 1").fill("1.00")
        await b.get_by_role("button", name="Send to supplier").click()
        await b.wait_for_load_state()
        return await b.locator("#status").filter(has_text="Sent").count() == 1

    await poll_until(order_sent, timeout_s=30, interval_s=0.5, what="the order to be sent")
    number = (await b.get_by_role("heading", level=1).inner_text()).strip()

    # The supplier invoices 6 % above the order's price: held for the buyer.
    await s.get_by_role("navigation", name="Main").get_by_role("link", name="Purchase orders").click()
    await s.get_by_role("link", name=number).click()
    await s.get_by_role("link", name="Create invoice").click()
    await s.get_by_label("Invoice number").fill(f"BN-{tag}")
    await s.get_by_label("Unit price, line 1").fill("1.06")
    await s.get_by_role("button", name="Submit", exact=True).click()
    await expect(s.locator("#status")).to_contain_text("Pending", timeout=30_000)
    await expect(s.get_by_text("Waiting for the buyer’s approval")).to_be_visible()

    # The initiator finds it under Approvals, the changed line highlighted, and rejects it.
    await buyer.reload_until(lambda: b.locator(".count-badge"), "the approvals count")
    await b.get_by_role("navigation", name="Main").get_by_role("link", name="Approvals").click()
    card = b.get_by_role("article", name=re.compile(f"Invoice BN-{tag} from {name}"))
    await expect(card.locator("tr.changed")).to_contain_text("Changed price")
    await expect(card.locator("tr.changed td.changed-value")).to_have_text("1.06")
    await buyer.accessible("the approvals page in the whole day")
    await card.get_by_label("Reason").fill("Our agreed price is 1.00; 1.04 at most this quarter.")
    await card.get_by_role("button", name="Reject").click()
    await expect(b.get_by_text("The invoice was rejected; the supplier was told why.")).to_be_visible()

    # The supplier reads why, corrects the price within tolerance and submits again: approved.
    await s.reload()
    await expect(s.locator("#status")).to_contain_text("Rejected")
    await expect(s.get_by_text("1.04 at most this quarter")).to_be_visible()
    await s.get_by_role("link", name="Edit and submit again").click()
    await s.get_by_label("Unit price, line 1").fill("1.04")
    await s.get_by_role("button", name="Submit", exact=True).click()
    await expect(s.locator("#status")).to_contain_text("Approved", timeout=30_000)

    # The buyer records the payment; both sides see it paid.
    await b.get_by_role("navigation", name="Main").get_by_role("link", name="Invoices").click()
    await b.get_by_role("link", name=f"BN-{tag}").click()
    await expect(b.get_by_label(re.compile("Amount paid"))).to_have_value("104.00")
    await b.get_by_role("button", name="Record payment").click()
    await expect(b.locator("#status")).to_contain_text("Paid")
    await buyer.accessible("a paid invoice in the whole day")
    await s.reload()
    await expect(s.locator("#status")).to_contain_text("Paid")
    await expect(s.get_by_role("cell", name="104.00 EUR").first).to_be_visible()
