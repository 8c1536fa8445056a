"""Comment emails go to the other side, name the document and quote a short, link-free excerpt;
their one link is the document's page in the portal."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest

from notifier.domain import comments
from notifier.domain.excerpts import LINK_REMOVED
from tests.notifier import samples
from tests.notifier.rendered import APPROVER, PORTAL_URL, SUPPLIER, SUPPLIER_ID, TENANT, render

INITIATOR = APPROVER.user_id


@pytest.mark.parametrize(
    "author_role, initiator_id, goes_to",
    [
        ("supplier", INITIATOR, "initiator"),
        ("buyer_user", INITIATOR, "supplier"),
        ("buyer_admin", INITIATOR, "supplier"),
        ("buyer_user", None, "supplier"),
        ("supplier", None, None),  # an invoice nobody on the buyer side raised: nobody to tell
    ],
)
def test_a_comment_goes_to_the_other_side(author_role: str, initiator_id, goes_to: str | None) -> None:  # type: ignore[no-untyped-def]
    assert comments.comment_goes_to(author_role, initiator_id) == goes_to  # type: ignore[arg-type]


def test_supplier_comment_on_a_po_is_emailed_to_the_initiator_naming_the_po_and_the_author() -> None:
    event = samples.purchase_order_comment(
        TENANT, SUPPLIER_ID, INITIATOR, author_role="supplier", author_name="Sam Supplier", body="Can we ship early?"
    )
    draft = comments.purchase_order_comment(event, recipient=APPROVER.email, recipient_name=APPROVER.name)
    message, plain, html = render(draft)

    assert draft.template == "purchase_order_comment"
    assert message["To"] == "irene@buyer.example"
    assert message["Subject"] == "New comment on purchase order PO-000001"
    for body in (plain, html):
        assert "Irene Initiator" in body
        assert "Sam Supplier" in body
        assert "purchase order PO-000001" in body
        assert "Can we ship early?" in body
    assert 'Sam Supplier commented on purchase order PO-000001 (2026-11-23 09:30 UTC):\n\n"Can we ship early?"' in plain


def test_buyer_comment_without_a_name_names_the_author_by_role() -> None:
    event = samples.purchase_order_comment(TENANT, SUPPLIER_ID, INITIATOR, author_role="buyer_admin", body="OK")
    _, plain, html = render(comments.purchase_order_comment(event, recipient=SUPPLIER.email, recipient_name="Acme"))
    assert "The buyer commented on purchase order PO-000001" in plain
    assert "<strong>The buyer</strong> commented" in html


def test_invoice_comment_subject_names_the_invoice_and_its_po() -> None:
    event = samples.invoice_comment(TENANT, SUPPLIER_ID, INITIATOR, author_role="buyer_user", body="Please fix line 2")
    draft = comments.invoice_comment(event, recipient=SUPPLIER.email, recipient_name=SUPPLIER.name)
    message, plain, html = render(draft)

    assert draft.template == "invoice_comment"
    assert message["To"] == "sales@acme.example"
    assert message["Subject"] == "New comment on invoice INV-77 for PO PO-000001"
    for body in (plain, html):
        assert "invoice INV-77 for purchase order PO-000001" in body
        assert "Please fix line 2" in body
        assert "Acme Tools" in body


def test_a_long_comment_is_quoted_as_an_excerpt_of_at_most_300_characters() -> None:
    body = "The bolts are late again.\n\n" + "We need them by Friday, otherwise the line stops. " * 20
    event = samples.purchase_order_comment(TENANT, SUPPLIER_ID, INITIATOR, author_role="supplier", body=body)
    draft = comments.purchase_order_comment(event, recipient=APPROVER.email, recipient_name=APPROVER.name)
    _, plain, _ = render(draft)

    quoted = str(draft.context["excerpt"])
    assert len(quoted) <= 300 and quoted.endswith("…")
    assert quoted.startswith("The bolts are late again. We need them by Friday")
    assert f'"{quoted}"' in plain
    assert body.strip() not in plain


@pytest.mark.parametrize(
    "link",
    [
        "http://evil.example.com/login",
        "https://evil.example.com/login?next=%2F",
        "www.evil.example.com",
        "evil.example.com/path",
    ],
)
def test_links_in_a_comment_never_reach_the_email(link: str) -> None:
    event = samples.invoice_comment(
        TENANT, SUPPLIER_ID, INITIATOR, author_role="supplier", body=f"Pay here: {link} today"
    )
    _, plain, html = render(comments.invoice_comment(event, recipient=APPROVER.email, recipient_name=APPROVER.name))
    for body in (plain, html):
        assert f"Pay here: {LINK_REMOVED} today" in body
        assert "evil" not in body
    # No link but the invoice's page in the portal, which the notifier builds from its own setting.
    page = f"{PORTAL_URL}/invoices/{event.invoice_id}"
    assert re.findall(r"href", html, re.IGNORECASE) == ["href"] and f'href="{page}"' in html
    assert re.findall(r"https?://\S+|www\.", plain, re.IGNORECASE) == [page]


def test_a_link_posing_as_the_author_name_is_removed_too() -> None:
    event = samples.purchase_order_comment(
        TENANT, SUPPLIER_ID, INITIATOR, author_role="supplier", author_name="www.evil.example.com", body="Hi"
    )
    _, plain, html = render(comments.purchase_order_comment(event, recipient=APPROVER.email, recipient_name="Irene"))
    assert "evil" not in plain and "evil" not in html


def test_the_comment_is_html_escaped_in_the_html_body_and_verbatim_in_plain_text() -> None:
    event = samples.purchase_order_comment(
        TENANT,
        SUPPLIER_ID,
        INITIATOR,
        author_role="supplier",
        author_name="<b>Sam</b>",
        body='<script>alert("x")</script> & <img src=x onerror=alert(1)>',
    )
    _, plain, html = render(comments.purchase_order_comment(event, recipient=APPROVER.email, recipient_name="Irene"))
    assert '<script>alert("x")</script> & <img src=x onerror=alert(1)>' in plain
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;b&gt;Sam&lt;/b&gt;" in html
    assert "<script>" not in html and "<img" not in html and "<b>Sam" not in html


def test_each_comment_email_has_its_own_template_name_for_the_audit_list() -> None:
    po = samples.purchase_order_comment(TENANT, SUPPLIER_ID, uuid4(), author_role="buyer_user", body="x")
    invoice = samples.invoice_comment(TENANT, SUPPLIER_ID, None, author_role="buyer_user", body="x")
    assert comments.purchase_order_comment(po, recipient="a@b", recipient_name="A").template == "purchase_order_comment"
    assert comments.invoice_comment(invoice, recipient="a@b", recipient_name="A").template == "invoice_comment"
