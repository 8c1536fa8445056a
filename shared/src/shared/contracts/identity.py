"""Events of the gateway's topics: users (for whoever must email them) and supplier invitations."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from shared.contracts.base import EventPayload

USERS_TOPIC = "gateway.user.v1"
INVITATIONS_TOPIC = "gateway.invitation.v1"
ORGANISATIONS_TOPIC = "gateway.organisation.v1"

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
    """An invitation for a supplier's contact; the link is the only place the token travels to."""

    topic = INVITATIONS_TOPIC
    event_type = "SupplierInvitationIssued"

    invitation_id: UUID
    tenant_id: UUID
    supplier_id: UUID
    supplier_name: str
    email: str
    accept_url: str
    expires_at: datetime

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

    def key(self) -> str:
        return str(self.tenant_id)


ORGANISATION_EVENTS: tuple[type[EventPayload], ...] = (OrganisationSettingsChanged,)
