"""Uploads and downloads through the gateway: the size cap, file names that are never paths, the
content checked against its declared type, and downloads that a browser saves instead of rendering."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import psutil

from portal_dev.stack import Stack
from shared.uploads import DEFAULT_MAX_UPLOAD_BYTES
from tests.e2e.attackers import EXE, PDF, PartyA, build_party_a, raw_multipart
from tests.e2e.conftest import Portal

NASTY_NAMES = [
    b"../../etc/passwd\x00.pdf",
    b"..\\..\\windows\\system32\\evil\x00.pdf",
    b"/etc/cron.d/evil.pdf",
    b"a\x00b/../../c.pdf",
    b"....//....//x.pdf",
]


def upload_routes(a: PartyA) -> dict[str, tuple[str, dict[str, str]]]:
    """Each upload route with the party allowed to use it."""
    return {
        "purchase order": (f"/purchase-orders/{a.order['id']}/attachments", a.supplier),
        "invoice": (f"/invoices/{a.invoice['id']}/attachments", a.supplier),
        "proposal": (f"/rfps/{a.rfp['id']}/proposal/attachments", a.supplier),
    }


def assert_download_headers(answer: httpx.Response, what: str) -> None:
    assert answer.status_code == 200, f"{what}: {answer.status_code} {answer.text[:200]}"
    disposition = answer.headers.get("content-disposition", "")
    assert disposition.startswith("attachment"), f"{what}: Content-Disposition {disposition!r}"
    assert answer.headers.get("x-content-type-options") == "nosniff", f"{what}: no X-Content-Type-Options: nosniff"


async def test_uploads_are_capped_checked_and_renamed_and_downloads_are_attachments(
    api: httpx.AsyncClient, portal: Portal
) -> None:
    a = await build_party_a(api, portal, submit_proposal=False)
    too_big = PDF + b"0" * (DEFAULT_MAX_UPLOAD_BYTES + 1 - len(PDF))
    for what, (path, who) in upload_routes(a).items():
        # Over the cap: 413, and nothing stored.
        answer = await api.post(path, files={"file": ("big.pdf", too_big, "application/pdf")}, headers=who)
        assert answer.status_code == 413, f"{what}: {answer.status_code} {answer.text[:200]}"

        # A Windows executable dressed up as a PDF, or as text, or declared as what it is: 422.
        for name, content_type in (
            ("invoice.pdf", "application/pdf"),
            ("notes.txt", "text/plain"),
            ("setup.exe", "application/x-msdownload"),
            ("x.pdf", "application/octet-stream"),
        ):
            answer = await api.post(path, files={"file": (name, EXE, content_type)}, headers=who)
            assert answer.status_code == 422, f"{what} {name} {content_type}: {answer.status_code} {answer.text[:200]}"

        # Names with NUL bytes and paths: stored without either (or refused, never a 5xx).
        for raw_name in NASTY_NAMES:
            body, headers = raw_multipart(raw_name, "application/pdf", PDF)
            answer = await api.post(path, content=body, headers=who | headers)
            assert answer.status_code < 500, f"{what} {raw_name!r}: {answer.status_code} {answer.text[:200]}"
            if answer.status_code != 201:
                assert answer.status_code in (400, 422), f"{what} {raw_name!r}: {answer.text[:200]}"
                continue
            stored = answer.json()["filename"]
            assert "\x00" not in stored and "/" not in stored and "\\" not in stored, f"{what}: stored as {stored!r}"
            assert not stored.startswith("."), f"{what}: stored as {stored!r}"
            download = await api.get(f"{path}/{answer.json()['id']}", headers=who)
            assert_download_headers(download, f"{what} {raw_name!r}")
            assert download.content == PDF
            disposition = download.headers["content-disposition"]
            assert "\x00" not in disposition and "/" not in disposition.split("filename*=")[0], disposition

        listed = (await api.get(path, headers=who)).json()["items"]
        assert all(item["size"] <= DEFAULT_MAX_UPLOAD_BYTES for item in listed), f"{what}: a big file was stored"
        assert all(item["content_type"] in ("application/pdf",) for item in listed), f"{what}: {listed}"

    # Every way to get a file out answers as an attachment that the browser must not sniff.
    downloads = {
        "PO attachment (buyer)": (f"/purchase-orders/{a.order['id']}/attachments/{a.order_attachment_id}", a.admin),
        "PO attachment (supplier)": (
            f"/purchase-orders/{a.order['id']}/attachments/{a.order_attachment_id}",
            a.supplier,
        ),
        "invoice attachment": (f"/invoices/{a.invoice['id']}/attachments/{a.invoice_attachment_id}", a.admin),
        "proposal attachment (supplier)": (
            f"/rfps/{a.rfp['id']}/proposal/attachments/{a.proposal_attachment_id}",
            a.supplier,
        ),
        "PO as PDF": (f"/purchase-orders/{a.order['id']}/export?format=pdf", a.supplier),
        "PO as XLSX": (f"/purchase-orders/{a.order['id']}/export?format=xlsx", a.admin),
        "invoice as PDF": (f"/invoices/{a.invoice['id']}/export?format=pdf", a.supplier),
    }
    submitted = await api.post(f"/rfps/{a.rfp['id']}/proposal/submit", headers=a.supplier)
    assert submitted.status_code == 200, submitted.text
    downloads["proposal attachment (buyer)"] = (
        f"/rfps/{a.rfp['id']}/proposals/{submitted.json()['id']}/attachments/{a.proposal_attachment_id}",
        a.admin,
    )
    for what, (path, who) in downloads.items():
        assert_download_headers(await api.get(path, headers=who), what)


async def test_the_gateway_refuses_a_body_far_above_its_limit_without_holding_it(
    api: httpx.AsyncClient, portal: Portal, stack: Stack
) -> None:
    """200 MB sent without a length (chunked, an upload form whose file never ends), then with one:
    413 problem details each time, and the gateway's memory does not grow by anything near what was
    sent."""
    a = await build_party_a(api, portal, submit_proposal=False)
    path, who = upload_routes(a)["invoice"]
    gateway = psutil.Process(stack.processes["gateway"].pid)
    before = gateway.memory_info().rss
    sent = 0

    # An upload form whose file never ends: the gateway streams it on, and the service's cap or
    # the gateway's limit, whichever comes first, refuses it.
    head, form = raw_multipart(b"big.pdf", "application/pdf", b"%PDF-1.4\n")
    head = head[: head.index(b"%PDF-1.4\n") + 9]

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        yield head
        chunk = b"0" * (1024 * 1024)
        for _ in range(200):
            sent += len(chunk)
            yield chunk

    try:
        chunked = await api.post(path, content=body(), headers=who | form)
        status = chunked.status_code
    except httpx.TransportError:  # the gateway may close the connection while the client still sends
        status = 413
    # A declared length beyond the limit: the answer comes before a byte of the body is sent.
    reader, writer = await asyncio.open_connection(api.base_url.host, api.base_url.port)
    head = (
        f"POST {api.base_url.path.rstrip('/')}{path} HTTP/1.1\r\nHost: {api.base_url.host}\r\n"
        f"Authorization: {who['Authorization']}\r\nContent-Type: application/pdf\r\n"
        f"Content-Length: {200 * 1024 * 1024}\r\n\r\n"
    )
    writer.write(head.encode())
    await writer.drain()
    head_bytes = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
    length = next(
        int(line.split(b":", 1)[1]) for line in head_bytes.split(b"\r\n") if line.lower().startswith(b"content-length:")
    )
    answer = head_bytes + await asyncio.wait_for(reader.readexactly(length), timeout=10)
    writer.close()
    assert status == 413
    assert answer.startswith(b"HTTP/1.1 413") and b"Request too large" in answer, answer[:300]
    assert gateway.memory_info().rss - before < 40 * 1024 * 1024, "the gateway held the body"
    listed = (await api.get(path, headers=who)).json()["items"]
    assert all(item["size"] <= DEFAULT_MAX_UPLOAD_BYTES for item in listed)
