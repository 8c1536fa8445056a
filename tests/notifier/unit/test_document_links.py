"""Every email about a document links to that document's page in the web portal.

The link is absolute, built on the portal's public address (``PORTAL_PUBLIC_URL``), the same
path for a buyer and a supplier; in HTML it is an escaped ``<a href>``, the only link there is.
"""

from __future__ import annotations

import re
from dataclasses import replace
from importlib.resources import files
from uuid import UUID, uuid4

import pytest

from notifier.adapters.rendering import EmailRenderer
from notifier.domain import cancellations, comments, messages, reminders, rfps
from notifier.domain.messages import EmailDraft
from shared.contracts.orders import FieldChange
from tests.notifier import samples
from tests.notifier.rendered import APPROVER, PORTAL_URL, SENDER, SUPPLIER, SUPPLIER_ID, TENANT, render

CHANGE = FieldChange(field="delivery_date", before="2026-12-15", after="2027-01-10")
HREF = re.compile(r"""href\s*=\s*["']?([^"'\s>]*)""", re.IGNORECASE)


def assert_links_only_to(plain: str, html: str, url: str) -> None:
    assert f"\n{url}\n" in plain  # on a line of its own: mail clients make it clickable whole
    assert f'<a href="{url}">{url}</a>' in html
    assert HREF.findall(html) == [url]
    assert re.findall(r"https?://\S+", plain) == [url]


def test_new_purchase_order_email_links_to_the_order_page() -> None:
    po = samples.purchase_order(TENANT, SUPPLIER_ID)
    _, plain, html = render(messages.purchase_order(po, SUPPLIER, b"%PDF"))

    url = f"{PORTAL_URL}/purchase-orders/{po.purchase_order_id}"
    assert_links_only_to(plain, html, url)
    assert f"Open it in the supplier portal to acknowledge it:\n{url}\n" in plain


def test_changed_purchase_order_email_links_to_the_order_page() -> None:
    po = samples.purchase_order_changed(TENANT, SUPPLIER_ID, CHANGE)
    _, plain, html = render(messages.purchase_order_changed(po, SUPPLIER))

    url = f"{PORTAL_URL}/purchase-orders/{po.purchase_order_id}"
    assert_links_only_to(plain, html, url)
    assert f"See the changed order in the supplier portal:\n{url}\n" in plain


def test_approval_request_links_the_buyer_to_the_invoice_page() -> None:
    invoice = samples.approval_requested(TENANT, SUPPLIER_ID, APPROVER.user_id)
    _, plain, html = render(messages.approval_request(invoice, APPROVER, SUPPLIER))

    url = f"{PORTAL_URL}/invoices/{invoice.invoice_id}"
    assert_links_only_to(plain, html, url)
    assert f"approve or reject the invoice in the portal:\n{url}\n" in plain


def test_approved_invoice_email_links_to_the_invoice_page() -> None:
    invoice = samples.approved(TENANT, SUPPLIER_ID)
    _, plain, html = render(messages.invoice_decided(invoice, SUPPLIER))

    assert_links_only_to(plain, html, f"{PORTAL_URL}/invoices/{invoice.invoice_id}")


def test_rejected_invoice_email_links_to_the_invoice_page_to_correct_it() -> None:
    invoice = samples.rejected(TENANT, SUPPLIER_ID)
    _, plain, html = render(messages.invoice_decided(invoice, SUPPLIER))

    url = f"{PORTAL_URL}/invoices/{invoice.invoice_id}"
    assert_links_only_to(plain, html, url)
    assert f"You can correct the invoice in the supplier portal and submit it again:\n{url}\n" in plain


@pytest.mark.parametrize("amount, paid_total", [("1000.00", "1000.00"), ("3712.30", "4712.30")])
def test_payment_email_links_to_the_invoice_page(amount: str, paid_total: str) -> None:
    invoice = samples.payment(TENANT, SUPPLIER_ID, amount=amount, paid_total=paid_total)
    _, plain, html = render(messages.payment_recorded(invoice, SUPPLIER))

    assert_links_only_to(plain, html, f"{PORTAL_URL}/invoices/{invoice.invoice_id}")


@pytest.mark.parametrize("author_role", ["supplier", "buyer_user"])
def test_comment_on_a_purchase_order_links_to_the_order_page_for_either_side(author_role: str) -> None:
    comment = samples.purchase_order_comment(
        TENANT, SUPPLIER_ID, APPROVER.user_id, author_role=author_role, body="See https://evil.example.com/x"
    )
    _, plain, html = render(comments.purchase_order_comment(comment, recipient=SUPPLIER.email, recipient_name="A"))

    url = f"{PORTAL_URL}/purchase-orders/{comment.purchase_order_id}"
    assert_links_only_to(plain, html, url)  # the comment's own link is removed, the page's stays
    assert f"Read the whole comment and reply in the portal:\n{url}\n" in plain


def test_comment_on_an_invoice_links_to_the_invoice_page() -> None:
    comment = samples.invoice_comment(TENANT, SUPPLIER_ID, APPROVER.user_id, author_role="supplier", body="Hi")
    _, plain, html = render(comments.invoice_comment(comment, recipient=APPROVER.email, recipient_name="Irene"))

    assert_links_only_to(plain, html, f"{PORTAL_URL}/invoices/{comment.invoice_id}")


def test_published_rfp_email_links_to_the_rfp_page() -> None:
    rfp = samples.rfp_published(TENANT, SUPPLIER_ID)
    _, plain, html = render(rfps.rfp_published(rfp, SUPPLIER))

    url = f"{PORTAL_URL}/rfps/{rfp.rfp_id}"
    assert_links_only_to(plain, html, url)
    assert f"Submit your proposal in the supplier portal:\n{url}\n" in plain


def test_won_and_lost_rfp_emails_link_to_the_rfp_page_and_never_to_the_winner() -> None:
    loser = replace(SUPPLIER, supplier_id=uuid4(), email="sales@second.example")
    rfp = samples.rfp_awarded(TENANT, SUPPLIER_ID, loser.supplier_id)
    url = f"{PORTAL_URL}/rfps/{rfp.rfp_id}"

    for supplier in (SUPPLIER, loser):
        _, plain, html = render(rfps.rfp_outcome(rfp, supplier, samples.BUYER_NAME))
        assert_links_only_to(plain, html, url)
        assert str(rfp.purchase_order_id) not in plain + html  # the awarded PO is a draft: no link to it


def test_the_invitation_keeps_its_accept_link_and_gets_no_document_link() -> None:
    invitation = samples.invitation(TENANT, SUPPLIER_ID)
    draft = messages.invitation(invitation)
    _, plain, html = render(draft)

    assert draft.page is None
    assert invitation.accept_url.endswith("/invitations/link-withheld")
    assert invitation.accept_url in plain
    assert set(HREF.findall(html)) == {invitation.accept_url}


def _every_document_draft() -> list[EmailDraft]:
    rfp_awarded = samples.rfp_awarded(TENANT, SUPPLIER_ID, uuid4())
    loser = replace(SUPPLIER, supplier_id=rfp_awarded.participant_ids[-1])
    waiting = reminders.tracked(None, samples.approval_requested(TENANT, SUPPLIER_ID, APPROVER.user_id), samples.NOW)
    assert waiting is not None
    overdue = replace(waiting, status="approved", pending_since=None, due_date=samples.NOW.date())
    return [
        messages.approval_reminder(waiting, APPROVER, SUPPLIER, today=samples.NOW.date()),
        messages.invoice_overdue(overdue, APPROVER, SUPPLIER),
        messages.purchase_order(samples.purchase_order(TENANT, SUPPLIER_ID), SUPPLIER, b"%PDF"),
        messages.purchase_order_changed(samples.purchase_order_changed(TENANT, SUPPLIER_ID, CHANGE), SUPPLIER),
        messages.approval_request(samples.approval_requested(TENANT, SUPPLIER_ID, APPROVER.user_id), APPROVER, None),
        messages.invoice_decided(samples.approved(TENANT, SUPPLIER_ID), SUPPLIER),
        messages.invoice_decided(samples.rejected(TENANT, SUPPLIER_ID), SUPPLIER),
        messages.payment_recorded(samples.payment(TENANT, SUPPLIER_ID, amount="1.00", paid_total="1.00"), SUPPLIER),
        comments.purchase_order_comment(
            samples.purchase_order_comment(TENANT, SUPPLIER_ID, uuid4(), author_role="supplier", body="x"),
            recipient="a@b.example",
            recipient_name="A",
        ),
        comments.invoice_comment(
            samples.invoice_comment(TENANT, SUPPLIER_ID, None, author_role="buyer_user", body="x"),
            recipient="a@b.example",
            recipient_name="A",
        ),
        rfps.rfp_published(samples.rfp_published(TENANT, SUPPLIER_ID), SUPPLIER),
        rfps.rfp_outcome(rfp_awarded, SUPPLIER, samples.BUYER_NAME),
        rfps.rfp_outcome(rfp_awarded, loser, samples.BUYER_NAME),
        rfps.rfp_closed(samples.rfp_closed(TENANT, SUPPLIER_ID), SUPPLIER, samples.BUYER_NAME),
        cancellations.purchase_order_ended(
            samples.purchase_order_ended(TENANT, SUPPLIER_ID, "canceled"), SUPPLIER, samples.BUYER_NAME
        ),
        cancellations.purchase_order_ended(
            samples.purchase_order_ended(TENANT, SUPPLIER_ID, "closed"), SUPPLIER, samples.BUYER_NAME
        ),
        cancellations.invoice_canceled(
            samples.invoice_canceled(TENANT, SUPPLIER_ID, canceled_by="buyer"), SUPPLIER, samples.BUYER_NAME
        ),
        messages.goods_received(samples.goods_received(TENANT, SUPPLIER_ID), SUPPLIER),
    ]


# Emails about an invitation or the person's own account: their one link is the action the
# email offers (a single-use token), not a document's page.
ACCOUNT_TEMPLATES = {"invitation", "password_reset", "login_email_confirm", "login_email_notice"}


def test_every_template_but_the_account_ones_is_about_a_document_and_links_its_page() -> None:
    drafts = _every_document_draft()
    templates = {
        name.removesuffix(".txt.j2")
        for name in (entry.name for entry in files("notifier").joinpath("templates").iterdir())
        if name.endswith(".txt.j2") and not name.startswith("_")
    }
    # A new kind of email is added here, with its link, or this fails.
    assert {d.template for d in drafts} == templates - ACCOUNT_TEMPLATES
    for draft in drafts:
        assert draft.page is not None, draft.template
        _, plain, html = render(draft)
        assert_links_only_to(plain, html, PORTAL_URL + draft.page)


def test_the_link_is_built_on_the_portal_address_without_a_double_slash() -> None:
    po = samples.purchase_order(TENANT, SUPPLIER_ID)
    renderer = EmailRenderer(SENDER, "http://127.0.0.1:8000/")

    plain, html = renderer.bodies(messages.purchase_order(po, SUPPLIER, b"%PDF"))

    url = f"http://127.0.0.1:8000/purchase-orders/{po.purchase_order_id}"
    assert f"\n{url}\n" in plain and f'href="{url}"' in html


def test_the_portal_address_is_escaped_in_the_html_link() -> None:
    invoice_id = UUID(int=7)
    draft = replace(
        messages.invoice_decided(samples.approved(TENANT, SUPPLIER_ID), SUPPLIER), page=f"/invoices/{invoice_id}"
    )
    renderer = EmailRenderer(SENDER, 'https://portal.example.com/a&b"<x>')

    plain, html = renderer.bodies(draft)

    escaped = f"https://portal.example.com/a&amp;b&#34;&lt;x&gt;/invoices/{invoice_id}"
    assert f'<a href="{escaped}">{escaped}</a>' in html
    assert '"<x>' not in html
    assert f'https://portal.example.com/a&b"<x>/invoices/{invoice_id}' in plain
