"""Accounts that change and end: single-use links sent by email (a password reset, the
confirmation of a new login email), and who may switch whose account off.

A link's token travels only in the email; the gateway keeps its digest, so a database leak
reveals no usable link. A link is used once, expires soon, and a newer link of the same
purpose for the same account voids the older ones. Pure Python.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID, uuid4

from gateway.domain.errors import CannotDisableAccount, UserNotFound
from gateway.domain.model import User, normalise_email, token_digest
from shared.auth import Principal
from shared.contracts.base import EventPayload
from shared.contracts.identity import LoginEmailChangeRequested, PasswordResetRequested
from shared.sealed_links import LinkSealer

Purpose = Literal["password_reset", "email_change"]
PASSWORD_RESET: Purpose = "password_reset"
EMAIL_CHANGE: Purpose = "email_change"


@dataclass
class AccountLink:
    id: UUID
    purpose: Purpose
    user_id: UUID
    token_digest: str
    created_at: datetime
    expires_at: datetime
    new_email: str | None = None
    used_at: datetime | None = None
    events: list[EventPayload] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def _issue(
        cls, purpose: Purpose, user: User, now: datetime, ttl: timedelta, new_email: str | None = None
    ) -> tuple[AccountLink, str]:
        token = secrets.token_urlsafe(32)
        link = cls(
            id=uuid4(),
            purpose=purpose,
            user_id=user.id,
            token_digest=token_digest(token),
            created_at=now,
            expires_at=now + ttl,
            new_email=new_email,
        )
        return link, token

    @classmethod
    def password_reset(cls, user: User, *, links: LinkSealer, now: datetime, ttl: timedelta) -> AccountLink:
        link, token = cls._issue(PASSWORD_RESET, user, now, ttl)
        url = links.link("password-reset", token)
        link.events.append(
            PasswordResetRequested(
                user_id=user.id,
                email=user.email,
                name=user.name,
                reset_url=url.shown,
                reset_url_sealed=url.sealed,
                expires_at=link.expires_at,
            )
        )
        return link

    @classmethod
    def email_change(
        cls, user: User, new_email: str, *, links: LinkSealer, now: datetime, ttl: timedelta
    ) -> AccountLink:
        address = normalise_email(new_email)
        link, token = cls._issue(EMAIL_CHANGE, user, now, ttl, new_email=address)
        url = links.link("email-change", token)
        link.events.append(
            LoginEmailChangeRequested(
                user_id=user.id,
                name=user.name,
                current_email=user.email,
                new_email=address,
                confirm_url=url.shown,
                confirm_url_sealed=url.sealed,
                expires_at=link.expires_at,
            )
        )
        return link

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at

    def use(self, now: datetime) -> None:
        self.used_at = now


def ensure_may_disable(caller: Principal, target: User) -> None:
    """A buyer admin switches off the buyer users of its own organisation; a supplier user the
    colleagues who work only on supplier records the caller works on too (an account that also
    serves another company's records is not theirs to end). Nobody switches off themselves:
    the last person who could switch it on again would be locked out. Someone the caller may
    not manage is refused as not found, revealing nothing."""
    if target.id == caller.user_id:
        raise CannotDisableAccount("you cannot switch your own account off or on")
    if caller.is_buyer:
        caller.require_admin()
        if target.tenant_id != caller.tenant_id or target.role == "supplier":
            raise UserNotFound()
        return
    if target.role != "supplier" or not target.supplier_ids & caller.supplier_ids:
        raise UserNotFound()
    if not target.supplier_ids <= caller.supplier_ids:
        raise CannotDisableAccount(
            "this colleague also works on documents your account cannot see; ask the buyer to"
            " deactivate the supplier's portal access instead"
        )
