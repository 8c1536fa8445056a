"""Account emails: the link to reset a password, and a change of sign-in address (the link to
confirm it goes to the new address, a notice to the current one).

The links carry single-use tokens, like an invitation's: each appears only in the body of the
email to the address it is for. Never in a subject (subjects are stored, listed to admins and
published in ``EmailSent``), and never in the notice to the current address, which tells its
owner that a change was asked for without giving the means to make it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from notifier.domain.excerpts import excerpt
from notifier.domain.messages import EmailDraft, sealed_link
from shared.contracts.identity import LoginEmailChangeRequested, PasswordResetRequested, SupplierInvitationIssued
from shared.sealed_links import SealedLink

LinkEvent = TypeVar("LinkEvent", SupplierInvitationIssued, PasswordResetRequested, LoginEmailChangeRequested)
_LINK_FIELDS = {
    SupplierInvitationIssued: "accept_url",
    PasswordResetRequested: "reset_url",
    LoginEmailChangeRequested: "confirm_url",
}

_NAME_LIMIT = 100


def with_sealed_links(event: LinkEvent, seal: Callable[[str], SealedLink]) -> LinkEvent:
    """``event`` with its link sealed: as it came when the gateway sealed it; an event from
    before (the whole link in the plain field) gets the link withheld there and sealed beside it,
    so that its email is kept like any other."""
    name = _LINK_FIELDS[type(event)]
    if getattr(event, f"{name}_sealed") is not None:
        return event
    link = seal(getattr(event, name))
    return event.model_copy(update={name: link.shown, f"{name}_sealed": link.sealed})


def greeting_name(name: str) -> str:
    """The account's name as the greeting shows it: without anything a mail client would link."""
    return excerpt(name, _NAME_LIMIT)


def password_reset(event: PasswordResetRequested) -> EmailDraft:
    return EmailDraft(
        template="password_reset",
        recipient=event.email,
        subject="Reset your supplier portal password",
        context={"name": greeting_name(event.name), "reset_url": event.reset_url, "expires_at": event.expires_at},
        sealed_links=sealed_link(event.reset_url, event.reset_url_sealed),
    )


def login_email_change(event: LoginEmailChangeRequested) -> tuple[EmailDraft, EmailDraft]:
    """The confirmation to the new address first, then the notice to the current one.

    First, because one event makes one email per address: were both addresses the same, the
    one that goes is the one that lets the change be made.
    """
    name = greeting_name(event.name)
    confirmation = EmailDraft(
        template="login_email_confirm",
        recipient=event.new_email,
        subject="Confirm your new sign-in email for the supplier portal",
        context={
            "name": name,
            "new_email": event.new_email,
            "confirm_url": event.confirm_url,
            "expires_at": event.expires_at,
        },
        sealed_links=sealed_link(event.confirm_url, event.confirm_url_sealed),
    )
    notice = EmailDraft(
        template="login_email_notice",
        recipient=event.current_email,
        subject="A change of your supplier portal sign-in email was asked for",
        context={"name": name, "new_email": event.new_email, "expires_at": event.expires_at},
    )
    return confirmation, notice
