"""Events of the gateway's topics: users (for whoever must email them) and supplier invitations."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from shared.contracts.base import DecimalStr, EventPayload

USERS_TOPIC = "gateway.user.v1"
INVITATIONS_TOPIC = "gateway.invitation.v1"
ORGANISATIONS_TOPIC = "gateway.organisation.v1"
ACCOUNTS_TOPIC = "gateway.account.v1"

Role = Literal["buyer_admin", "buyer_user", "supplier"]


class UserSnapshot(EventPayload):
    """A portal user without credentials: who they are and how to reach them."""

    topic = USERS_TOPIC

    user_id: UUID
    tenant_id: UUID | None
    email: str
    name: str
    role: Role
    supplier_ids: list[UUID] = []
    active: bool = True
    updated_at: datetime

    def key(self) -> str:
        return str(self.user_id)


class UserRegistered(UserSnapshot):
    event_type = "UserRegistered"


class UserUpdated(UserSnapshot):
    event_type = "UserUpdated"


class SupplierInvitationIssued(EventPayload):
    """An invitation for a supplier's contact; the link is the only place the token travels to.

    ``accept_url`` is the link with its token withheld; ``accept_url_sealed`` the whole link,
    sealed to the notifier's key (``shared.sealed_links``), so that no copy at rest can be used.
    Events from before sealing carry the whole link in ``accept_url`` and no sealed one."""

    topic = INVITATIONS_TOPIC
    event_type = "SupplierInvitationIssued"

    invitation_id: UUID
    tenant_id: UUID
    supplier_id: UUID
    supplier_name: str
    email: str
    accept_url: str
    expires_at: datetime
    # A colleague's invitation names who sent it (the supplier user's name); None when the
    # buyer invited the supplier's contact.
    invited_by: str | None = None
    accept_url_sealed: str | None = None

    def key(self) -> str:
        return str(self.supplier_id)


USER_EVENTS: tuple[type[EventPayload], ...] = (UserRegistered, UserUpdated)
INVITATION_EVENTS: tuple[type[EventPayload], ...] = (SupplierInvitationIssued,)


class OrganisationSettingsChanged(EventPayload):
    """A buyer organisation's name and settings; the whole state, keyed by tenant."""

    topic = ORGANISATIONS_TOPIC
    event_type = "OrganisationSettingsChanged"

    tenant_id: UUID
    name: str
    invoice_issue_date_required: bool
    supplier_portal_enabled: bool
    revision: int
    updated_at: datetime
    # Added later: events published before them decode with the organisation's defaults.
    default_payment_terms_days: int = 30
    approval_reminder_days: int = 2
    # The buyer as documents (purchase orders, invoices) name it; null until the admin sets it.
    legal_name: str | None = None
    address: str | None = None
    tax_id: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    # Matching's defaults (MATCHING.md): the tolerance of suppliers without one of their own, and
    # whether new purchase orders match invoices against goods receipts.
    default_tolerance_rate: DecimalStr = Decimal(0)
    default_tolerance_amount: DecimalStr | None = None
    three_way_matching: bool = False

    def key(self) -> str:
        return str(self.tenant_id)


class PasswordResetRequested(EventPayload):
    """Someone asked to reset this account's password: the link (the only place the single-use
    token travels to) goes to the account's address; ``reset_url`` is that link with its token
    withheld, ``reset_url_sealed`` the whole link sealed to the notifier's key."""

    topic = ACCOUNTS_TOPIC
    event_type = "PasswordResetRequested"

    user_id: UUID
    email: str
    name: str
    reset_url: str
    expires_at: datetime
    reset_url_sealed: str | None = None

    def key(self) -> str:
        return str(self.user_id)


class LoginEmailChangeRequested(EventPayload):
    """A user asked to sign in with another address: the confirmation link goes to the new one;
    the login changes only when it is opened. ``confirm_url`` is that link with its token withheld,
    ``confirm_url_sealed`` the whole link sealed to the notifier's key."""

    topic = ACCOUNTS_TOPIC
    event_type = "LoginEmailChangeRequested"

    user_id: UUID
    name: str
    current_email: str
    new_email: str
    confirm_url: str
    expires_at: datetime
    confirm_url_sealed: str | None = None

    def key(self) -> str:
        return str(self.user_id)


ACCOUNT_EVENTS: tuple[type[EventPayload], ...] = (PasswordResetRequested, LoginEmailChangeRequested)


ORGANISATION_EVENTS: tuple[type[EventPayload], ...] = (OrganisationSettingsChanged,)
