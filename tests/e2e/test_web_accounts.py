"""Accounts that change and end, in the web portal in real Chromium: a forgotten password reset
through the emailed link (once), a password and a login email changed on the account page, a
supplier inviting a colleague who joins and is switched off, a buyer admin switching a user off
(whose next page is the sign-in page, saying why) and on, and a supplier invited again."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.async_api import expect

from tests.e2e.conftest import SUPPLIER_PASSWORD, Portal, link_in
from tests.e2e.test_web_buyer_suppliers import organisation_signed_in

USER_PASSWORD = "buyer-user-password"
ENDED = "Your session has ended"


async def buyer_user(portal: Portal, admin: dict[str, str], tag: str, name: str) -> tuple[str, str]:
    """A buyer user of the admin's organisation: its id and email."""
    email = f"{name.lower()}-{tag}@people.example"
    body = {"email": email, "name": f"{name} {tag}", "password": USER_PASSWORD, "role": "buyer_user"}
    created = await portal.api.post("/users", json=body, headers=admin)
    assert created.status_code == 201, created.text
    return created.json()["id"], email


def path_of(link: str, start: str) -> str:
    """The portal path of an emailed link (from ``start`` on)."""
    return start + link.split(start, 1)[1]


async def test_a_forgotten_password_is_reset_by_email_once_then_the_password_and_email_change_on_the_account_page(
    portal: Portal, browser_people: Any, new_organisation: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    organisation = await new_organisation()
    admin = await portal.sign_in(organisation.admin_email, organisation.admin_password)
    _, email = await buyer_user(portal, admin, tag, "Robin")
    person = await browser_people()
    page = person.page
    heading = page.get_by_role("heading", level=1)

    # Forgotten: the sign-in page's link, an email address, the same answer for any address.
    await person.open("/sign-in")
    await page.get_by_role("link", name="Forgot your password?").click()
    await expect(heading).to_have_text("Reset your password")
    await person.accessible("the page that asks for a reset link")
    await page.get_by_label("Email").fill(email)
    await page.get_by_role("button", name="Send reset link").click()
    await expect(page.get_by_role("status")).to_have_text(
        f"If an account signs in with {email}, we sent it a link to choose a new password. "
        "Check your inbox; the link works once."
    )
    await person.accessible("the reset link's confirmation")

    [message] = await portal.email(to=email, subject="reset")
    reset_path = path_of(link_in(message, "/password-reset/"), "/password-reset/")
    await person.open(reset_path)
    await expect(heading).to_have_text("Choose a new password")
    await page.get_by_label("New password").fill("short")
    await page.get_by_role("button", name="Set new password").click()
    await expect(page.get_by_label("New password")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#password-error")).to_have_text("⚠ At least 8 characters.")
    await person.accessible("the new password page with its error")
    await page.get_by_label("New password").fill("reset-password-1")
    await page.get_by_role("button", name="Set new password").click()
    await expect(page.get_by_role("status")).to_have_text("Your password was changed. Sign in with the new one.")
    await person.sign_in(email, "reset-password-1")

    # The link worked once.
    other = await browser_people()
    await other.open(reset_path)
    await other.page.get_by_label("New password").fill("reset-password-2")
    await other.page.get_by_role("button", name="Set new password").click()
    await expect(other.page.get_by_role("alert")).to_contain_text("This link does not work any more")
    await expect(other.page.get_by_role("link", name="Ask for a new link")).to_be_visible()

    # The account page, from the header on every page.
    await page.get_by_role("link", name="Account", exact=True).click()
    await expect(heading).to_have_text("Your account")
    await expect(page.locator(".facts")).to_contain_text(email)
    await person.accessible("the account page")
    await page.get_by_label("Current password").fill("not-it")
    await page.get_by_label("New password").fill("changed-password-1")
    await page.get_by_role("button", name="Change password").click()
    await expect(page.locator("#current_password-error")).to_have_text("⚠ The current password is wrong.")
    await person.accessible("the account page with an error")
    await page.get_by_label("Current password").fill("reset-password-1")
    await page.get_by_label("New password").fill("changed-password-1")
    await page.get_by_role("button", name="Change password").click()
    await expect(page.get_by_role("status")).to_contain_text("Your password was changed. You stay signed in here")
    # Still signed in, on the fresh token: the next pages work.
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Purchase orders").click()
    await expect(heading).to_have_text("Purchase orders")
    refused = await portal.api.post("/auth/token", json={"email": email, "password": "reset-password-1"})
    assert refused.status_code == 401
    await portal.sign_in(email, "changed-password-1")

    # A new login email, confirmed through the link sent to it.
    new_email = f"robin-new-{tag}@people.example"
    await page.get_by_role("link", name="Account", exact=True).click()
    await page.get_by_label("New login email").fill(new_email)
    await page.get_by_label("Your password", exact=True).fill("changed-password-1")
    await page.get_by_role("button", name="Send confirmation link").click()
    await expect(page.get_by_role("status")).to_contain_text(f"We sent a confirmation link to {new_email}.")
    [confirmation] = await portal.email(to=new_email, subject="confirm")
    await person.open(path_of(link_in(confirmation, "/email-change/"), "/email-change/"))
    await expect(heading).to_have_text("Confirm your new login email")
    await person.accessible("the login email confirmation")
    await page.get_by_role("button", name="Confirm new email").click()
    await expect(page.get_by_role("status")).to_have_text(
        f"Your login email is now {new_email}. Sign in with it from now on."
    )
    await portal.sign_in(new_email, "changed-password-1")


async def test_a_supplier_invites_a_colleague_who_joins_and_is_switched_off_and_on(
    portal: Portal, browser_people: Any, new_organisation: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    organisation = await new_organisation()
    admin = await portal.sign_in(organisation.admin_email, organisation.admin_password)
    email = f"owner-{tag}@colleagues.example"
    await portal.onboard_supplier(admin, name=f"Colleagues {tag}", email=email)
    supplier = await browser_people()
    await supplier.sign_in(email, SUPPLIER_PASSWORD)
    page = supplier.page
    heading = page.get_by_role("heading", level=1)

    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Colleagues").click()
    await expect(heading).to_have_text("Colleagues")
    own = page.get_by_role("row").filter(has_text=email)
    await expect(own).to_contain_text("(you)")
    await expect(own).to_contain_text("Active")
    await expect(own.get_by_role("button")).to_have_count(0)

    # The invitation: refused without a name, then sent, and listed until accepted.
    colleague_email = f"colleague-{tag}@colleagues.example"
    await page.get_by_label("Email").fill(colleague_email)
    await page.get_by_role("button", name="Invite colleague").click()
    await expect(page.locator("#name-error")).to_have_text("⚠ Enter your colleague's name.")
    await expect(page.get_by_label("Email")).to_have_value(colleague_email)
    await supplier.accessible("the colleagues page with an error")
    await page.get_by_label("Name").fill(f"Casey {tag}")
    await page.get_by_role("button", name="Invite colleague").click()
    await expect(page.get_by_role("status")).to_contain_text(f"An invitation was sent to {colleague_email}.")
    pending = page.get_by_role("region", name="Invitations not accepted yet")
    await expect(pending.get_by_role("row").filter(has_text=colleague_email)).to_contain_text(f"Casey {tag}")
    await supplier.accessible("the colleagues page")
    await supplier.screenshot("colleagues")

    # The colleague accepts with a password of their own and works in the portal.
    [invitation] = await portal.email(to=colleague_email, subject="invit")
    colleague = await browser_people()
    await colleague.page.goto(link_in(invitation, "/invitations/"))
    await colleague.page.get_by_label("Password").fill("colleague-password")
    await colleague.page.get_by_role("button", name="Accept invitation").click()
    await expect(colleague.page.get_by_role("button", name="Sign out")).to_be_visible()
    await colleague.open("/purchase-orders")
    await expect(colleague.page.get_by_role("heading", level=1)).to_have_text("Purchase orders")

    # Switched off: the colleague's next page is the sign-in page, saying why.
    await page.reload()
    row = page.get_by_role("row").filter(has_text=colleague_email)
    await expect(row).to_contain_text("Active")
    await row.get_by_role("button", name="Switch off").click()
    await expect(page.get_by_role("status")).to_contain_text(f"Casey {tag} was switched off")
    await expect(row).to_contain_text("Switched off")
    await expect(pending.get_by_role("row").filter(has_text=colleague_email)).to_have_count(0)
    await colleague.page.reload()
    await expect(colleague.page.get_by_role("heading", level=1)).to_have_text("Sign in")
    await expect(colleague.page.get_by_role("status")).to_contain_text(ENDED)
    await colleague.accessible("the sign-in page after the session ended")

    # And on again: the colleague signs in as before.
    await row.get_by_role("button", name="Switch on").click()
    await expect(page.get_by_role("status")).to_contain_text(f"Casey {tag} was switched on")
    await expect(row).to_contain_text("Active")
    await colleague.sign_in(colleague_email, "colleague-password")


async def test_a_buyer_admin_switches_a_user_off_and_on_and_invites_a_supplier_again(
    portal: Portal, browser_people: Any, new_organisation: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    organisation, admin = await organisation_signed_in(new_organisation, browser_people)
    api_admin = await portal.sign_in(organisation.admin_email, organisation.admin_password)
    _, clerk_email = await buyer_user(portal, api_admin, tag, "Jo")
    clerk = await browser_people()
    await clerk.sign_in(clerk_email, USER_PASSWORD)
    page = admin.page

    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    await page.get_by_role("link", name="Users").click()
    own = page.get_by_role("row").filter(has_text=organisation.admin_email)
    await expect(own.get_by_role("button")).to_have_count(0)
    row = page.get_by_role("row").filter(has_text=clerk_email)
    await expect(row).to_contain_text("Active")
    await row.get_by_role("button", name="Switch off").click()
    await expect(page.get_by_role("status")).to_contain_text(f"Jo {tag} was switched off")
    await expect(row).to_contain_text("Switched off")
    await admin.accessible("the users page with a user switched off")

    # The switched-off user's next page load lands on sign-in, saying why; signing in is refused.
    await clerk.page.reload()
    await expect(clerk.page).to_have_url(re.compile(r"/sign-in\?next=.*ended=1"))
    await expect(clerk.page.get_by_role("status")).to_contain_text(ENDED)
    await clerk.page.get_by_label("Email").fill(clerk_email)
    await clerk.page.get_by_label("Password").fill(USER_PASSWORD)
    await clerk.page.get_by_role("button", name="Sign in").click()
    await expect(clerk.page.get_by_role("alert")).to_have_text("Wrong email or password.")

    await row.get_by_role("button", name="Switch on").click()
    await expect(page.get_by_role("status")).to_contain_text(f"Jo {tag} was switched on")
    await clerk.sign_in(clerk_email, USER_PASSWORD)
    await clerk.sign_out()
    await expect(clerk.page.get_by_role("status")).to_have_text("You have signed out.")

    # A supplier whose people lost their invitation is sent a fresh one.
    supplier_email = f"again-{tag}@suppliers.example"
    supplier_id, _ = await portal.onboard_supplier(api_admin, name=f"Again {tag}", email=supplier_email)
    await admin.open(f"/suppliers/{supplier_id}")
    await page.get_by_role("button", name="Send invitation again").click()
    await expect(page.get_by_role("status")).to_have_text(
        f"A new invitation was sent to {supplier_email}; the earlier invitation link no longer works."
    )
    await admin.accessible("the supplier page after a fresh invitation")
    await portal.email(to=supplier_email, subject="invit", count=2)
