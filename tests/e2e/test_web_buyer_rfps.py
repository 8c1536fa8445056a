"""A buyer's request for proposals in the web portal, in real Chromium: made with two lines and two
invited suppliers, published, answered by both suppliers (through the API; one declines a line),
compared side by side with the best price of each line marked, and awarded: the draft purchase
order it made opens. The winner then reads the outcome on its own page of the request."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.async_api import expect

from tests.e2e.browser import downloaded
from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, SUPPLIER_PASSWORD, Portal

SPECS = b"part,price\nM8,0.12\n"


async def answer(portal: Portal, supplier: dict[str, str], rfp_id: str, prices: list[str | None]) -> dict:
    rfp = (await portal.api.get(f"/rfps/{rfp_id}", headers=supplier)).json()
    lines = [{"rfp_line_id": line["id"], "unit_price": price} for line, price in zip(rfp["lines"], prices, strict=True)]
    saved = await portal.api.put(f"/rfps/{rfp_id}/proposal", json={"lines": lines}, headers=supplier)
    assert saved.status_code == 200, saved.text
    submitted = await portal.api.post(f"/rfps/{rfp_id}/proposal/submit", headers=supplier)
    assert submitted.status_code == 200, submitted.text
    result: dict = submitted.json()
    return result


async def test_a_buyer_asks_two_suppliers_compares_their_proposals_and_awards_one(
    portal: Portal, browser_people: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    buyer_api = await portal.admin()
    alpha_name, alpha_email = f"Alpha bolts {tag}", f"alpha-{tag}@bolts.example"
    beta_name, beta_email = f"Beta bolts {tag}", f"beta-{tag}@bolts.example"
    alpha_id, alpha = await portal.onboard_supplier(buyer_api, name=alpha_name, email=alpha_email)
    beta_id, beta = await portal.onboard_supplier(buyer_api, name=beta_name, email=beta_email)
    # Earlier orders to both: purchase orders (which keeps the requests too) know them by now.
    for supplier_id in (alpha_id, beta_id):
        await portal.create_po(buyer_api, supplier_id, [{"description": "Sample", "quantity": "1", "unit_price": "1"}])

    buyer = await browser_people()
    page = buyer.page
    await buyer.open("/rfps")
    await buyer.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    await page.get_by_role("link", name="New request for proposals").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("New request for proposals")
    due = (datetime.now(UTC) + timedelta(days=14)).date()
    await page.get_by_label("Title").fill(f"Fasteners {tag}")
    await page.get_by_label("Due date").fill(due.isoformat())
    await page.get_by_label("Currency").select_option("EUR")
    await page.get_by_label("Description, line 1").fill("M8 bolts")
    await page.get_by_label("Quantity, line 1").fill("1000")
    await page.get_by_label("Unit, line 1").fill("pcs")
    await page.get_by_role("button", name="Add a line").click()
    await page.get_by_label("Description, line 2").fill("Spring washers")
    await page.get_by_label("Quantity, line 2").fill("500")
    await page.get_by_role("button", name="Add a line").click()
    await page.get_by_label("Description, line 3").fill("Not needed")
    await page.get_by_role("button", name="Remove line 3").click()
    await expect(page.get_by_label("Description, line 3")).to_have_count(0)
    await expect(page.get_by_label("Description, line 2")).to_have_value("Spring washers")

    # Nobody invited yet: the page says so next to the suppliers, and keeps the typing.
    await page.get_by_role("button", name="Save draft").click()
    await expect(page.get_by_text("Invite at least one supplier.")).to_be_visible()
    await expect(page.get_by_label("Quantity, line 1")).to_have_value("1000")
    await page.get_by_label(alpha_name).check()
    await page.get_by_label(beta_name).check()
    await buyer.accessible("the request editor")
    await page.get_by_role("button", name="Save draft").click()

    await expect(page.get_by_role("status")).to_contain_text("saved as a draft")
    heading = (await page.get_by_role("heading", level=1).inner_text()).strip()
    number = heading.split(":")[0]
    rfp_id = page.url.split("?")[0].rstrip("/").split("/")[-1]
    await expect(page.get_by_role("region", name="Invited suppliers")).to_contain_text(alpha_name)
    await buyer.accessible("a draft request")
    await page.get_by_role("link", name="Edit", exact=True).click()
    await expect(page.get_by_label(beta_name)).to_be_checked()
    await expect(page.get_by_label("Due date")).to_have_value(due.isoformat())
    await page.get_by_label("Title").fill(f"Fasteners for line 4 {tag}")
    await page.get_by_role("button", name="Save draft").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"{number}: Fasteners for line 4 {tag}")

    # Published: both suppliers are emailed.
    await page.get_by_role("button", name="Publish").click()
    await expect(page.get_by_role("status")).to_contain_text("The request was published")
    await portal.email(to=alpha_email, subject=number)
    await portal.email(to=beta_email, subject=number)
    await expect(page.get_by_role("region", name="Proposals side by side")).to_contain_text("No supplier has answered")

    # Both answer: Beta is cheaper on bolts and declines the washers; Alpha attaches its specs.
    await answer(portal, alpha, rfp_id, ["0.12", "0.50"])
    attached = await portal.api.post(
        f"/rfps/{rfp_id}/proposal/attachments", files={"file": ("specs.csv", SPECS, "text/csv")}, headers=alpha
    )
    assert attached.status_code == 201, attached.text
    await answer(portal, beta, rfp_id, ["0.10", None])

    await page.reload()
    table = page.get_by_role("table")
    await expect(table.get_by_role("columnheader", name=alpha_name)).to_be_visible()
    await expect(table.get_by_role("columnheader", name=beta_name)).to_be_visible()
    bolts = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="M8 bolts"))
    washers = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Spring washers"))
    alpha_bolts, beta_bolts = bolts.get_by_role("cell").nth(2), bolts.get_by_role("cell").nth(3)
    await expect(alpha_bolts).to_contain_text("0.12 EUR")
    await expect(alpha_bolts).not_to_contain_text("Best price")
    await expect(beta_bolts).to_contain_text("0.10 EUR")
    await expect(beta_bolts).to_contain_text("Best price")
    await expect(washers.get_by_role("cell").nth(2)).to_contain_text("0.50 EUR")
    await expect(washers.get_by_role("cell").nth(2)).to_contain_text("Only offer")
    await expect(washers.get_by_role("cell").nth(3)).to_have_text("Declined")
    totals = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Total"))
    await expect(totals).to_contain_text("370.00 EUR")  # 1000 × 0.12 + 500 × 0.50
    await expect(totals).to_contain_text("100.00 EUR")  # 1000 × 0.10
    priced = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Lines priced"))
    await expect(priced.get_by_role("cell")).to_have_text(["2 of 2", "1 of 2"])
    async with page.expect_download() as specs:
        await page.get_by_role("link", name="specs.csv").click()
    assert (await downloaded(specs)) == SPECS
    await buyer.accessible("the proposals side by side")
    await buyer.screenshot("buyer-rfp-proposals")

    # Awarded to Alpha after a confirmation that says what it does; the draft order opens.
    await page.get_by_role("link", name=f"Award to {alpha_name}").click()
    confirm = page.get_by_role("region", name=f"Award the request to {alpha_name}?")
    await expect(confirm).to_contain_text("370.00 EUR")
    await expect(confirm).to_contain_text("every supplier that answered is emailed")
    await buyer.accessible("the confirmation of an award")
    await confirm.get_by_role("button", name=f"Yes, award to {alpha_name}").click()

    await expect(page.get_by_role("status")).to_contain_text("made from the winning proposal")
    await expect(page.locator("#status")).to_have_text("Draft")
    await expect(page.get_by_role("row").filter(has_text="M8 bolts")).to_contain_text("120.00")
    await expect(page.get_by_role("row").filter(has_text="Spring washers")).to_contain_text("250.00")
    await expect(page.get_by_text(alpha_name)).to_be_visible()
    await buyer.accessible("the order made by the award")
    await portal.email(to=alpha_email, subject=f"You won {number}")
    await portal.email(to=beta_email, subject=f"{number} was awarded to another supplier")

    # The request is awarded, its order linked; nothing can be awarded again.
    await page.get_by_role("link", name="The request for proposals").click()
    await expect(page.locator(".title-row .badge")).to_have_text("Awarded")
    await expect(page.get_by_role("link", name="Open the purchase order")).to_be_visible()
    await expect(page.get_by_role("link", name=f"Award to {beta_name}")).to_have_count(0)
    await expect(page.get_by_role("row").filter(has_text="Proposal")).to_contain_text("Not chosen")
    await buyer.accessible("an awarded request")

    # The winner reads the outcome on its own page of the request.
    supplier = await browser_people()
    await supplier.open(f"/rfps/{rfp_id}")
    await supplier.sign_in(alpha_email, SUPPLIER_PASSWORD)
    await expect(supplier.page.get_by_role("note")).to_contain_text("awarded to you")
    await expect(supplier.page.get_by_label("Unit price, line 1")).to_have_value("0.12")
    await supplier.accessible("the winner's page of the request")
