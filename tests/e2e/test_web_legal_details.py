"""Legal details and payment terms in the web portal, in real Chromium: the buyer gives a supplier
its payment terms, legal name, address and tax ID through the supplier form and sees them on its
page; an order's editor takes a delivery address, which its page shows; the supplier keeps its own
legal name, address and tax ID in its profile."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.async_api import expect

from tests.e2e.conftest import SUPPLIER_PASSWORD, Portal


async def test_the_buyer_and_the_supplier_keep_the_legal_details_that_orders_print(
    portal: Portal, browser_people: Any, new_organisation: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    organisation = await new_organisation()
    buyer = await browser_people()
    await buyer.sign_in(organisation.admin_email, organisation.admin_password)
    page = buyer.page
    heading = page.get_by_role("heading", level=1)

    await buyer.open("/suppliers/new")
    await expect(page.get_by_text("Empty: your organisation's default, 30 days.")).to_be_visible()
    await buyer.accessible("the supplier form with its legal details")
    email = f"sales-{tag}@fjord.example"
    await page.get_by_label("Name", exact=True).fill(f"Fjord {tag}")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Currency").fill("EUR")
    await page.get_by_label("Payment terms (days)").fill("abc")
    await page.get_by_role("button", name="Create supplier").click()
    await expect(page.get_by_label("Payment terms (days)")).to_have_attribute("aria-invalid", "true")
    await page.get_by_label("Payment terms (days)").fill("21")
    await page.get_by_label("Legal name").fill("Fjord Fasteners AS")
    await page.get_by_label("Address", exact=True).fill("Kaigata 1\n5016 Bergen")
    await page.get_by_label("Tax ID").fill("NO987654321MVA")
    await page.get_by_role("button", name="Create supplier").click()
    await expect(heading).to_have_text(f"Fjord {tag}")
    for shown in ("21 days net", "Fjord Fasteners AS", "Kaigata 1", "NO987654321MVA"):
        await expect(page.get_by_role("main")).to_contain_text(shown)
    await buyer.accessible("a supplier's page with its legal details")
    supplier_id = page.url.split("/suppliers/")[1].split("?")[0]

    # An order delivered elsewhere than the buyer's address.
    await buyer.open(f"/purchase-orders/new?supplier_id={supplier_id}")
    await page.get_by_label("Delivery address").fill("Warehouse 2\nGate 4\nBremen")
    await page.get_by_label("Description, line 1").fill("Anchor bolts")
    await page.get_by_label("Unit price, line 1").fill("3.25")
    await buyer.accessible("the order editor with a delivery address")
    await page.get_by_role("button", name="Save draft").click()
    facts = page.get_by_role("main")
    await expect(facts).to_contain_text("Warehouse 2")
    await expect(facts).to_contain_text("21 days net")
    await buyer.accessible("an order's page with its delivery address")

    # The supplier, once in the portal, keeps its legal details itself.
    admin = await portal.sign_in(organisation.admin_email, organisation.admin_password)
    activated = await portal.api.post(f"/suppliers/{supplier_id}/portal/activate", headers=admin)
    assert activated.status_code == 200, activated.text
    [invitation] = await portal.email(to=email, subject="invit")
    text = invitation.get_body(preferencelist=("plain",)).get_content()
    token = text.split("/invitations/")[1].split()[0]
    accepted = await portal.api.post(f"/auth/invitations/{token}/accept", json={"password": SUPPLIER_PASSWORD})
    assert accepted.status_code == 201, accepted.text
    supplier = await browser_people()
    await supplier.sign_in(email, SUPPLIER_PASSWORD)
    await supplier.open("/profile")
    await expect(supplier.page.get_by_label("Legal name")).to_have_value("Fjord Fasteners AS")
    await expect(supplier.page.get_by_label("Tax ID")).to_have_value("NO987654321MVA")
    await supplier.accessible("the profile with legal details")
    await supplier.page.get_by_label("Legal name").fill("Fjord Fasteners Norge AS")
    await supplier.page.get_by_label("Tax ID").fill("NO111222333MVA")
    await supplier.page.get_by_role("button", name="Save profile").click()
    await expect(supplier.page.get_by_role("status")).to_have_text("Your profile was saved.")
    saved = (await portal.api.get(f"/suppliers/{supplier_id}", headers=admin)).json()
    assert (saved["legal_name"], saved["tax_id"], saved["address"]) == (
        "Fjord Fasteners Norge AS",
        "NO111222333MVA",
        "Kaigata 1\n5016 Bergen",
    )
