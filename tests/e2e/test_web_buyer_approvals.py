"""The buyer's approvals, dashboard and payments in real Chromium: the invoices held for the signed-in
person, oldest first, each with why it is held and its changed lines, decided on the same page
(with the mouse and with the keyboard alone); then a payment, never above what is due."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.async_api import expect

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Portal


async def held_invoice(portal: Portal, supplier: dict[str, str], po: dict[str, Any], number: str, price: str) -> dict:
    """The supplier invoices the order's first line at ``price`` (the order's is 10.00) and submits."""
    line = po["lines"][0]
    body = {
        "purchase_order_id": po["id"],
        "number": number,
        "lines": [{"purchase_order_line_id": line["id"], "quantity": "10", "unit_price": price}],
    }
    invoice = await portal.create_invoice(supplier, body)
    submitted = await portal.api.post(f"/invoices/{invoice['id']}/submit", headers=supplier)
    assert submitted.status_code == 202, submitted.text
    return await portal.invoice_in(supplier, invoice["id"], "pending", "approved")


async def test_the_buyer_decides_held_invoices_on_the_approvals_page_and_records_a_payment(
    portal: Portal, browser_people: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    buyer = await portal.admin()
    supplier_id, supplier = await portal.onboard_supplier(
        buyer, name=f"Approvals {tag} <b>Ltd</b>", email=f"ap-{tag}@supplier.example", tolerance="5"
    )
    lines = [{"description": "Cable ties", "quantity": "10", "unit_price": "10.00"}]
    first_po = await portal.create_po(buyer, supplier_id, lines)
    await portal.submit_po(buyer, first_po["id"])
    second_po = await portal.create_po(buyer, supplier_id, lines)
    await portal.submit_po(buyer, second_po["id"])
    # 6 % over the order's price, beyond the supplier's 5 % tolerance: both are held for the buyer.
    older = await held_invoice(portal, supplier, first_po, f"AP-{tag}-1", "10.60")
    newer = await held_invoice(portal, supplier, second_po, f"AP-{tag}-2", "10.60")
    assert (older["status"], newer["status"]) == ("pending", "pending")

    person = await browser_people()
    page = person.page
    await person.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    # The dashboard and the navigation say what waits (other tests may have left more).
    await expect(page.get_by_role("link", name=re.compile(r"invoices? waiting for your approval"))).to_be_visible()
    await expect(page.get_by_role("navigation", name="Main").locator(".count-badge")).to_be_visible()
    await person.accessible("the buyer's dashboard")
    await person.screenshot("buyer-dashboard")

    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Approvals").click()
    await expect(page.get_by_role("heading", name="Approvals", level=1)).to_be_visible()
    older_card = page.get_by_role("article", name=re.compile(f"Invoice AP-{tag}-1"))
    await expect(older_card).to_be_visible()
    # Oldest first.
    titles = await page.get_by_role("article").evaluate_all(
        "cards => cards.map(c => c.getAttribute('aria-labelledby'))"
    )
    assert titles.index(f"approval-{older['id']}") < titles.index(f"approval-{newer['id']}")
    # Why it is held, in words and numbers, the changed line highlighted; the name is text, not markup.
    await expect(older_card).to_contain_text("beyond the buyer's tolerance")
    await expect(older_card).to_contain_text("Tolerance limit")
    await expect(older_card).to_contain_text(f"Approvals {tag} <b>Ltd</b>")
    changed_row = older_card.locator("tr.changed")
    await expect(changed_row).to_have_count(1)
    await expect(changed_row).to_contain_text("Changed price")
    await expect(changed_row.locator("td.changed-value")).to_have_text("10.60")
    await person.accessible("the approvals page")
    await person.screenshot("buyer-approvals")

    # A rejection needs a reason: the refusal is at that invoice's field, the page stays.
    await older_card.get_by_role("button", name="Reject").click()
    older_card = page.get_by_role("article", name=re.compile(f"Invoice AP-{tag}-1"))
    await expect(older_card.get_by_text("Say why the invoice is rejected")).to_be_visible()
    await expect(older_card.get_by_label("Reason")).to_have_attribute("aria-invalid", "true")
    await person.accessible("the approvals page with a refused rejection")
    await older_card.get_by_label("Reason").fill("The price is 10.00 as agreed <script>x</script>")
    await older_card.get_by_role("button", name="Reject").click()
    await expect(page.get_by_text("The invoice was rejected; the supplier was told why.")).to_be_visible()
    await expect(page.get_by_role("article", name=re.compile(f"Invoice AP-{tag}-1"))).to_have_count(0)
    rejected = await portal.invoice_in(supplier, older["id"], "rejected")
    assert rejected["rejection_reason"] == "The price is 10.00 as agreed <script>x</script>"

    # The other one approved with the keyboard alone.
    await person.tab_to(f"Approve invoice AP-{tag}-2")
    await page.keyboard.press("Enter")
    await expect(page.get_by_text("The invoice was approved. The supplier was told.")).to_be_visible()
    await expect(page.get_by_role("article", name=re.compile(f"Invoice AP-{tag}-2"))).to_have_count(0)
    approved = await portal.invoice_in(buyer, newer["id"], "approved")

    # A payment: more than is due is refused with the API's reason; then the rest is paid.
    await person.open(f"/invoices/{approved['id']}")
    amount = page.get_by_label(re.compile("Amount paid"))
    await expect(amount).to_have_value("106.00")
    await amount.fill("200")
    await page.get_by_role("button", name="Record payment").click()
    await expect(page.get_by_label(re.compile("Amount paid"))).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#amount-error")).to_be_visible()
    await expect(page.get_by_label(re.compile("Amount paid"))).to_have_value("200")
    await person.accessible("an invoice with a refused payment")
    await page.get_by_label(re.compile("Amount paid")).fill("6,00")
    await page.get_by_role("button", name="Record payment").click()
    await expect(page.get_by_text("Enter the amount paid as a number with a point for decimals")).to_be_visible()
    await page.get_by_label(re.compile("Amount paid")).fill("6.00")
    await page.get_by_role("button", name="Record payment").click()
    await expect(page.get_by_text("The payment was recorded.")).to_be_visible()
    await expect(page.locator("#status")).to_contain_text("Partly paid")
    await page.get_by_role("button", name="Record payment").click()  # the rest, as prefilled
    await expect(page.locator("#status")).to_contain_text("Paid")
    await expect(page.get_by_role("button", name="Record payment")).to_have_count(0)
    await person.accessible("a paid invoice")
    paid = await portal.invoice_in(supplier, approved["id"], "paid")
    assert [p["amount"] for p in paid["payments"]] == ["6.00", "100.00"]


async def test_a_buyer_user_sees_only_what_is_routed_to_them_and_no_settings(
    portal: Portal, browser_people: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    buyer = await portal.admin()
    email, password = f"clerk-{tag}@buyer.example", "clerk-password-123"
    created = await portal.api.post(
        "/users",
        json={"email": email, "name": f"Clerk {tag}", "password": password, "role": "buyer_user"},
        headers=buyer,
    )
    assert created.status_code == 201, created.text
    person = await browser_people()
    await person.sign_in(email, password)
    navigation = person.page.get_by_role("navigation", name="Main")
    await expect(navigation.get_by_role("link", name="Approvals")).to_be_visible()
    await expect(navigation.get_by_role("link", name="Settings")).to_have_count(0)
    await person.open("/approvals")
    await expect(person.page.get_by_text("Nothing waits for your decision.")).to_be_visible()
    await expect(person.page.locator(".count-badge")).to_have_count(0)
    await person.accessible("an empty approvals page")


async def test_while_the_portal_is_off_the_buyer_invoices_on_the_suppliers_behalf(
    portal: Portal, browser_people: Any, new_organisation: Any
) -> None:
    organisation = await new_organisation()
    buyer = await portal.sign_in(organisation.admin_email, organisation.admin_password)
    tag = uuid.uuid4().hex[:6]
    created = await portal.api.post(
        "/suppliers",
        json={"name": f"Offline {tag}", "email": f"off-{tag}@supplier.example", "currency": "EUR"},
        headers=buyer,
    )
    assert created.status_code == 201, created.text
    lines = [{"description": "Printer paper", "quantity": "20", "unit_price": "4.50"}]
    po = await portal.create_po(buyer, created.json()["id"], lines)
    await portal.submit_po(buyer, po["id"])

    person = await browser_people()
    page = person.page
    await person.sign_in(organisation.admin_email, organisation.admin_password)
    # While the portal is on, invoices are the supplier's to write: the page offers none.
    await person.open(f"/purchase-orders/{po['id']}")
    await expect(page.get_by_role("heading", name=po["number"], level=1)).to_be_visible()
    await expect(page.get_by_role("link", name=re.compile("Create invoice"))).to_have_count(0)

    switched = await portal.api.patch("/settings", json={"supplier_portal_enabled": False}, headers=buyer)
    assert switched.status_code == 200, switched.text
    await page.reload()
    await page.get_by_role("link", name=re.compile("Create invoice")).click()
    await expect(page.get_by_text(f"On behalf of Offline {tag}")).to_be_visible()
    await expect(page.get_by_label("Quantity, line 1")).to_have_value("20")
    await page.get_by_label("Invoice number").fill(f"OFF-{tag}")
    await person.accessible("the invoice editor on a supplier's behalf")
    await page.get_by_role("button", name="Submit").click()
    await expect(page.get_by_role("heading", name=f"Invoice OFF-{tag}")).to_be_visible()
    await expect(page.locator("#status")).to_contain_text("Approved", timeout=30_000)
    invoices = (await portal.api.get("/invoices", params={"purchase_order_id": po["id"]}, headers=buyer)).json()
    [invoice] = invoices["items"]
    assert (invoice["number"], invoice["created_by_buyer"], invoice["net_total"]) == (f"OFF-{tag}", True, "90.00")


async def test_the_buyer_narrows_orders_and_invoices_to_one_supplier(
    portal: Portal, browser_people: Any, new_organisation: Any
) -> None:
    organisation = await new_organisation()
    buyer = await portal.sign_in(organisation.admin_email, organisation.admin_password)
    tag = uuid.uuid4().hex[:6]
    orders = {}
    for name in (f"Acme {tag}", f"Acme Parts {tag}"):
        body = {"name": name, "email": f"{name.replace(' ', '-').lower()}@acme.example", "currency": "EUR"}
        created = await portal.api.post("/suppliers", json=body, headers=buyer)
        assert created.status_code == 201, created.text
        lines = [{"description": "Gaskets", "quantity": "4", "unit_price": "2.50"}]
        orders[name] = await portal.create_po(buyer, created.json()["id"], lines)

    person = await browser_people()
    page = person.page
    await person.sign_in(organisation.admin_email, organisation.admin_password)
    await person.open("/purchase-orders")
    numbers = page.get_by_role("table").get_by_role("link", name=re.compile(r"^PO-"))
    await expect(numbers).to_have_count(2)

    # A name that is one supplier's exactly narrows the list to it.
    await page.get_by_label("Supplier").fill(f"Acme Parts {tag}")
    await page.get_by_role("button", name="Show").click()
    await expect(numbers).to_have_count(1)
    await expect(numbers).to_have_text(orders[f"Acme Parts {tag}"]["number"])

    # A name several suppliers share: the page offers them; one is chosen.
    await page.get_by_label("Supplier").fill("acme")
    await page.get_by_role("button", name="Show").click()
    choices = page.get_by_role("status").get_by_role("link")
    await expect(choices).to_have_count(2)
    await person.accessible("the orders list offering suppliers to choose from")
    await choices.filter(has_text=re.compile(f"^Acme {tag}$")).click()
    await expect(numbers).to_have_text(orders[f"Acme {tag}"]["number"])
    await expect(page.get_by_label("Supplier")).to_have_value(f"Acme {tag}")

    await page.get_by_label("Supplier").fill("nobody at all")
    await page.get_by_role("button", name="Show").click()
    await expect(page.get_by_text("No supplier matches “nobody at all”.")).to_be_visible()
    await expect(numbers).to_have_count(0)

    # Each supplier's name in a list narrows it to that supplier.
    await page.get_by_label("Supplier").fill("")
    await page.get_by_role("button", name="Show").click()
    await page.get_by_role("table").get_by_role("link", name=f"Acme Parts {tag}").click()
    await expect(numbers).to_have_count(1)
    await expect(page.get_by_label("Supplier")).to_have_value(f"Acme Parts {tag}")
    await person.accessible("the orders list of one supplier")
