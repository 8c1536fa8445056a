"""Account emails: a password reset link, the confirmation of a new sign-in address and the
notice to the current one, and a colleague's invitation. Their links carry single-use tokens:
only in the body of the email to the address they are for, never in a subject or the notice."""

from __future__ import annotations

import re
from uuid import uuid4

from notifier.domain import accounts, messages
from notifier.service import account_emails
from tests.notifier import samples
from tests.notifier.rendered import SUPPLIER_ID, TENANT, render
from tests.notifier.unit.fakes import FakeRenderer, FakeUnitOfWork

HREF = re.compile(r"""href\s*=\s*["']?([^"'\s>]*)""", re.IGNORECASE)


def test_the_reset_email_goes_to_the_account_with_its_link_expiry_and_what_to_do_if_not_asked() -> None:
    event = samples.password_reset(uuid4())
    draft = accounts.password_reset(event)
    message, plain, html = render(draft)

    assert message["To"] == "irene@buyer.example"
    assert message["Subject"] == "Reset your supplier portal password"
    assert draft.page is None
    assert f"Choose a new password here:\n{event.reset_url}\n" in plain
    assert set(HREF.findall(html)) == {event.reset_url}
    for body in (plain, html):
        assert "Hello Irene Initiator," in body
        assert "The link works once, until 2026-11-23 10:30 UTC." in body
        assert "If you did not ask for this, ignore this email: your password stays as it is." in body


def test_a_change_of_sign_in_address_is_confirmed_from_the_new_one_and_told_to_the_current_one() -> None:
    event = samples.login_email_change(uuid4())
    confirmation, notice = accounts.login_email_change(event)
    confirm_message, confirm_plain, confirm_html = render(confirmation)
    notice_message, notice_plain, notice_html = render(notice)

    assert confirm_message["To"] == "irene@new.example"
    assert confirm_message["Subject"] == "Confirm your new sign-in email for the supplier portal"
    assert f"Confirm the change here:\n{event.confirm_url}\n" in confirm_plain
    assert set(HREF.findall(confirm_html)) == {event.confirm_url}
    assert "until 2026-11-24 09:30 UTC" in confirm_plain

    assert notice_message["To"] == "irene@buyer.example"
    assert notice_message["Subject"] == "A change of your supplier portal sign-in email was asked for"
    assert "from this one to irene@new.example" in notice_plain and "irene@new.example" in notice_html
    assert "sign in and change your password" in notice_plain
    # The notice tells of the change; it never carries the means to make it.
    assert samples.TOKEN not in notice_message.as_string() and HREF.findall(notice_html) == []


def test_no_token_travels_in_a_subject() -> None:
    drafts = [accounts.password_reset(samples.password_reset(uuid4()))]
    drafts += accounts.login_email_change(samples.login_email_change(uuid4()))
    drafts.append(messages.invitation(samples.invitation(TENANT, SUPPLIER_ID, invited_by="Sam Supplier")))
    for draft in drafts:
        assert samples.TOKEN not in draft.subject and "http" not in draft.subject


def test_a_name_that_reads_like_a_link_is_greeted_without_it() -> None:
    event = samples.password_reset(uuid4(), name="Irene see evil.example.com/login")
    _, plain, html = render(accounts.password_reset(event))
    assert "evil.example.com" not in plain + html and "Hello Irene see [link removed]," in plain


async def test_the_account_emails_are_queued_under_the_envelopes_tenant_once_per_address() -> None:
    uow, tenant, event_id = FakeUnitOfWork(), uuid4(), uuid4()
    await account_emails.email_password_reset(uow, FakeRenderer(), event_id, tenant, samples.password_reset(uuid4()))  # type: ignore[arg-type]
    change = samples.login_email_change(uuid4(), current_email="same@buyer.example", new_email="SAME@buyer.example")
    await account_emails.email_login_email_change(uow, FakeRenderer(), uuid4(), tenant, change)  # type: ignore[arg-type]

    # One address gets one email per event: the confirmation, which lets the change be made.
    assert uow.sent() == [
        ("irene@buyer.example", "password_reset"),
        ("SAME@buyer.example", "login_email_confirm"),
    ]
    assert {email.tenant_id for email in uow.emails.queued.values()} == {tenant}


def test_a_colleagues_invitation_says_who_invited_and_to_work_on_the_suppliers_documents() -> None:
    event = samples.invitation(TENANT, SUPPLIER_ID, invited_by="Sam Supplier")
    message, plain, html = render(messages.invitation(event))

    assert message["Subject"] == "Sam Supplier invited you to the supplier portal for Acme Tools"
    for body in (plain, html):
        assert "Sam Supplier invited you to the supplier portal to work with them on the documents of" in body
        assert "You have been invited" not in body
    assert f"\n{event.accept_url}\n" in plain


def test_the_buyers_invitation_keeps_the_buyers_wording() -> None:
    message, plain, _ = render(messages.invitation(samples.invitation(TENANT, SUPPLIER_ID)))
    assert message["Subject"] == "Invitation to the supplier portal for Acme Tools"
    assert "You have been invited to the supplier portal for Acme Tools." in plain


def test_a_colleagues_name_is_shown_without_links_and_on_one_line() -> None:
    event = samples.invitation(TENANT, SUPPLIER_ID, invited_by="Sam\r\nBcc: x@evil.example www.evil.example")
    draft = messages.invitation(event)
    message, plain, html = render(draft)

    assert message["Bcc"] is None and "\n" not in draft.subject
    assert "www.evil.example" not in plain + html + draft.subject
    assert "Sam Bcc: x@[link removed] [link removed] invited you" in plain
