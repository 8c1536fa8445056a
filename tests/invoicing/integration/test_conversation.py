"""Comments and attached files on invoices over HTTP: both sides, oldest first, published to
the other side through the outbox; a supplier's draft stays its own until submitted."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.invoicing.integration.conftest import Service
from tests.invoicing.integration.scenario import Parties, events_of, organisation, purchase_order, read_topic

PDF = b"%PDF-1.4\n% a tiny test document\n"


async def draft_invoice(service: Service, parties: Parties, headers: dict[str, str] | None = None) -> dict[str, Any]:
    po = purchase_order(parties)
    await service.known_purchase_order(po)
    body = {"purchase_order_id": str(po.purchase_order_id), "number": f"INV-{uuid.uuid4().hex[:6]}"}
    created = await service.client.post("/api/v1/invoices", json=body, headers=headers or parties.supplier)
    assert created.status_code == 201, created.text
    return created.json()


async def submitted_invoice(service: Service, parties: Parties) -> dict[str, Any]:
    draft = await draft_invoice(service, parties)
    submitted = await service.client.post(f"/api/v1/invoices/{draft['id']}/submit", headers=parties.supplier)
    assert submitted.status_code == 202, submitted.text
    return submitted.json()


async def test_both_sides_comment_oldest_first_and_each_comment_is_published_for_the_other_side(
    service: Service, parties: Parties
) -> None:
    invoice = await submitted_invoice(service, parties)
    url = f"/api/v1/invoices/{invoice['id']}/comments"
    asked = await service.client.post(url, json={"body": "  Paid by the 30th?  "}, headers=parties.supplier)
    assert asked.status_code == 201, asked.text
    assert (asked.json()["body"], asked.json()["author_role"]) == ("Paid by the 30th?", "supplier")
    answered = await service.client.post(url, json={"body": "Yes."}, headers=parties.colleague)
    assert answered.status_code == 201 and answered.json()["author_role"] == "buyer_user"

    for reader in (parties.supplier, parties.admin):
        listed = (await service.client.get(url, headers=reader)).json()
        assert [c["body"] for c in listed["items"]] == ["Paid by the 30th?", "Yes."]
        assert listed["next_cursor"] is None
    first_page = (await service.client.get(url + "?limit=1", headers=parties.admin)).json()
    second_page = await service.client.get(url + f"?limit=1&cursor={first_page['next_cursor']}", headers=parties.admin)
    assert [c["body"] for c in first_page["items"] + second_page.json()["items"]] == ["Paid by the 30th?", "Yes."]

    records = await read_topic(service.broker, "invoicing.invoice.v1", 3)
    comments = [e["data"] for e in events_of(records) if e["type"] == "InvoiceCommentAdded"]
    assert [c["body"] for c in comments] == ["Paid by the 30th?", "Yes."]
    assert {c["initiator_id"] for c in comments} == {str(parties.initiator_id)}
    assert comments[0]["author_role"] == "supplier" and comments[0]["number"] == invoice["number"]
    assert {r.key.decode() for r in records} == {invoice["purchase_order_id"]}


@pytest.mark.parametrize("body", [{"body": ""}, {"body": "x" * 5001}, {}, {"body": "hi", "extra": 1}])
async def test_a_comment_body_has_one_to_five_thousand_characters(
    service: Service, parties: Parties, body: dict[str, Any]
) -> None:
    invoice = await submitted_invoice(service, parties)
    refused = await service.client.post(f"/api/v1/invoices/{invoice['id']}/comments", json=body, headers=parties.admin)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"


async def test_a_supplier_draft_conversation_is_hidden_from_the_buyer_until_it_is_submitted(
    service: Service, parties: Parties, tokens
) -> None:  # type: ignore[no-untyped-def]
    draft = await draft_invoice(service, parties)
    comments, files = f"/api/v1/invoices/{draft['id']}/comments", f"/api/v1/invoices/{draft['id']}/attachments"
    note = await service.client.post(comments, json={"body": "check VAT"}, headers=parties.supplier)
    assert note.status_code == 201
    upload = {"file": ("draft.txt", b"notes", "text/plain")}
    assert (await service.client.post(files, files=upload, headers=parties.supplier)).status_code == 201
    for url in (comments, files):
        assert (await service.client.get(url, headers=parties.admin)).status_code == 404
    assert (await service.client.post(comments, json={"body": "?"}, headers=parties.admin)).status_code == 404
    stranger = tokens.headers(tokens.supplier(uuid.uuid4()))
    assert (await service.client.get(comments, headers=stranger)).status_code == 404

    await service.client.post(f"/api/v1/invoices/{draft['id']}/submit", headers=parties.supplier)
    listed = (await service.client.get(comments, headers=parties.admin)).json()
    assert [c["body"] for c in listed["items"]] == ["check VAT"]
    assert len((await service.client.get(files, headers=parties.admin)).json()["items"]) == 1


async def test_a_draft_the_buyer_writes_while_the_portal_is_off_is_shared_with_its_supplier(
    service: Service, parties: Parties
) -> None:
    await service.known_organisation(organisation(parties, 1, portal=False))
    draft = await draft_invoice(service, parties, parties.colleague)
    assert draft["created_by_buyer"] is True
    url = f"/api/v1/invoices/{draft['id']}/comments"
    assert (await service.client.post(url, json={"body": "drafted for you"}, headers=parties.admin)).status_code == 201
    assert (await service.client.post(url, json={"body": "thanks"}, headers=parties.supplier)).status_code == 201
    listed = (await service.client.get(url, headers=parties.supplier)).json()
    assert [c["author_role"] for c in listed["items"]] == ["buyer_admin", "supplier"]


async def test_files_are_attached_listed_and_downloaded_by_both_sides_and_published(
    service: Service, parties: Parties, tokens
) -> None:  # type: ignore[no-untyped-def]
    invoice = await submitted_invoice(service, parties)
    url = f"/api/v1/invoices/{invoice['id']}/attachments"
    uploaded = await service.client.post(
        url, files={"file": ("../../etc/Lieferschein März.pdf", PDF, "application/pdf")}, headers=parties.supplier
    )
    assert uploaded.status_code == 201, uploaded.text
    attachment = uploaded.json()
    assert (attachment["filename"], attachment["content_type"], attachment["size"]) == (
        "Lieferschein März.pdf",
        "application/pdf",
        len(PDF),
    )
    assert set(attachment) >= {"id", "uploaded_by", "created_at"}

    for reader in (parties.supplier, parties.admin):
        assert [a["id"] for a in (await service.client.get(url, headers=reader)).json()["items"]] == [attachment["id"]]
        download = await service.client.get(f"{url}/{attachment['id']}", headers=reader)
        assert download.status_code == 200 and download.content == PDF
        assert download.headers["content-type"] == "application/pdf"
        assert "attachment;" in download.headers["content-disposition"]
        assert "Lieferschein%20M%C3%A4rz.pdf" in download.headers["content-disposition"]

    assert (await service.client.get(f"{url}/{uuid.uuid4()}", headers=parties.admin)).status_code == 404
    stranger = tokens.headers(tokens.buyer(uuid.uuid4()))
    assert (await service.client.get(f"{url}/{attachment['id']}", headers=stranger)).status_code == 404
    assert (
        await service.client.post(url, files={"file": ("a.pdf", PDF, "application/pdf")}, headers=stranger)
    ).status_code == 404
    other = await submitted_invoice(service, parties)
    foreign = f"/api/v1/invoices/{other['id']}/attachments/{attachment['id']}"
    assert (await service.client.get(foreign, headers=parties.admin)).status_code == 404

    assert await service.outbox_events(invoice["id"], "InvoiceAttachmentAdded") == 1
    records = await read_topic(service.broker, "invoicing.invoice.v1", 3)
    [added] = [e["data"] for e in events_of(records) if e["type"] == "InvoiceAttachmentAdded"]
    assert (added["attachment_id"], added["size"]) == (attachment["id"], len(PDF))


@pytest.mark.parametrize(
    ("upload", "status"),
    [
        (("run.sh", b"#!/bin/sh", "application/x-sh"), 422),  # not on the allow-list
        (("fake.pdf", b"MZ\x90\x00", "application/pdf"), 422),  # content is not what it claims
        (("empty.txt", b"", "text/plain"), 422),
    ],
)
async def test_uploads_outside_the_allow_list_or_not_matching_their_type_are_refused(
    service: Service, parties: Parties, upload: tuple[str, bytes, str], status: int
) -> None:
    invoice = await submitted_invoice(service, parties)
    url = f"/api/v1/invoices/{invoice['id']}/attachments"
    refused = await service.client.post(url, files={"file": upload}, headers=parties.supplier)
    assert refused.status_code == status
    assert refused.json()["errors"][0]["field"] == "file"
    no_file = await service.client.post(url, data={"other": "x"}, headers=parties.supplier)
    assert no_file.status_code == 422
    assert (await service.client.get(url, headers=parties.supplier)).json()["items"] == []
    assert await service.outbox_events(invoice["id"], "InvoiceAttachmentAdded") == 0


async def test_an_upload_over_the_default_ten_mebibytes_is_refused_with_413(service: Service, parties: Parties) -> None:
    invoice = await submitted_invoice(service, parties)
    too_big = b"a" * (10 * 1024 * 1024 + 1)
    refused = await service.client.post(
        f"/api/v1/invoices/{invoice['id']}/attachments",
        files={"file": ("big.txt", too_big, "text/plain")},
        headers=parties.supplier,
    )
    assert refused.status_code == 413
    assert "10485760" in refused.json()["detail"]


@pytest.mark.parametrize("service_settings", [{"max_upload_bytes": 1024}])
async def test_the_upload_cap_is_the_service_setting(service: Service, parties: Parties) -> None:
    invoice = await submitted_invoice(service, parties)
    url = f"/api/v1/invoices/{invoice['id']}/attachments"
    fits = await service.client.post(url, files={"file": ("ok.txt", b"a" * 1024, "text/plain")}, headers=parties.admin)
    assert fits.status_code == 201
    refused = await service.client.post(
        url, files={"file": ("big.txt", b"a" * 1025, "text/plain")}, headers=parties.admin
    )
    assert refused.status_code == 413
