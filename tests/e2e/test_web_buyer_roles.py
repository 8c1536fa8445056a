"""What the pages offer a buyer user and a buyer admin, in real Chromium: a buyer user sees a
supplier's tolerance and payment terms but cannot change them (and still edits the rest), records
no payment, and is told why another person's draft order has no "Send to supplier"; the admin is
offered all of it."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from playwright.async_api import expect

from tests.e2e.conftest import Portal

CLERK_PASSWORD = "clerk-password-123"


async def test_a_buyer_user_is_not_offered_what_needs_the_admin_and_the_admin_is(
    portal: Portal, browser_people: Any, new_organisation: Any
) -> None:
    organisation = await new_organisation()
    admin = await portal.sign_in(organisation.admin_email, organisation.admin_password)
    tag = uuid.uuid4().hex[:6]
    clerk_email = f"clerk-{tag}@buyer.example"
    body = {"email": clerk_email, "name": f"Clerk {tag}", "password": CLERK_PASSWORD, "role": "buyer_user"}
    assert (await portal.api.post("/users", json=body, headers=admin)).status_code == 201
    supplier_id, supplier = await portal.onboard_supplier(
        admin, name=f"Roles {tag}", email=f"roles-{tag}@supplier.example", tolerance="5", payment_terms_days=30
    )
    lines = [{"description": "Hinges", "quantity": "10", "unit_price": "3.00"}]
    sent = await portal.create_po(admin, supplier_id, lines)
    await portal.submit_po(admin, sent["id"])
    draft = await portal.create_po(admin, supplier_id, lines)
    invoice = await portal.create_invoice(
        supplier, {"purchase_order_id": sent["id"], "number": f"R-{tag}", "issue_date": "2026-11-23"}
    )
    assert (await portal.api.post(f"/invoices/{invoice['id']}/submit", headers=supplier)).status_code == 202
    await portal.invoice_in(admin, invoice["id"], "approved")

    clerk = await browser_people()
    page = clerk.page
    await clerk.sign_in(clerk_email, CLERK_PASSWORD)

    # The supplier form: the terms shown, disabled, and why; the rest is saved.
    await clerk.open(f"/suppliers/{supplier_id}/edit")
    for label in ("Tolerance rate (%)", "Tolerance amount", "Payment terms (days)"):
        await expect(page.get_by_label(label, exact=True)).to_be_disabled()
    await expect(page.get_by_label("Tolerance rate (%)", exact=True)).to_have_value("5")
    await expect(page.get_by_label("Payment terms (days)", exact=True)).to_have_value("30")
    await expect(page.get_by_text("Only your organisation's administrators change the tolerance")).to_be_visible()
    await clerk.accessible("a buyer user's supplier form")
    await page.get_by_label("Phone").fill("+49 40 555")
    await page.get_by_role("button", name="Save supplier").click()
    await expect(page.get_by_text("The changes were saved.")).to_be_visible()
    record = (await portal.api.get(f"/suppliers/{supplier_id}", headers=admin)).json()
    assert (record["phone"], Decimal(record["tolerance_rate"]), record["payment_terms_days"]) == ("+49 40 555", 5, 30)

    # The invoice: its payments shown, no form to record one.
    await clerk.open(f"/invoices/{invoice['id']}")
    await expect(page.get_by_role("heading", name="Payments")).to_be_visible()
    await expect(page.get_by_role("button", name="Record payment")).to_have_count(0)
    await expect(page.get_by_label("Amount paid (EUR)")).to_have_count(0)
    await expect(page.get_by_text("Only your organisation's administrators record payments.")).to_be_visible()
    await clerk.accessible("an approved invoice as a buyer user sees it")

    # The admin's draft: nothing to send or edit, and why.
    await clerk.open(f"/purchase-orders/{draft['id']}")
    await expect(page.get_by_role("heading", name=draft["number"], level=1)).to_be_visible()
    await expect(page.get_by_role("button", name="Send to supplier")).to_have_count(0)
    await expect(page.get_by_text("Only the person who raised this order, or an administrator")).to_be_visible()

    # The admin is offered everything.
    boss = await browser_people()
    await boss.sign_in(organisation.admin_email, organisation.admin_password)
    await boss.open(f"/suppliers/{supplier_id}/edit")
    for label in ("Tolerance rate (%)", "Tolerance amount", "Payment terms (days)"):
        await expect(boss.page.get_by_label(label, exact=True)).to_be_enabled()
    await expect(boss.page.get_by_text("Only your organisation's administrators")).to_have_count(0)
    await boss.open(f"/invoices/{invoice['id']}")
    await expect(boss.page.get_by_role("button", name="Record payment")).to_be_visible()
    await boss.open(f"/purchase-orders/{draft['id']}")
    await expect(boss.page.get_by_role("button", name="Send to supplier")).to_be_visible()
