"""A buyer's suppliers in the web portal, in real Chromium: custom fields defined, a supplier
created through the form with them and a tolerance rate and amount, found by search, edited (a
refused value shown by its field; the tolerance changed), invited to the portal (the email
arrives), deactivated and re-activated; a refused action shown as a message. Each test works in
an organisation of its own: its custom fields are its own."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Any

from playwright.async_api import expect

from tests.e2e.browser import Person
from tests.e2e.conftest import Organisation, Portal

# A form the page does not offer, built in the page and posted as a browser posts a form.
FORGED_FORM = """([action, fields]) => {
  const form = document.createElement('form');
  form.method = 'post';
  form.action = action;
  for (const [name, value] of Object.entries(fields)) {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value;
    form.appendChild(input);
  }
  document.body.appendChild(form);
  form.submit();
}"""


async def organisation_signed_in(new_organisation: Any, new_person: Any) -> tuple[Organisation, Person]:
    """A new buyer organisation (the operator's command) and its admin signed in in a browser."""
    organisation = await new_organisation()
    admin = await new_person()
    await admin.sign_in(organisation.admin_email, organisation.admin_password)
    return organisation, admin


async def post_forged(person: Person, action: str, fields: dict[str, str]) -> int:
    """Post ``fields`` to ``action`` from the page, with the session's CSRF token (a person who
    has a session and crafts a form): the status of the page the browser then shows."""
    page = person.page
    token = await page.locator("input[name=csrf_token]").first.get_attribute("value")
    async with page.expect_navigation() as navigation:
        await page.evaluate(FORGED_FORM, [action, {"csrf_token": token or "", **fields}])
    response = await navigation.value
    assert response is not None
    return response.status


async def test_a_buyer_defines_custom_fields_then_creates_finds_edits_and_invites_a_supplier(
    portal: Portal, browser_people: Any, new_organisation: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    organisation, buyer = await organisation_signed_in(new_organisation, browser_people)
    api_admin = await portal.sign_in(organisation.admin_email, organisation.admin_password)
    page = buyer.page
    heading = page.get_by_role("heading", level=1)

    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Suppliers").click()
    await expect(heading).to_have_text("Suppliers")
    await expect(page.get_by_text("No suppliers yet")).to_be_visible()
    await buyer.accessible("the empty suppliers list")

    # Custom fields: a required text field whose key comes from its label, a choice field
    # (first without its choices: the API's message by the field), a date field.
    await page.get_by_role("link", name="Custom fields").click()
    await expect(heading).to_have_text("Custom fields of suppliers")
    await buyer.accessible("the custom fields page")
    await page.get_by_label("Label").fill("VAT number")
    await page.get_by_label("Required").check()
    await page.get_by_label("Shown to the supplier").check()
    await page.get_by_role("button", name="Add custom field").click()
    await expect(page.get_by_role("status")).to_have_text("The custom field was added.")
    vat_row = page.get_by_role("row").filter(has_text="VAT number")
    await expect(vat_row).to_contain_text("vat_number")
    await expect(vat_row).to_contain_text("Yes")

    await page.get_by_label("Label").fill("Region")
    await page.get_by_label("Type").select_option("choice")
    await page.get_by_role("button", name="Add custom field").click()
    choices = page.get_by_label("Choices, one per line")
    await expect(choices).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#choices-error")).to_contain_text("A choice field needs at least one choice.")
    await expect(page.get_by_label("Label")).to_have_value("Region")
    await expect(page.get_by_label("Type")).to_have_value("choice")
    await buyer.accessible("the custom field form with an error")
    await choices.fill("North\nSouth")
    await page.get_by_role("button", name="Add custom field").click()
    await expect(page.get_by_role("status")).to_have_text("The custom field was added.")

    # A key is defined once: the refusal is shown by the key.
    await page.get_by_label("Label").fill("VAT number")
    await page.get_by_role("button", name="Add custom field").click()
    await expect(page.get_by_label("Key")).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_text("A custom field 'vat_number' is already defined.")).to_be_visible()

    await page.get_by_label("Key").fill("certified_on")
    await page.get_by_label("Label").fill("Certified on")
    await page.get_by_label("Type").select_option("date")
    await page.get_by_role("button", name="Add custom field").click()
    await expect(page.get_by_role("status")).to_have_text("The custom field was added.")

    # A definition changed afterwards: one more choice.
    await page.get_by_role("link", name="Edit Region").click()
    await expect(heading).to_have_text("Custom field Region")
    await buyer.accessible("a custom field's edit page")
    await page.get_by_label("Choices, one per line").fill("North\nSouth\nEast")
    await page.get_by_role("button", name="Save custom field").click()
    await expect(page.get_by_role("status")).to_have_text("The custom field was saved.")
    await expect(page.get_by_role("row").filter(has_text="Region")).to_contain_text("North, South, East")
    definitions = (await portal.api.get("/supplier-custom-fields", headers=api_admin)).json()["items"]
    assert {d["key"]: (d["type"], d["required"], d["shown_in_portal"]) for d in definitions} == {
        "vat_number": ("text", True, True),
        "region": ("choice", False, False),
        "certified_on": ("date", False, False),
    }

    # A new supplier through the form: the required custom field is asked for by the API.
    await page.get_by_role("link", name="Suppliers").first.click()
    await page.get_by_role("link", name="New supplier").click()
    await expect(heading).to_have_text("New supplier")
    await expect(page.get_by_label("Certified on")).to_have_attribute("type", "date")
    await buyer.accessible("the new supplier form")
    name, email = f"Nordic Bolts {tag}", f"sales-{tag}@nordic.example"
    await page.get_by_label("Name", exact=True).fill(name)
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Phone").fill("+46 8 555 010")
    await page.get_by_label("Currency").fill("eur")
    await expect(page.locator("#tolerance-hint")).to_contain_text(
        "Leave both empty to use the organisation's defaults. Where both are set, the stricter wins."
    )
    await page.get_by_label("Tolerance rate (%)").fill("2.5")
    await page.get_by_label("Tolerance amount").fill("150")
    await page.get_by_label("Region").select_option("North")
    await page.get_by_role("button", name="Create supplier").click()
    vat = page.get_by_label("VAT number")
    await expect(vat).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#cf-vat_number-error")).to_contain_text("VAT number is required.")
    await expect(page.get_by_label("Name", exact=True)).to_have_value(name)
    await expect(page.get_by_label("Region")).to_have_value("North")
    await buyer.accessible("the new supplier form with an error")
    await vat.fill("SE556677889901")
    await page.get_by_label("Certified on").fill("2026-03-01")
    await page.get_by_role("button", name="Create supplier").click()
    await expect(heading).to_have_text(name)
    await expect(page.get_by_role("status")).to_contain_text(f"{name} was added")
    facts = page.locator("main")
    for shown in ("EUR", "2.5 %", "150.00 EUR", "SE556677889901", "North", "1 Mar 2026", "Not invited"):
        await expect(facts).to_contain_text(shown)
    supplier_id = page.url.split("/suppliers/")[1].split("?")[0]

    # Found by search, by name or email; % typed is a percent sign, not "anything".
    others = [
        {"name": f"Birch Paints {tag}", "email": f"office-{tag}@birch.example"},
        {"name": f"100% Steel {tag}", "email": f"steel-{tag}@hundred.example"},
    ]
    for other in others:
        body = other | {"currency": "EUR", "custom_fields": {"vat_number": "X1"}}
        assert (await portal.api.post("/suppliers", json=body, headers=api_admin)).status_code == 201
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Suppliers").click()
    await expect(page.get_by_role("link", name=re.compile(tag))).to_have_count(3)
    search = page.get_by_label("Search by name or email")
    for typed, found in (("NORDIC", name), (f"sales-{tag}", name), ("100%", others[1]["name"])):
        await search.fill(typed)
        await page.get_by_role("button", name="Show").click()
        await expect(page.get_by_role("link", name=re.compile(tag))).to_have_count(1)
        await expect(page.get_by_role("link", name=found)).to_be_visible()
    await page.get_by_label("Portal status").select_option("active")
    await page.get_by_role("button", name="Show").click()
    await expect(page.get_by_text("No suppliers match these filters.")).to_be_visible()
    await buyer.accessible("the suppliers list, filtered")

    # Edited: a value the API refuses is shown by its field, with what was typed kept.
    await page.get_by_role("link", name="Clear the filters").click()
    await page.get_by_role("link", name=name).click()
    await page.get_by_role("link", name="Edit supplier").click()
    await expect(heading).to_have_text("Edit supplier")
    await expect(page.get_by_label("VAT number")).to_have_value("SE556677889901")
    rate = page.get_by_label("Tolerance rate (%)")
    await rate.fill("150")
    await page.get_by_label("Region").select_option("East")
    await page.get_by_role("button", name="Save supplier").click()
    await expect(rate).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#tolerance_rate-error")).to_contain_text("100")
    await expect(rate).to_have_value("150")
    await expect(page.get_by_label("Region")).to_have_value("East")
    await buyer.accessible("the supplier form with an error")
    # An amount finer than the supplier's currency is refused by its field.
    amount = page.get_by_label("Tolerance amount")
    await expect(amount).to_have_value("150.00")
    await rate.fill("3")
    await amount.fill("40.125")
    await page.get_by_role("button", name="Save supplier").click()
    await expect(amount).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#tolerance_amount-error")).to_contain_text("at most 2 decimals in EUR")
    await expect(amount).to_have_value("40.125")
    await expect(rate).not_to_have_attribute("aria-invalid", "true")
    await amount.fill("40")
    await page.get_by_role("button", name="Save supplier").click()
    await expect(page.get_by_role("status")).to_have_text("The changes were saved.")
    await expect(facts).to_contain_text("3 %")
    await expect(facts).to_contain_text("40.00 EUR")
    record = (await portal.api.get(f"/suppliers/{supplier_id}", headers=api_admin)).json()
    assert Decimal(record["tolerance_rate"]) == 3 and record["tolerance_amount"] == "40.00"
    assert record["currency"] == "EUR" and record["phone"] == "+46 8 555 010"
    assert record["custom_fields"] == {"vat_number": "SE556677889901", "region": "East", "certified_on": "2026-03-01"}

    # Invited: the invitation email goes to the supplier's address.
    await page.get_by_role("button", name="Invite to the portal").click()
    await expect(page.get_by_role("status")).to_have_text(
        f"{name} was invited to the portal: an invitation email was sent to {email}."
    )
    await expect(page.get_by_text("Active", exact=True)).to_be_visible()
    [invitation] = await portal.email(to=email, subject="invit")
    assert "/invitations/" in invitation.get_body(preferencelist=("plain",)).get_content()
    await buyer.accessible("a supplier's page")
    await buyer.screenshot("buyer-supplier")

    # Deactivated, then re-activated.
    await page.get_by_role("button", name="Deactivate").click()
    await expect(page.get_by_role("status")).to_contain_text(f"{name} no longer has the portal")
    await expect(page.get_by_text("Deactivated", exact=True)).to_be_visible()
    assert (await portal.api.get(f"/suppliers/{supplier_id}", headers=api_admin)).json()["portal_status"] == "inactive"
    await page.get_by_role("button", name="Re-activate").click()
    await expect(page.get_by_role("status")).to_contain_text(f"{name} has the portal again")
    await expect(page.get_by_role("button", name="Deactivate")).to_be_visible()
    assert (await portal.api.get(f"/suppliers/{supplier_id}", headers=api_admin)).json()["portal_status"] == "active"

    await page.get_by_role("link", name="Suppliers").first.click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=name))
    await expect(row).to_contain_text("Active")
    await expect(row).to_contain_text("3 % / 40.00 EUR")
    # The suppliers created without a tolerance take the organisation's defaults.
    for other in others:
        other_row = page.get_by_role("row").filter(has=page.get_by_role("link", name=other["name"]))
        await expect(other_row).to_contain_text("Organisation default")
    await buyer.accessible("the suppliers list")
    await buyer.screenshot("buyer-suppliers")


async def test_a_portal_action_the_api_refuses_is_a_message_on_the_suppliers_page(
    portal: Portal, browser_people: Any, new_organisation: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    organisation, buyer = await organisation_signed_in(new_organisation, browser_people)
    api_admin = await portal.sign_in(organisation.admin_email, organisation.admin_password)
    body = {"name": f"Quiet {tag}", "email": f"quiet-{tag}@quiet.example", "currency": "EUR"}
    created = await portal.api.post("/suppliers", json=body, headers=api_admin)
    supplier_id = created.json()["id"]
    page = buyer.page
    await buyer.open(f"/suppliers/{supplier_id}")
    await expect(page.get_by_role("button", name="Deactivate")).to_have_count(0)

    # A supplier never invited cannot be deactivated: a forged form says so, it does not fail.
    refused = await post_forged(buyer, f"/suppliers/{supplier_id}/portal/deactivate", {})
    assert refused == 409
    await expect(page.get_by_role("alert")).to_have_text(
        "The portal access was not changed: the supplier's portal is not active."
    )
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Quiet {tag}")
    await buyer.accessible("a supplier's page with a refusal")
    record = (await portal.api.get(f"/suppliers/{supplier_id}", headers=api_admin)).json()
    assert record["portal_status"] == "not_invited"

    # Another organisation's supplier is not found, by its page or by a form.
    elsewhere = await portal.api.post(
        "/suppliers", json=body | {"name": f"Elsewhere {tag}"}, headers=await portal.admin()
    )
    other_id = elsewhere.json()["id"]
    await buyer.open(f"/suppliers/{other_id}")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    assert await post_forged(buyer, f"/suppliers/{other_id}/portal/activate", {}) == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
