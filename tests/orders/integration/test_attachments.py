"""Attachments on purchase orders: uploaded by either side, stored by id, downloaded byte for byte."""

from __future__ import annotations

import uuid

from tests.orders.integration.announcements import sent_order
from tests.orders.integration.support import OrdersService

PDF = b"%PDF-1.4\n% a delivery note\n%%EOF\n"


def attachments_path(order_id: str) -> str:
    return f"/api/v1/purchase-orders/{order_id}/attachments"


async def test_both_sides_upload_list_and_download_attachments(orders: OrdersService) -> None:
    tenant, supplier_user = uuid.uuid4(), uuid.uuid4()
    supplier_id = await orders.supplier(tenant)
    buyer = orders.tokens.buyer(tenant)
    linked = orders.tokens.supplier(supplier_id, user_id=supplier_user)
    order = await sent_order(orders, buyer, supplier_id)
    path = attachments_path(order["id"])

    uploaded = await orders.client.post(
        path,
        files={"file": ("../../etc/Lieferschein März.pdf", PDF, "application/pdf")},
        headers=orders.tokens.headers(linked),
    )
    assert uploaded.status_code == 201, uploaded.text
    meta = uploaded.json()
    assert (meta["filename"], meta["content_type"], meta["size"]) == (
        "Lieferschein März.pdf",
        "application/pdf",
        len(PDF),
    )
    assert meta["uploaded_by"] == str(supplier_user)
    notes = await orders.client.post(
        path, files={"file": ("notes.txt", b"bring a forklift", "text/plain")}, headers=orders.tokens.headers(buyer)
    )
    assert notes.status_code == 201, notes.text

    for token in (buyer, linked):
        listed = (await orders.client.get(path, headers=orders.tokens.headers(token))).json()
        assert [a["filename"] for a in listed["items"]] == ["Lieferschein März.pdf", "notes.txt"]

    download = await orders.client.get(f"{path}/{meta['id']}", headers=orders.tokens.headers(buyer))
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''Lieferschein%20M%C3%A4rz.pdf" in download.headers["content-disposition"]
    assert (
        await orders.scalar(
            "SELECT count(*) FROM purchase_order_attachments WHERE purchase_order_id = :o", o=uuid.UUID(order["id"])
        )
        == 2
    )

    events = await orders.events(3)
    assert [e["type"] for e in events] == [
        "PurchaseOrderSubmitted",
        "PurchaseOrderAttachmentAdded",
        "PurchaseOrderAttachmentAdded",
    ]
    data = events[1]["data"]
    assert (data["attachment_id"], data["filename"], data["size"], data["uploaded_by"]) == (
        meta["id"],
        "Lieferschein März.pdf",
        len(PDF),
        str(supplier_user),
    )


async def test_others_get_404_for_the_list_the_upload_and_the_bytes(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    supplier_id = await orders.supplier(tenant)
    buyer = orders.tokens.buyer(tenant)
    order = await sent_order(orders, buyer, supplier_id)
    other_order = await sent_order(orders, buyer, supplier_id)
    path = attachments_path(order["id"])
    meta = (
        await orders.client.post(
            path, files={"file": ("a.pdf", PDF, "application/pdf")}, headers=orders.tokens.headers(buyer)
        )
    ).json()

    for stranger in (orders.tokens.supplier(uuid.uuid4()), orders.tokens.buyer(uuid.uuid4())):
        headers = orders.tokens.headers(stranger)
        assert (await orders.client.get(path, headers=headers)).status_code == 404
        assert (await orders.client.get(f"{path}/{meta['id']}", headers=headers)).status_code == 404
        upload = await orders.client.post(path, files={"file": ("a.pdf", PDF, "application/pdf")}, headers=headers)
        assert upload.status_code == 404
    # An attachment is only found below its own order.
    wrong_order = f"{attachments_path(other_order['id'])}/{meta['id']}"
    assert (await orders.client.get(wrong_order, headers=orders.tokens.headers(buyer))).status_code == 404
    missing = f"{path}/{uuid.uuid4()}"
    assert (await orders.client.get(missing, headers=orders.tokens.headers(buyer))).status_code == 404


async def test_uploads_over_the_cap_of_a_wrong_type_or_empty_are_refused(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    buyer = orders.tokens.buyer(tenant)
    order = await sent_order(orders, buyer, await orders.supplier(tenant))
    headers = orders.tokens.headers(buyer)
    path = attachments_path(order["id"])
    orders.runtime.settings.max_upload_bytes = 64  # type: ignore[attr-defined]

    too_large = await orders.client.post(path, files={"file": ("big.txt", b"x" * 65, "text/plain")}, headers=headers)
    assert too_large.status_code == 413
    assert too_large.headers["content-type"] == "application/problem+json"
    at_the_cap = await orders.client.post(path, files={"file": ("ok.txt", b"x" * 64, "text/plain")}, headers=headers)
    assert at_the_cap.status_code == 201
    for name, content, content_type in (
        ("run.exe", b"MZ\x90\x00", "application/x-msdownload"),
        ("fake.pdf", b"not a pdf", "application/pdf"),
        ("empty.txt", b"", "text/plain"),
    ):
        refused = await orders.client.post(path, files={"file": (name, content, content_type)}, headers=headers)
        assert refused.status_code == 422, name
    no_file = await orders.client.post(path, data={"other": "x"}, headers=headers)
    assert no_file.status_code == 422
    listed = (await orders.client.get(path, headers=headers)).json()
    assert [a["filename"] for a in listed["items"]] == ["ok.txt"]
