"""The buyer's documents on a request for proposals in real Chromium: the buyer uploads one on the
request's page, publishes, and the invited supplier finds it on its page of the request and
downloads the same bytes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.async_api import expect

from tests.e2e.browser import downloaded
from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, SUPPLIER_PASSWORD, Portal

SPECIFICATION = b"part,material,tolerance\nDN50 flange,1.4404,0.1 mm\n"


async def test_the_buyer_uploads_a_document_that_the_invited_supplier_downloads(
    portal: Portal, browser_people: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    buyer_api = await portal.admin()
    email = f"rfp-docs-{tag}@supplier.example"
    supplier_id, _ = await portal.onboard_supplier(buyer_api, name=f"Doc Flanges {tag}", email=email)
    body = {
        "title": f"Flanges with drawings {tag}",
        "due_date": (datetime.now(UTC) + timedelta(days=10)).isoformat(),
        "currency": "EUR",
        "lines": [{"description": "Flange DN50", "quantity": "40", "unit": "pcs"}],
        "supplier_ids": [supplier_id],
    }
    rfp = await portal.until_created("/rfps", body, buyer_api, retry_on=422)

    buyer = await browser_people()
    page = buyer.page
    await buyer.open(f"/rfps/{rfp['id']}")
    await buyer.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    documents = page.get_by_role("region", name="Documents for the suppliers")
    await expect(documents).to_contain_text("No documents yet")
    # Nothing chosen: the page says so by the field.
    await documents.get_by_role("button", name="Upload document").click()
    await expect(page.get_by_text("Choose a file to attach.")).to_be_visible()
    await page.get_by_label("Document to attach").set_input_files(
        files=[{"name": "specification.csv", "mimeType": "text/csv", "buffer": SPECIFICATION}]
    )
    await (
        page.get_by_role("region", name="Documents for the suppliers")
        .get_by_role("button", name="Upload document")
        .click()
    )
    await expect(page.get_by_role("status")).to_contain_text("The document was attached")
    await expect(page.get_by_role("link", name="specification.csv")).to_be_visible()
    await buyer.accessible("a draft request with a document")
    await page.get_by_role("button", name="Publish").click()
    await expect(page.get_by_role("status")).to_contain_text("The request was published")

    supplier = await browser_people()
    await supplier.open(f"/rfps/{rfp['id']}")
    await supplier.sign_in(email, SUPPLIER_PASSWORD)
    theirs = supplier.page.get_by_role("region", name="The buyer's documents")
    await expect(theirs.get_by_role("link", name="specification.csv")).to_be_visible()
    await expect(theirs.get_by_role("button")).to_have_count(0)
    async with supplier.page.expect_download() as download:
        await theirs.get_by_role("link", name="specification.csv").click()
    assert (await downloaded(download)) == SPECIFICATION
    await supplier.accessible("the supplier's page of a request with the buyer's documents")
    await supplier.screenshot("supplier-rfp-documents")
