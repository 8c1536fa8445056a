"""Users, organisations and supplier invitations: the rules of who may sign in as what.

Plain Python; password hashing and token signing are adapters passed in by the service layer.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple, cast
from uuid import UUID, uuid4

from gateway.domain.errors import InvalidName, UnknownRole, WeakPassword
from gateway.domain.tolerance import validate_default_tolerance_amount, validate_default_tolerance_rate
from shared.auth import Principal, Role
from shared.contracts.base import EventPayload
from shared.contracts.identity import (
    OrganisationSettingsChanged,
    SupplierInvitationIssued,
    UserRegistered,
    UserUpdated,
)
from shared.errors import NotFound
from shared.fields import made_of
from shared.sealed_links import LinkSealer

MIN_PASSWORD_LENGTH = 8
MAX_NAME_LENGTH = 300
# The organisation's details printed on its documents; cleared by an empty value.
PROFILE_FIELDS = ("legal_name", "address", "tax_id", "contact_name", "contact_email", "contact_phone")
BUYER_ROLES: tuple[Role, ...] = ("buyer_admin", "buyer_user")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def ensure_strong_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            f"the password needs at least {MIN_PASSWORD_LENGTH} characters",
            errors=[{"field": "password", "message": f"at least {MIN_PASSWORD_LENGTH} characters"}],
        )


def ensure_buyer_role(role: str) -> Role:
    for known in BUYER_ROLES:
        if role == known:
            return known
    raise UnknownRole(role, BUYER_ROLES)


def clean_name(name: str, what: str) -> str:
    """A display name without surrounding blanks or control characters (they end up in emails)."""
    cleaned = name.strip()
    if not cleaned or len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidName(f"the {what} needs 1 to {MAX_NAME_LENGTH} characters", field="name")
    if any(unicodedata.category(c) == "Cc" for c in cleaned):
        raise InvalidName(f"the {what} must not contain control characters", field="name")
    return cleaned


def token_digest(token: str) -> str:
    """Invitation tokens are stored as digests: a database leak reveals no usable link."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class Organisation:
    """A buyer organisation (tenant) and its settings; every change is published whole."""

    id: UUID
    name: str
    invoice_issue_date_required: bool = False
    supplier_portal_enabled: bool = True
    # Days from an invoice's issue date to its due date, for suppliers without terms of their own.
    default_payment_terms_days: int = 30
    # Days a held invoice waits for its approver before a reminder.
    approval_reminder_days: int = 2
    # What matching holds suppliers without a tolerance of their own to (``tolerance``).
    default_tolerance_rate: Decimal = Decimal(0)
    default_tolerance_amount: Decimal | None = None
    # Whether new purchase orders match their invoices against goods receipts.
    three_way_matching: bool = False
    legal_name: str | None = None
    address: str | None = None
    tax_id: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    revision: int = 0
    updated_at: datetime | None = None
    events: list[EventPayload] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def found(cls, name: str, now: datetime) -> Organisation:
        """A new organisation with the default settings, published as its first state."""
        organisation = cls(id=uuid4(), name=clean_name(name, "organisation name"))
        organisation.change({}, now)
        return organisation

    def change(self, changes: dict[str, object], now: datetime) -> None:
        """Apply the admin's changes (their types checked at the edge); a blank detail clears it."""
        changes = {
            name: (value.strip() or None) if name in PROFILE_FIELDS and isinstance(value, str) else value
            for name, value in changes.items()
        }
        if "default_tolerance_rate" in changes:
            validate_default_tolerance_rate(cast(Decimal, changes["default_tolerance_rate"]))
        if "default_tolerance_amount" in changes:
            amount = cast(Decimal | None, changes["default_tolerance_amount"])
            changes["default_tolerance_amount"] = validate_default_tolerance_amount(amount)
        changed = {name: value for name, value in changes.items() if getattr(self, name) != value}
        if not changed and self.revision > 0:
            return
        for name, value in changed.items():
            setattr(self, name, value)
        self.revision += 1
        self.updated_at = now
        self.events.append(self._settings(now))

    def announce(self, now: datetime) -> None:
        """Publish the settings as they stand, revision unchanged (one never published gets its
        first). Consumers that hold this revision keep what they have; a read model that never
        heard of the organisation (built after its events left the broker) learns it, name included."""
        if self.revision == 0:
            self.change({}, now)
        else:
            self.events.append(self._settings(self.updated_at or now))

    def _settings(self, updated_at: datetime) -> OrganisationSettingsChanged:
        return made_of(OrganisationSettingsChanged, self, tenant_id=self.id, updated_at=updated_at)


@dataclass
class User:
    id: UUID
    email: str
    name: str
    role: Role
    password_hash: str
    created_at: datetime
    updated_at: datetime
    tenant_id: UUID | None = None
    supplier_ids: set[UUID] = field(default_factory=set)
    active: bool = True
    token_generation: int = 0
    events: list[EventPayload] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def register(
        cls,
        *,
        email: str,
        name: str,
        role: Role,
        password_hash: str,
        now: datetime,
        tenant_id: UUID | None = None,
        supplier_ids: set[UUID] | None = None,
    ) -> User:
        user = cls(
            id=uuid4(),
            email=normalise_email(email),
            name=name,
            role=role,
            password_hash=password_hash,
            tenant_id=tenant_id,
            supplier_ids=set(supplier_ids or ()),
            created_at=now,
            updated_at=now,
        )
        user.events.append(UserRegistered(**user._state()))
        return user

    def link_supplier(self, supplier_id: UUID, now: datetime) -> None:
        if supplier_id not in self.supplier_ids:
            self.supplier_ids.add(supplier_id)
            self.updated_at = now
            self.events.append(UserUpdated(**self._state()))

    def disable(self, now: datetime) -> None:
        """Signed out everywhere at once: the gateway refuses an inactive user's every token."""
        if self.active:
            self.active = False
            self._updated(now)

    def enable(self, now: datetime) -> None:
        if not self.active:
            self.active = True
            self._updated(now)

    def change_password(self, password_hash: str, now: datetime) -> None:
        """A new password ends every session of the old one: tokens of an earlier generation
        are refused from now on."""
        self.password_hash = password_hash
        self.token_generation += 1
        self.updated_at = now

    def change_email(self, email: str, now: datetime) -> None:
        self.email = normalise_email(email)
        self._updated(now)

    def _updated(self, now: datetime) -> None:
        self.updated_at = now
        self.events.append(UserUpdated(**self._state()))

    def principal(self, access: SupplierAccess | None = None) -> Principal:
        """The identity a token carries; suppliers only for records whose portal is active, and
        of those, the ones whose buyer has switched the portal off marked restricted."""
        suppliers = self.supplier_ids if access is None else self.supplier_ids & access.active
        restricted_supplier_ids = access.restricted if access is not None else set()
        return Principal(
            user_id=self.id,
            role=self.role,
            tenant_id=self.tenant_id,
            supplier_ids=frozenset(suppliers),
            email=self.email,
            restricted_supplier_ids=frozenset(suppliers & restricted_supplier_ids),
            generation=self.token_generation,
        )

    def principal_for_supplier(self, supplier_id: UUID, access: SupplierAccess) -> Principal:
        """The identity of a token for one of the user's supplier records alone (the portal's
        switch of buyer organisation). The record must be linked and active now, whatever token
        the user presents (a narrowed one holds a single record); otherwise it is not found,
        which reveals nothing about a record of someone else."""
        if supplier_id not in self.principal(access).supplier_ids:
            raise NotFound("supplier not found")
        return self.principal(SupplierAccess({supplier_id}, access.restricted))

    def _state(self) -> dict[str, object]:
        return {
            "user_id": self.id,
            "tenant_id": self.tenant_id,
            "email": self.email,
            "name": self.name,
            "role": self.role,
            "supplier_ids": sorted(self.supplier_ids),
            "active": self.active,
            "updated_at": self.updated_at,
        }


class SupplierAccess(NamedTuple):
    """A supplier user's records that reach the portal, and those of them restricted because
    their buyer switched the supplier portal off."""

    active: set[UUID]
    restricted: set[UUID]


@dataclass(frozen=True)
class SupplierOrganisation:
    """A buyer organisation a supplier user works for, through one of its supplier records."""

    supplier_id: UUID
    supplier_name: str
    tenant_id: UUID
    buyer_name: str
    invoice_issue_date_required: bool


def in_display_order(organisations: Iterable[SupplierOrganisation]) -> list[SupplierOrganisation]:
    """By buyer name, then supplier name (case-insensitively, as a person reads a list), the
    id last so that the order never depends on the database's."""
    return sorted(
        organisations,
        key=lambda o: (
            o.buyer_name.casefold(),
            o.buyer_name,
            o.supplier_name.casefold(),
            o.supplier_name,
            o.supplier_id,
        ),
    )


@dataclass(frozen=True)
class Colleague:
    """The supplier user who invites a colleague, and the name the colleague is given."""

    user_id: UUID
    name: str
    invitee_name: str | None = None


@dataclass
class Invitation:
    id: UUID
    tenant_id: UUID
    supplier_id: UUID
    supplier_name: str
    email: str
    token_digest: str
    expires_at: datetime
    created_at: datetime
    accepted_at: datetime | None = None
    user_id: UUID | None = None
    voided_at: datetime | None = None
    # A colleague's invitation: who sent it, the name they gave, and every supplier record the
    # new account is linked to (the sender's); a buyer's invitation links ``supplier_id`` alone.
    invited_by: Colleague | None = None
    extra_supplier_ids: frozenset[UUID] = frozenset()
    events: list[EventPayload] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def issue(
        cls,
        *,
        tenant_id: UUID,
        supplier_id: UUID,
        supplier_name: str,
        email: str,
        links: LinkSealer,
        now: datetime,
        ttl: timedelta,
        invited_by: Colleague | None = None,
        extra_supplier_ids: frozenset[UUID] = frozenset(),
    ) -> Invitation:
        token = secrets.token_urlsafe(32)
        link = links.link("invitations", token)
        invitation = cls(
            id=uuid4(),
            tenant_id=tenant_id,
            supplier_id=supplier_id,
            supplier_name=supplier_name,
            email=normalise_email(email),
            token_digest=token_digest(token),
            expires_at=now + ttl,
            created_at=now,
            invited_by=invited_by,
            extra_supplier_ids=extra_supplier_ids - {supplier_id},
        )
        invitation.events.append(
            SupplierInvitationIssued(
                invitation_id=invitation.id,
                tenant_id=tenant_id,
                supplier_id=supplier_id,
                supplier_name=supplier_name,
                email=invitation.email,
                accept_url=link.shown,
                accept_url_sealed=link.sealed,
                expires_at=invitation.expires_at,
                invited_by=invited_by.name if invited_by else None,
            )
        )
        return invitation

    @property
    def supplier_ids(self) -> set[UUID]:
        """Every supplier record accepting links the account to."""
        return {self.supplier_id, *self.extra_supplier_ids}

    def usable(self, now: datetime) -> bool:
        return self.accepted_at is None and self.voided_at is None and now < self.expires_at

    def accept(self, user_id: UUID, now: datetime) -> None:
        self.accepted_at = now
        self.user_id = user_id
