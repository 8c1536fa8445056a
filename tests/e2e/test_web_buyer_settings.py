"""A buyer organisation's settings and people in the web portal, in real Chromium: the issue date
required (seen from the API), matching's defaults (a refused amount shown by its field), the
supplier portal switch explained before it is confirmed (and
what it does to a supplier's sign-in), a buyer user added who signs in and sees no settings, and
a buyer user's forged settings form refused with the API's message. Each test works in an
organisation of its own: switching its portal off touches no other test's suppliers."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.async_api import expect

from tests.e2e.conftest import SUPPLIER_PASSWORD, Portal, link_in
from tests.e2e.test_web_buyer_suppliers import organisation_signed_in, post_forged

CLERK_PASSWORD = "buyer-clerk-password"


async def test_an_admin_requires_the_issue_date_and_switches_the_portal_once_told_what_it_does(
    portal: Portal, browser_people: Any, new_organisation: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    organisation, admin = await organisation_signed_in(new_organisation, browser_people)
    api_admin = await portal.sign_in(organisation.admin_email, organisation.admin_password)

    # A supplier of this organisation with portal access, to see what the switch does to it.
    email = f"switch-{tag}@switch.example"
    body = {"name": f"Switch {tag}", "email": email, "currency": "EUR"}
    supplier_id = (await portal.api.post("/suppliers", json=body, headers=api_admin)).json()["id"]
    assert (await portal.api.post(f"/suppliers/{supplier_id}/portal/activate", headers=api_admin)).status_code == 200
    [invitation] = await portal.email(to=email, subject="invit")
    token = link_in(invitation, "/invitations/").rsplit("/", 1)[1]
    accepted = await portal.api.post(f"/auth/invitations/{token}/accept", json={"password": SUPPLIER_PASSWORD})
    assert accepted.status_code == 201, accepted.text

    supplier_session = await portal.sign_in(email, SUPPLIER_PASSWORD)

    async def suppliers_restricted() -> list[str]:
        """The supplier records the supplier's session reaches only to invoice what is still owed."""
        me = await portal.api.get("/me", headers=supplier_session)
        return list(me.json()["restricted_supplier_ids"])

    async def settings() -> dict[str, Any]:
        answer: dict[str, Any] = (await portal.api.get("/settings", headers=api_admin)).json()
        return answer

    page = admin.page
    heading = page.get_by_role("heading", level=1)
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    await expect(heading).to_have_text("Settings")
    await admin.accessible("the settings page")
    await admin.screenshot("buyer-settings")

    # The invoice issue date: required, then not, each time as the API then says.
    required = page.get_by_label("Invoice issue date required")
    await expect(required).not_to_be_checked()
    await required.check()
    await page.get_by_role("button", name="Save invoice settings").click()
    await expect(page.get_by_role("status")).to_have_text("The invoice settings were saved.")
    await expect(required).to_be_checked()
    assert (await settings())["invoice_issue_date_required"] is True
    await required.uncheck()
    await page.get_by_role("button", name="Save invoice settings").click()
    await expect(page.get_by_role("status")).to_have_text("The invoice settings were saved.")
    await expect(required).not_to_be_checked()
    assert (await settings())["invoice_issue_date_required"] is False

    # Matching's defaults: none at first; a refused amount is shown by its field with what was
    # typed kept; then saved, as the API then says; an emptied amount is none again.
    rate = page.get_by_label("Default tolerance rate (%)")
    amount = page.get_by_label("Default tolerance amount")
    three_way = page.get_by_label("Three-way matching: match new orders' invoices against goods receipts")
    await expect(rate).to_have_value("0")
    await expect(amount).to_have_value("")
    await expect(three_way).not_to_be_checked()
    await rate.fill("2")
    await amount.fill("-5")
    await three_way.check()
    await page.get_by_role("button", name="Save matching settings").click()
    await expect(amount).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#default_tolerance_amount-error")).to_contain_text("greater than or equal to 0")
    await expect(amount).to_have_value("-5")
    await expect(rate).to_have_value("2")
    await expect(three_way).to_be_checked()
    await admin.accessible("the settings page with a refused matching default")
    assert (await settings())["default_tolerance_rate"] == "0"
    await amount.fill("100")
    await page.get_by_role("button", name="Save matching settings").click()
    await expect(page.get_by_role("status")).to_have_text("The matching settings were saved.")
    await expect(rate).to_have_value("2")
    await expect(amount).to_have_value("100.00")
    await expect(three_way).to_be_checked()
    saved = await settings()
    assert (saved["default_tolerance_rate"], saved["default_tolerance_amount"], saved["three_way_matching"]) == (
        "2",
        "100",
        True,
    )
    await amount.fill("")
    await three_way.uncheck()
    await page.get_by_role("button", name="Save matching settings").click()
    await expect(page.get_by_role("status")).to_have_text("The matching settings were saved.")
    saved = await settings()
    assert (saved["default_tolerance_rate"], saved["default_tolerance_amount"], saved["three_way_matching"]) == (
        "2",
        None,
        False,
    )

    # Switching the portal off is explained first; going back changes nothing.
    assert await suppliers_restricted() == []
    await page.get_by_role("button", name="Switch the portal off").click()
    await expect(heading).to_have_text("Switch the supplier portal off?")
    effects = page.get_by_role("region", name="What happens")
    await expect(effects).to_contain_text("can no longer reach")
    await expect(effects).to_contain_text("can no longer create, edit, submit or cancel invoices")
    await expect(effects).to_contain_text("Your staff may then create invoices on the suppliers' behalf")
    await expect(effects).to_contain_text("deleted")
    await admin.accessible("the portal switch's explanation")
    await page.get_by_role("link", name="Keep it on").click()
    await expect(heading).to_have_text("Settings")
    assert (await settings())["supplier_portal_enabled"] is True

    await page.get_by_role("button", name="Switch the portal off").click()
    await page.get_by_role("button", name="Confirm: switch the portal off").click()
    await expect(page.get_by_role("status")).to_contain_text("The supplier portal is off.")
    await expect(page.get_by_role("button", name="Switch the portal on")).to_be_visible()
    assert (await settings())["supplier_portal_enabled"] is False
    assert await suppliers_restricted() == [supplier_id]

    # And on again, explained the same way.
    await page.get_by_role("button", name="Switch the portal on").click()
    await expect(heading).to_have_text("Switch the supplier portal on?")
    await expect(page.get_by_role("region", name="What happens")).to_contain_text(
        "Your staff can no longer create invoices"
    )
    await admin.accessible("the portal switch's explanation, to switch it on")
    await page.get_by_role("button", name="Confirm: switch the portal on").click()
    await expect(page.get_by_role("status")).to_contain_text("The supplier portal is on.")
    assert (await settings())["supplier_portal_enabled"] is True
    assert await suppliers_restricted() == []


async def test_an_admin_adds_a_buyer_user_who_sees_no_settings_and_whose_forged_settings_form_is_refused(
    portal: Portal, browser_people: Any, new_organisation: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    organisation, admin = await organisation_signed_in(new_organisation, browser_people)
    api_admin = await portal.sign_in(organisation.admin_email, organisation.admin_password)
    page = admin.page
    heading = page.get_by_role("heading", level=1)
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    await page.get_by_role("link", name="Users").click()
    await expect(heading).to_have_text("Users")
    admin_row = page.get_by_role("row").filter(has_text=organisation.admin_email)
    await expect(admin_row).to_contain_text("Buyer admin")
    await expect(admin_row).to_contain_text("(you)")
    await admin.accessible("the users page")

    # A password the API finds too short is refused by its field; the rest stays as typed.
    clerk_email = f"clerk-{tag}@people.example"
    await page.get_by_label("Name").fill(f"Clerk {tag}")
    await page.get_by_label("Email").fill(clerk_email)
    await page.get_by_label("Buyer user").check()
    await page.get_by_label("Initial password").fill("short")
    await page.get_by_role("button", name="Add user").click()
    password = page.get_by_label("Initial password")
    await expect(password).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#password-error")).to_have_text(re.compile(r"^⚠ At least \d+ characters\.$"))
    await expect(page.get_by_label("Name")).to_have_value(f"Clerk {tag}")
    await expect(page.get_by_label("Email")).to_have_value(clerk_email)
    await expect(page.get_by_label("Buyer user")).to_be_checked()
    await admin.accessible("the users page with an error")
    await password.fill(CLERK_PASSWORD)
    await page.get_by_role("button", name="Add user").click()
    await expect(page.get_by_role("status")).to_contain_text(f"Clerk {tag} was added as buyer user")
    await expect(page.get_by_role("row").filter(has_text=clerk_email)).to_contain_text("Buyer user")

    # An email that has an account already is refused by the email field.
    await page.get_by_label("Name").fill("Someone else")
    await page.get_by_label("Email").fill(clerk_email)
    await page.get_by_label("Initial password").fill(CLERK_PASSWORD)
    await page.get_by_role("button", name="Add user").click()
    await expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#email-error")).to_have_text(f"⚠ A user with email {clerk_email} already exists.")
    users = (await portal.api.get("/users", headers=api_admin)).json()["items"]
    assert sorted((u["email"], u["role"]) for u in users) == sorted(
        [(organisation.admin_email, "buyer_admin"), (clerk_email, "buyer_user")]
    )

    # The buyer user signs in: suppliers yes, settings no.
    clerk = await browser_people()
    await clerk.sign_in(clerk_email, CLERK_PASSWORD)
    nav = clerk.page.get_by_role("navigation", name="Main")
    await expect(nav.get_by_role("link", name="Suppliers")).to_be_visible()
    await expect(nav.get_by_role("link", name="Settings")).to_have_count(0)
    await nav.get_by_role("link", name="Suppliers").click()
    await expect(clerk.page.get_by_role("heading", level=1)).to_have_text("Suppliers")
    await clerk.accessible("the suppliers list of a buyer user")

    # Opened by its address, the settings page only shows; a forged form is refused by the API.
    await clerk.open("/settings")
    await expect(clerk.page.get_by_role("note")).to_have_text(
        "Only your organisation's administrators change these settings."
    )
    await expect(clerk.page.get_by_role("button", name="Save invoice settings")).to_have_count(0)
    await expect(clerk.page.get_by_role("button", name="Save matching settings")).to_have_count(0)
    await expect(clerk.page.get_by_label("Default tolerance rate (%)")).to_be_disabled()
    await expect(clerk.page.get_by_role("button", name="Switch the portal off")).to_have_count(0)
    await clerk.accessible("the settings page of a buyer user")
    status = await post_forged(clerk, "/settings/invoices", {"invoice_issue_date_required": "yes"})
    assert status == 403
    await expect(clerk.page.get_by_role("alert")).to_have_text("Nothing was changed: only a buyer admin may do this.")
    await clerk.accessible("a refused settings form")
    assert await post_forged(clerk, "/settings/portal", {"switch": "off"}) == 403
    await expect(clerk.page.get_by_role("alert")).to_have_text("Nothing was changed: only a buyer admin may do this.")
    assert await post_forged(clerk, "/settings/matching", {"default_tolerance_rate": "50"}) == 403
    await expect(clerk.page.get_by_role("alert")).to_have_text("Nothing was changed: only a buyer admin may do this.")
    current = (await portal.api.get("/settings", headers=api_admin)).json()
    assert current["invoice_issue_date_required"] is False and current["supplier_portal_enabled"] is True
    assert current["default_tolerance_rate"] == "0"
    assert (
        await post_forged(
            clerk,
            "/users",
            {"name": "Intruder", "email": f"x-{tag}@people.example", "role": "buyer_admin", "password": CLERK_PASSWORD},
        )
        == 403
    )
    await expect(clerk.page.get_by_role("heading", level=1)).to_have_text("Forbidden")
    assert len((await portal.api.get("/users", headers=api_admin)).json()["items"]) == 2
