"""The notifier's own MIME writer writes what the email package writes, byte for byte."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from uuid import uuid4

from hypothesis import example, given, settings
from hypothesis import strategies as st

from notifier.adapters import mime
from notifier.adapters.rendering import EmailRenderer
from notifier.domain import messages, rfps
from notifier.domain.headers import header_text
from tests.notifier import samples
from tests.notifier.rendered import APPROVER, PORTAL_URL, SENDER, SUPPLIER, SUPPLIER_ID, TENANT

_BOUNDARY = re.compile(rb'boundary="([^"]+)"')


def _same_boundary(raw: bytes) -> bytes:
    match = _BOUNDARY.search(raw)
    assert match is not None
    return raw.replace(match.group(1), b"BOUNDARY")


def _packaged(headers: dict[str, str], plain: str, html: str) -> bytes:
    message = EmailMessage()
    for name, value in headers.items():
        message[name] = value
    message.set_content(plain)
    message.add_alternative(html, subtype="html")
    return message.as_bytes(policy=SMTP)


def _written(headers: dict[str, str], plain: str, html: str) -> bytes:
    return mime.alternative([mime.header(name, value) for name, value in headers.items()], plain, html)


def _assert_same(headers: dict[str, str], plain: str, html: str) -> None:
    assert _same_boundary(_written(headers, plain, html)) == _same_boundary(_packaged(headers, plain, html))


def _drafts() -> list[messages.EmailDraft]:
    invoice = samples.approval_requested(TENANT, SUPPLIER_ID, APPROVER.user_id)
    return [
        messages.invoice_decided(samples.approved(TENANT, SUPPLIER_ID), SUPPLIER),
        messages.invoice_decided(samples.rejected(TENANT, SUPPLIER_ID), SUPPLIER),
        messages.approval_request(invoice, APPROVER, SUPPLIER),
        messages.payment_recorded(samples.payment(TENANT, SUPPLIER_ID, amount="100.00", paid_total="100.00"), SUPPLIER),
        messages.invitation(samples.invitation(TENANT, SUPPLIER_ID)),
        rfps.rfp_published(samples.rfp_published(TENANT, SUPPLIER_ID), SUPPLIER),
    ]


def test_every_sample_email_is_written_as_the_email_package_writes_it() -> None:
    renderer = EmailRenderer(SENDER, PORTAL_URL)
    now = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    for draft in _drafts():
        email_id = uuid4()
        written = renderer.render(draft, email_id=email_id, now=now)
        plain, html = renderer.bodies(draft)
        packaged = renderer._packaged(
            draft, draft.recipient, header_text(draft.subject), plain, html, email_id=email_id, now=now
        )
        assert _same_boundary(written) == _same_boundary(packaged), draft.template


def test_awkward_headers_and_bodies_are_written_as_the_email_package_writes_them() -> None:
    long_line = "word " * 40
    cases = [
        {"Subject": "Rechnung für Bestellung Ü-42 genehmigt"},
        {"Subject": "Reminder: invoice INV-77 for PO PO-2026-0042 is waiting for your approval, please"},
        {"Subject": "=?utf-8?q?not_an_encoded_word?= said the supplier"},
        {"Subject": "x" * 120},
        {"Subject": "発注書 PO-1 の請求書が承認されました"},
        {"To": "first.last+tag@sub.example.com"},
        {"To": "ünïcode@example.com"},
        {"To": "a..b@example.com"},
        {"From": 'Portal, "Team" <no-reply@portal.example>'},
        {"Message-ID": f"<{uuid4()}@supplier-portal.local>"},
    ]
    bodies = [
        ("Hello\n", "<p>Hello</p>"),
        ("Grüße\naus München\n", "<p>Grüße</p>\n"),
        (long_line + "\n", "<p>" + long_line + "</p>"),
        ("発注書が承認されました。" * 10 + "\n", "<p>" + "請求書" * 40 + "</p>"),
        ("line with trailing spaces   \n\n\nand tabs\t\n", "<b>x</b>\r\nwith CRLF\rand CR\n"),
        ("", ""),
        ("=3D and = signs " * 10, "From the start\n.dot line\n"),
    ]
    for headers in cases:
        for plain, html in bodies:
            _assert_same({"From": SENDER, "To": "sales@acme.example", **headers}, plain, html)


@settings(max_examples=300, deadline=None)
@given(
    subject=st.text(max_size=200).map(header_text),
    plain=st.text(max_size=400),
    html=st.text(max_size=400),
    minutes=st.integers(min_value=-12 * 60, max_value=14 * 60),
)
@example(subject="a" * 69, plain="x" * 78, html="y" * 79, minutes=0)
def test_any_subject_body_and_date_are_written_as_the_email_package_writes_them(
    subject: str, plain: str, html: str, minutes: int
) -> None:
    now = datetime(2026, 11, 23, 9, 30, 15, tzinfo=timezone(timedelta(minutes=minutes)))
    headers = {
        "From": SENDER,
        "To": "sales@acme.example",
        "Subject": subject,
        "Date": format_datetime(now),
        "X-Portal-Template": "invoice_approved",
    }
    _assert_same(headers, plain, html)
