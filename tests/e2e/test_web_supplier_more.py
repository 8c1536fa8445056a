"""More of a supplier's work in the web portal, in real Chromium: an invoice made and submitted
with the keyboard alone, a request for proposals answered line by line, the profile kept (and
the buyer's tolerance never shown), and the buyer organisation switched by a supplier that
serves two."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.async_api import expect

from portal_dev.stack import Stack
from tests.e2e.conftest import SUPPLIER_PASSWORD, Portal, link_in
from tests.e2e.test_tenant_isolation import ADMIN_PASSWORD, create_buyer
from tests.e2e.test_web_supplier_day import onboard_in_browser

PASSWORD = "web-more-password"


async def test_an_invoice_is_made_and_submitted_with_the_keyboard_alone(portal: Portal, browser_people: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    buyer, supplier_id, supplier = await onboard_in_browser(
        portal, browser_people, name=f"Keys {tag}", email=f"keys-{tag}@keyboard.example", password=PASSWORD
    )
    po = await portal.create_po(buyer, supplier_id, [{"description": "Cable", "quantity": "10", "unit_price": "3"}])
    await portal.submit_po(buyer, po["id"])
    page = supplier.page
    await supplier.open(f"/purchase-orders/{po['id']}")
    await supplier.reload_until(lambda: page.get_by_role("link", name="Create invoice"), "the order to be invoiceable")

    await supplier.tab_to("Create invoice")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("New invoice")
    await supplier.tab_to("Invoice number")
    await page.keyboard.type(f"KEY-{tag}")
    await supplier.tab_to("Quantity, line 1")
    await page.keyboard.press("Control+A")
    await page.keyboard.type("4")
    await expect(page.locator("#totals")).to_contain_text("12.00 EUR")
    await supplier.tab_to("Submit")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Invoice KEY-{tag}")
    await expect(page.locator("#status")).to_have_text("Approved", timeout=30_000)


async def test_a_request_for_proposals_is_answered_line_by_line(portal: Portal, browser_people: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    email = f"bids-{tag}@rfp.example"
    buyer, supplier_id, supplier = await onboard_in_browser(
        portal, browser_people, name=f"Bids {tag}", email=email, password=PASSWORD
    )
    body = {
        "title": f"Fasteners {tag}",
        "due_date": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
        "currency": "EUR",
        "lines": [
            {"description": "M8 bolts", "quantity": "1000", "unit": "pcs"},
            {"description": "Washers", "quantity": "500"},
        ],
        "supplier_ids": [supplier_id],
    }
    rfp = await portal.until_created("/rfps", body, buyer, retry_on=422)
    assert (await portal.api.post(f"/rfps/{rfp['id']}/publish", headers=buyer)).status_code == 200
    [published] = await portal.email(to=email, subject=rfp["number"])

    page = supplier.page
    await page.goto(link_in(published, f"/rfps/{rfp['id']}"))
    await expect(page.get_by_role("heading", level=1)).to_contain_text(rfp["number"])
    await supplier.accessible("a request for proposals")
    await page.get_by_label("Unit price, line 1").fill("0.12")
    await page.get_by_label("Decline line 2").check()
    await page.get_by_label("Comment to the buyer").fill("Washers only from March.")
    await page.get_by_role("button", name="Save proposal").click()
    await expect(page.get_by_role("status")).to_contain_text("Your proposal was saved")
    await page.get_by_label("File to attach").set_input_files(
        {"name": "specs.csv", "mimeType": "text/csv", "buffer": b"part,price\nM8,0.12\n"}
    )
    await page.get_by_role("button", name="Upload").click()
    await expect(page.get_by_role("link", name="specs.csv")).to_be_visible()
    await expect(page.get_by_label("Unit price, line 1")).to_have_value("0.12")
    await expect(page.get_by_label("Decline line 2")).to_be_checked()
    await page.get_by_role("button", name="Submit proposal").click()
    await expect(page.get_by_role("status")).to_contain_text("submitted to the buyer")
    await supplier.screenshot("rfp")

    comparison = (await portal.api.get(f"/rfps/{rfp['id']}/proposals", headers=buyer)).json()
    offers = {line["description"]: line["offers"] for line in comparison["lines"]}
    assert [o["unit_price"] for o in offers["M8 bolts"]] == ["0.12"]
    assert [o["unit_price"] for o in offers["Washers"]] in ([], [None])
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Requests for proposals").click()
    await expect(page.get_by_role("row").filter(has_text=rfp["number"])).to_contain_text("Submitted")
    await supplier.accessible("the list of requests for proposals")


async def test_the_supplier_keeps_its_profile_and_the_buyer_sees_it(portal: Portal, browser_people: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    buyer = await portal.admin()
    field = {
        "key": f"region_{tag}",
        "label": f"Delivery region {tag}",
        "type": "choice",
        "choices": ["North", "South"],
        "required": False,
        "shown_in_portal": True,
    }
    assert (await portal.api.post("/supplier-custom-fields", json=field, headers=buyer)).status_code == 201
    _, supplier_id, supplier = await onboard_in_browser(
        portal, browser_people, name=f"Profile {tag}", email=f"profile-{tag}@profile.example", password=PASSWORD
    )
    page = supplier.page
    await page.get_by_role("link", name="Profile").click()
    await expect(page.get_by_label("Currency")).to_have_value("EUR")
    await expect(page.get_by_label("Currency")).not_to_be_editable()
    await supplier.accessible("the profile")
    await page.get_by_label("Phone").fill("+49 30 555 0101")
    await page.get_by_label("Lead time in days").fill("12")
    await supplier.reload_until(lambda: page.get_by_label(f"Delivery region {tag}"), "the buyer's custom field")
    await page.get_by_label("Phone").fill("+49 30 555 0101")
    await page.get_by_label("Lead time in days").fill("12")
    await page.get_by_label(f"Delivery region {tag}").select_option("South")
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.get_by_role("status")).to_have_text("Your profile was saved.")
    await supplier.screenshot("profile")
    record = (await portal.api.get(f"/suppliers/{supplier_id}", headers=buyer)).json()
    assert record["phone"] == "+49 30 555 0101"
    assert record["custom_fields"][f"region_{tag}"] == "South"

    # The terms the supplier keeps flag an order that ignores them, on the order's page.
    soon = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    po = await portal.create_po(
        buyer, supplier_id, [{"description": "Rush job", "quantity": "1", "unit_price": "9"}], delivery_date=soon
    )
    await portal.submit_po(buyer, po["id"])
    await supplier.open(f"/purchase-orders/{po['id']}")
    await expect(page.get_by_role("note")).to_contain_text("does not follow the supplier's terms")
    # The buyer's tolerance for the supplier is the buyer's: no page of the supplier's shows it.
    tolerance = {"tolerance_rate": "5", "tolerance_amount": "100"}
    assert (await portal.api.patch(f"/suppliers/{supplier_id}", json=tolerance, headers=buyer)).status_code == 200
    no_tolerance = page.get_by_text(re.compile("tolerance", re.IGNORECASE))
    await page.reload()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(po["number"])
    await expect(no_tolerance).to_have_count(0)
    await supplier.open("/profile")
    await expect(page.get_by_label("Currency")).to_have_value("EUR")
    await expect(no_tolerance).to_have_count(0)

    # A value the API refuses is shown next to its field, with what was typed kept.
    await page.get_by_label("Email").fill("not-an-email")
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.get_by_label("Email")).to_have_value("not-an-email")
    await expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    await supplier.accessible("the profile with an error")


async def test_the_issue_date_is_required_where_the_buyer_requires_it(
    portal: Portal, browser_people: Any, stack: Stack, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:6]
    password_file = tmp_path / "admin-password"
    password_file.write_text(ADMIN_PASSWORD)
    strict = await create_buyer(stack, password_file, "Strict", tag)
    buyer = await portal.sign_in(strict.admin_email, ADMIN_PASSWORD)
    email = f"dated-{tag}@strict.example"
    created = await portal.api.post(
        "/suppliers", json={"name": f"Dated {tag}", "email": email, "currency": "EUR"}, headers=buyer
    )
    supplier_id = created.json()["id"]
    assert (await portal.api.post(f"/suppliers/{supplier_id}/portal/activate", headers=buyer)).status_code == 200
    [invitation] = await portal.email(to=email, subject="invit")
    supplier = await browser_people()
    await supplier.page.goto(link_in(invitation, "/invitations/"))
    await supplier.page.get_by_label("Password").fill(PASSWORD)
    await supplier.page.get_by_role("button", name="Accept invitation").click()
    settings = await portal.api.patch("/settings", json={"invoice_issue_date_required": True}, headers=buyer)
    assert settings.status_code == 200, settings.text
    po = await portal.create_po(buyer, supplier_id, [{"description": "Tape", "quantity": "2", "unit_price": "4"}])
    await portal.submit_po(buyer, po["id"])

    page = supplier.page
    await supplier.open(f"/invoices/new?purchase_order_id={po['id']}")
    await supplier.reload_until(lambda: page.get_by_label("Invoice number"), "the order to be invoiceable")
    issue_date = page.get_by_label("Issue date")
    await expect(issue_date).to_have_attribute("aria-required", "true")
    await expect(page.get_by_text("(required by this buyer)")).to_be_visible()
    await page.get_by_label("Invoice number").fill(f"DATED-{tag}")
    await page.get_by_role("button", name="Submit", exact=True).click()
    await expect(page.get_by_text("This buyer requires the issue date.")).to_be_visible()
    await expect(issue_date).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_label("Invoice number")).to_have_value(f"DATED-{tag}")
    await supplier.accessible("the invoice editor with an error")
    await issue_date.fill("2026-12-02")
    await page.get_by_role("button", name="Submit", exact=True).click()
    await expect(page.locator("#status")).to_have_text(re.compile("Matching|Approved"))


async def test_a_supplier_serving_two_buyers_switches_between_them(
    portal: Portal, browser_people: Any, stack: Stack, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:6]
    email = f"two-{tag}@both.example"
    buyer_a, supplier_a, supplier = await onboard_in_browser(
        portal, browser_people, name=f"Both {tag}", email=email, password=SUPPLIER_PASSWORD
    )
    password_file = tmp_path / "admin-password"
    password_file.write_text(ADMIN_PASSWORD)
    other = await create_buyer(stack, password_file, "B", tag)
    buyer_b = await portal.sign_in(other.admin_email, ADMIN_PASSWORD)
    created = await portal.api.post(
        "/suppliers", json={"name": f"Both {tag}", "email": email, "currency": "EUR"}, headers=buyer_b
    )
    supplier_b = created.json()["id"]
    assert (await portal.api.post(f"/suppliers/{supplier_b}/portal/activate", headers=buyer_b)).status_code == 200
    invitations = await portal.email(to=email, subject="invit", count=2)
    token = re.search(r"/invitations/([A-Za-z0-9_\-]+)", link_in(invitations[-1], "/invitations/")).group(1)  # type: ignore[union-attr]
    # The same person, the same account: the second invitation is accepted with its password.
    joined = await portal.api.post(f"/auth/invitations/{token}/accept", json={"password": SUPPLIER_PASSWORD})
    assert joined.status_code == 201, joined.text
    po_a = await portal.create_po(buyer_a, supplier_a, [{"description": "A", "quantity": "1", "unit_price": "1"}])
    await portal.submit_po(buyer_a, po_a["id"])
    po_b = await portal.create_po(buyer_b, supplier_b, [{"description": "B", "quantity": "1", "unit_price": "1"}])
    await portal.submit_po(buyer_b, po_b["id"])

    page = supplier.page
    await supplier.sign_out()
    await supplier.sign_in(email, SUPPLIER_PASSWORD)
    switcher = page.get_by_label("Buyer", exact=True)
    await expect(switcher.get_by_role("option")).to_have_count(3)  # all buyers, and each of the two
    await switcher.select_option(label=other.name)
    await page.get_by_role("button", name="Switch").click()
    await expect(page.get_by_role("contentinfo")).to_contain_text(f"working for {other.name}")
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Purchase orders").click()
    await supplier.reload_until(lambda: page.get_by_role("link", name=po_b["number"]), "buyer B's order")
    rows = page.get_by_role("row").filter(has_text=other.name)
    await expect(rows).to_have_count(1)
    # Buyer A's order is not there, and its page is another party's now.
    answer = await page.goto(supplier.base_url + f"/purchase-orders/{po_a['id']}")
    assert answer is not None and answer.status == 404
    await supplier.accessible("the not-found page while working for one buyer")
    await supplier.open("/")
    await page.get_by_label("Buyer", exact=True).select_option(label="All buyers")
    await page.get_by_role("button", name="Switch").click()
    await supplier.open(f"/purchase-orders/{po_a['id']}")
    await expect(page.get_by_role("heading", level=1)).to_have_text(po_a["number"])


async def test_the_pages_work_without_javascript(portal: Portal, browser_people: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    email = f"nojs-{tag}@plain.example"
    buyer, supplier_id, _ = await onboard_in_browser(
        portal, browser_people, name=f"Plain {tag}", email=email, password=PASSWORD
    )
    lines = [
        {"description": "Paper", "quantity": "10", "unit_price": "2"},
        {"description": "Toner", "quantity": "1", "unit_price": "50"},
    ]
    po = await portal.create_po(buyer, supplier_id, lines)
    await portal.submit_po(buyer, po["id"])
    plain = await browser_people(java_script_enabled=False)
    page = plain.page
    await plain.open(f"/purchase-orders/{po['id']}")
    await plain.sign_in(email, PASSWORD)
    await page.get_by_role("button", name="Acknowledge").click()
    await expect(page.get_by_role("status")).to_contain_text("You acknowledged this order")

    # The parts a script would load in place are links to pages of their own.
    await page.get_by_role("link", name="Comments and files").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Comments and files")
    await page.get_by_label("New comment").fill("Sent without a script.")
    await page.get_by_role("button", name="Add comment").click()
    await expect(page.get_by_text("Sent without a script.")).to_be_visible()
    await plain.open(f"/purchase-orders/{po['id']}")
    await page.get_by_role("link", name="Invoices of this order").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Invoices of the order")

    # The editor: a line removed and one added by the server, the total on saving.
    await plain.open(f"/invoices/new?purchase_order_id={po['id']}")
    await page.get_by_role("button", name="Remove line 2").click()
    await page.get_by_role("button", name="Add a new item").click()
    await page.get_by_label("Description, line 2").fill("Delivery")
    await page.get_by_label("Unit price, line 2").fill("5")
    await page.get_by_label("Invoice number").fill(f"PLAIN-{tag}")
    await page.get_by_role("button", name="Save draft").click()
    await expect(page.locator("#status")).to_have_text("Draft")
    await expect(page.get_by_role("row").filter(has_text="Net total")).to_contain_text("25.00 EUR")
