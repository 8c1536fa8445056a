"""Files on a proposal: the supplier uploads and reads its own; the buyer reads them once submitted."""

from __future__ import annotations

from tests.orders.integration.support import OrdersService
from tests.orders.sourcing.integration.support import Tender

PDF = b"%PDF-1.4\nour offer\n%%EOF"


async def test_a_supplier_attaches_files_and_the_buyer_reads_them_once_the_proposal_is_submitted(
    orders: OrdersService,
) -> None:
    tender = await Tender.start(orders, suppliers=3)  # 0 and 1 invited, 2 not
    rfp = await tender.published([0, 1])
    own = f"/api/v1/rfps/{rfp['id']}/proposal/attachments"

    async def upload(index: int, name: str, content: bytes, content_type: str) -> tuple[int, dict]:  # type: ignore[type-arg]
        files = {"file": (name, content, content_type)}
        response = await orders.client.post(own, files=files, headers=tender.supplier(index))
        return response.status_code, response.json()

    assert (await upload(0, "offer.pdf", PDF, "application/pdf"))[0] == 404  # nothing answered yet
    await tender.answer(0, rfp, "1", "2")
    status, attachment = await upload(0, "../../etc/offer.pdf", PDF, "application/pdf")
    assert status == 201, attachment
    assert (attachment["filename"], attachment["content_type"], attachment["size"]) == (
        "offer.pdf",
        "application/pdf",
        len(PDF),
    )
    assert (await upload(0, "tool.exe", b"MZ\x90\x00", "application/x-msdownload"))[0] == 422
    cap, orders.runtime.settings.max_upload_bytes = orders.runtime.settings.max_upload_bytes, 8
    try:
        assert (await upload(0, "big.pdf", PDF, "application/pdf"))[0] == 413
    finally:
        orders.runtime.settings.max_upload_bytes = cap

    listed = (await orders.client.get(own, headers=tender.supplier(0))).json()["items"]
    assert [x["id"] for x in listed] == [attachment["id"]]
    download = await orders.client.get(f"{own}/{attachment['id']}", headers=tender.supplier(0))
    assert (download.content, download.headers["content-type"]) == (PDF, "application/pdf")
    assert "offer.pdf" in download.headers["content-disposition"]

    # The buyer reads the files of submitted proposals only.
    proposal_id = (await tender.get(tender.supplier(0), f"/rfps/{rfp['id']}/proposal")).json()["id"]
    buyers = f"/api/v1/rfps/{rfp['id']}/proposals/{proposal_id}/attachments"
    assert (await orders.client.get(buyers, headers=tender.buyer)).status_code == 404
    assert (await tender.submit(0, rfp)).status_code == 200
    assert [x["id"] for x in (await orders.client.get(buyers, headers=tender.buyer)).json()["items"]] == [
        attachment["id"]
    ]
    assert (await orders.client.get(f"{buyers}/{attachment['id']}", headers=tender.buyer)).content == PDF

    # Another supplier reaches neither the buyer's view nor, through its own proposal, this file.
    assert (await orders.client.get(buyers, headers=tender.supplier(1))).status_code == 403
    assert (await orders.client.get(own, headers=tender.supplier(1))).json()["items"] == []
    await tender.answer(1, rfp, None, "3")
    assert (await orders.client.get(f"{own}/{attachment['id']}", headers=tender.supplier(1))).status_code == 404
    assert (await orders.client.get(own, headers=tender.supplier(2))).status_code == 404
