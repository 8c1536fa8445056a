"""Through the gateway: the buyer attaches a document to its published request for proposals; an
invited supplier lists it and downloads the exact bytes; a supplier not invited reaches nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tests.e2e.conftest import Portal

DRAWING = b"%PDF-1.4\n% the flange drawing\n1 0 obj << >> endobj\n%%EOF\n"


async def test_an_invited_supplier_downloads_the_buyers_document_and_no_one_else_does(portal: Portal) -> None:
    api = portal.api
    tag = uuid.uuid4().hex[:6]
    buyer = await portal.admin()
    invited_id, invited = await portal.onboard_supplier(
        buyer, name=f"Invited Flanges {tag}", email=f"invited-{tag}@supplier.example"
    )
    _, outsider = await portal.onboard_supplier(
        buyer, name=f"Outsider Flanges {tag}", email=f"outsider-{tag}@supplier.example"
    )
    body = {
        "title": f"Flanges {tag}",
        "due_date": (datetime.now(UTC) + timedelta(days=10)).isoformat(),
        "currency": "EUR",
        "lines": [{"description": "Flange DN50", "quantity": "40", "unit": "pcs"}],
        "supplier_ids": [invited_id],
    }
    rfp = await portal.until_created("/rfps", body, buyer, retry_on=422)
    published = await api.post(f"/rfps/{rfp['id']}/publish", headers=buyer)
    assert published.status_code == 200, published.text
    files = f"/rfps/{rfp['id']}/attachments"

    uploaded = await api.post(files, files={"file": ("flange-dn50.pdf", DRAWING, "application/pdf")}, headers=buyer)
    assert uploaded.status_code == 201, uploaded.text
    document = uploaded.json()
    assert (document["filename"], document["content_type"], document["size"]) == (
        "flange-dn50.pdf",
        "application/pdf",
        len(DRAWING),
    )

    listed = await api.get(files, headers=invited)
    assert listed.status_code == 200, listed.text
    assert [(x["id"], x["filename"]) for x in listed.json()["items"]] == [(document["id"], "flange-dn50.pdf")]
    download = await api.get(f"{files}/{document['id']}", headers=invited)
    assert download.status_code == 200, download.text
    assert download.content == DRAWING
    assert download.headers["content-type"] == "application/pdf"
    assert "flange-dn50.pdf" in download.headers["content-disposition"]

    # The invited supplier reads, but does not add to the buyer's request.
    refused = await api.post(files, files={"file": ("mine.pdf", DRAWING, "application/pdf")}, headers=invited)
    assert refused.status_code == 403, refused.text

    for attempt in (api.get(files, headers=outsider), api.get(f"{files}/{document['id']}", headers=outsider)):
        answer = await attempt
        assert answer.status_code == 404, answer.text
        assert b"flange-dn50" not in answer.content
