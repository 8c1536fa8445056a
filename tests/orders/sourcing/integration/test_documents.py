"""The buyer's documents on its RFP: the buyer attaches and reads them, the invited suppliers read
them once the request is published, and nobody else reaches them."""

from __future__ import annotations

from sqlalchemy import text

from tests.orders.integration.support import OrdersService
from tests.orders.sourcing.integration.support import Tender

DRAWING = b"%PDF-1.4\nthe drawing\n%%EOF"
SPEC = b"part,quantity\nbolt,10\n"


async def test_the_buyer_attaches_documents_that_invited_suppliers_read_once_published(orders: OrdersService) -> None:
    tender = await Tender.start(orders, suppliers=3)  # 0 and 1 invited, 2 not
    rfp = await tender.create([0, 1])
    files = f"/api/v1/rfps/{rfp['id']}/attachments"

    async def upload(headers: dict[str, str], name: str, content: bytes, content_type: str) -> tuple[int, dict]:  # type: ignore[type-arg]
        response = await orders.client.post(files, files={"file": (name, content, content_type)}, headers=headers)
        return response.status_code, response.json()

    status, drawing = await upload(tender.buyer, "../drawings/drawing.pdf", DRAWING, "application/pdf")
    assert status == 201, drawing
    assert (drawing["filename"], drawing["content_type"], drawing["size"]) == (
        "drawing.pdf",
        "application/pdf",
        len(DRAWING),
    )
    # The same upload rules as every other file: the allow-list, the bytes, the size cap.
    assert (await upload(tender.buyer, "tool.exe", b"MZ\x90\x00", "application/x-msdownload"))[0] == 422
    assert (await upload(tender.buyer, "fake.pdf", b"not a pdf", "application/pdf"))[0] == 422
    cap, orders.runtime.settings.max_upload_bytes = orders.runtime.settings.max_upload_bytes, 8
    try:
        assert (await upload(tender.buyer, "big.pdf", DRAWING, "application/pdf"))[0] == 413
    finally:
        orders.runtime.settings.max_upload_bytes = cap

    # A draft is the buyer's alone: the invited suppliers see neither it nor its documents.
    for index in (0, 1, 2):
        assert (await orders.client.get(files, headers=tender.supplier(index))).status_code == 404
        download = await orders.client.get(f"{files}/{drawing['id']}", headers=tender.supplier(index))
        assert download.status_code == 404

    assert (await tender.post(tender.buyer, f"/rfps/{rfp['id']}/publish")).status_code == 200
    status, spec = await upload(tender.buyer, "spec.csv", SPEC, "text/csv")
    assert status == 201, spec

    for headers in (tender.buyer, tender.supplier(0), tender.supplier(1)):
        listed = await orders.client.get(files, headers=headers)
        assert [x["id"] for x in listed.json()["items"]] == [drawing["id"], spec["id"]]
        download = await orders.client.get(f"{files}/{drawing['id']}", headers=headers)
        assert (download.status_code, download.content, download.headers["content-type"]) == (
            200,
            DRAWING,
            "application/pdf",
        )
        assert "drawing.pdf" in download.headers["content-disposition"]

    # A supplier does not attach to the buyer's request; one not invited reaches nothing.
    assert (await upload(tender.supplier(0), "mine.pdf", DRAWING, "application/pdf"))[0] == 403
    assert (await orders.client.get(files, headers=tender.supplier(2))).status_code == 404
    assert (await orders.client.get(f"{files}/{drawing['id']}", headers=tender.supplier(2))).status_code == 404
    assert (await upload(tender.supplier(2), "mine.pdf", DRAWING, "application/pdf"))[0] == 404
    # Another buyer neither; and a document is found only below its own request.
    other = await Tender.start(orders, suppliers=1)
    assert (await orders.client.get(files, headers=other.buyer)).status_code == 404
    other_rfp = await other.create([0])
    elsewhere = f"/api/v1/rfps/{other_rfp['id']}/attachments/{drawing['id']}"
    assert (await orders.client.get(elsewhere, headers=other.buyer)).status_code == 404


async def test_a_request_past_its_due_date_takes_no_more_documents(orders: OrdersService) -> None:
    tender = await Tender.start(orders, suppliers=1)
    rfp = await tender.published([0])
    async with orders.runtime.engine.begin() as conn:
        passed = text("UPDATE rfps SET due_date = now() - interval '1 minute' WHERE id = :id")
        await conn.execute(passed, {"id": rfp["id"]})
    response = await orders.client.post(
        f"/api/v1/rfps/{rfp['id']}/attachments",
        files={"file": ("late.pdf", DRAWING, "application/pdf")},
        headers=tender.buyer,
    )
    assert response.status_code == 409, response.text
    assert "open for proposals" in response.json()["detail"]
