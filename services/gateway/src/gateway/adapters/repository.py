"""Loads and saves users, organisations, invitations and the supplier read model."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from uuid import UUID

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.adapters.tables import invitations, organisations, supplier_links, suppliers, users
from gateway.domain.errors import EmailTaken
from gateway.domain.model import (
    Colleague,
    Invitation,
    Organisation,
    SupplierAccess,
    SupplierOrganisation,
    User,
    normalise_email,
)
from shared.contracts.suppliers import SupplierSnapshot
from shared.db import store_if_newer, upsert
from shared.fields import made_of, values_of

# What an admin changes of an organisation (its name and identity are fixed at its founding).
_ORGANISATION_SETTINGS = tuple(
    name
    for name in organisations.c.keys()  # noqa: SIM118 (a column collection, not a dict)
    if name not in ("id", "name", "created_at", "revision", "updated_at")
)


class IdentityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # -- organisations -----------------------------------------------------------------------
    async def organisation(self, tenant_id: UUID, *, for_update: bool = False) -> Organisation | None:
        query = select(organisations).where(organisations.c.id == tenant_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return None if row is None else _organisation(row)

    async def list_organisations(self, limit: int) -> list[Organisation]:
        query = select(organisations).order_by(organisations.c.created_at, organisations.c.id).limit(limit)
        return [_organisation(row) for row in (await self._session.execute(query)).all()]

    async def add_organisation(self, organisation: Organisation, now: object) -> None:
        values = values_of(_ORGANISATION_SETTINGS, organisation, id=organisation.id, name=organisation.name)
        await self._session.execute(insert(organisations).values(created_at=now, **values))

    async def save_organisation(self, organisation: Organisation) -> None:
        values = values_of((*_ORGANISATION_SETTINGS, "revision", "updated_at"), organisation)
        await self._session.execute(update(organisations).where(organisations.c.id == organisation.id).values(values))

    # -- users -------------------------------------------------------------------------------
    async def _user(self, row: Row | None) -> User | None:
        if row is None:
            return None
        linked = (
            await self._session.execute(select(supplier_links.c.supplier_id).where(supplier_links.c.user_id == row.id))
        ).scalars()
        return made_of(User, row, supplier_ids=set(linked))

    async def user_by_email(self, email: str, *, for_update: bool = False) -> User | None:
        query = select(users).where(users.c.email == normalise_email(email))
        if for_update:
            query = query.with_for_update()
        return await self._user((await self._session.execute(query)).first())

    async def user(self, user_id: UUID, *, for_update: bool = False) -> User | None:
        query = select(users).where(users.c.id == user_id)
        if for_update:
            query = query.with_for_update()
        return await self._user((await self._session.execute(query)).first())

    async def users_of(self, tenant_id: UUID, limit: int) -> Sequence[User]:
        rows = (
            await self._session.execute(
                select(users).where(users.c.tenant_id == tenant_id).order_by(users.c.created_at).limit(limit)
            )
        ).all()
        return [u for u in [await self._user(row) for row in rows] if u is not None]

    async def email_taken(self, email: str) -> bool:
        query = select(func.count()).select_from(users).where(users.c.email == normalise_email(email))
        return bool((await self._session.execute(query)).scalar())

    async def save_user(self, user: User) -> None:
        values = values_of(users.c.keys(), user)
        try:
            await self._session.execute(upsert(users, tuple(values)), values)
        except IntegrityError as exc:
            # Another transaction registered the same email after this one checked it.
            if "uq_users_email" in str(exc.orig):
                raise EmailTaken(user.email) from None
            raise
        await self._session.execute(delete(supplier_links).where(supplier_links.c.user_id == user.id))
        if user.supplier_ids:
            await self._session.execute(
                insert(supplier_links), [{"user_id": user.id, "supplier_id": s} for s in user.supplier_ids]
            )

    # -- suppliers read model ------------------------------------------------------------------
    async def upsert_supplier(self, snapshot: SupplierSnapshot) -> bool:
        """Keep the newest snapshot; False when this one is older than what is stored."""
        values = values_of(suppliers.c.keys(), snapshot, id=snapshot.supplier_id)
        return await store_if_newer(self._session, suppliers, values)

    async def supplier_access(self, supplier_ids: Collection[UUID]) -> SupplierAccess:
        """Which of these records reach the portal (their own portal active) and, of those, which
        belong to a buyer that has switched its supplier portal off (restricted to invoicing
        what is still owed)."""
        if not supplier_ids:
            return SupplierAccess(set(), set())
        query = (
            select(suppliers.c.id, func.coalesce(organisations.c.supplier_portal_enabled, True).label("enabled"))
            .join(organisations, organisations.c.id == suppliers.c.tenant_id, isouter=True)
            .where(suppliers.c.id.in_(sorted(supplier_ids)), suppliers.c.portal_status == "active")
        )
        rows = (await self._session.execute(query)).all()
        return SupplierAccess({row.id for row in rows}, {row.id for row in rows if not row.enabled})

    async def tenant_of_suppliers(self, supplier_ids: Collection[UUID]) -> UUID | None:
        """The buyer of the first of these records (by id) the read model knows."""
        if not supplier_ids:
            return None
        query = select(suppliers.c.tenant_id).where(suppliers.c.id.in_(sorted(supplier_ids))).order_by(suppliers.c.id)
        return (await self._session.execute(query.limit(1))).scalar()

    async def supplier(self, supplier_id: UUID) -> Row | None:
        """The read model's row of a supplier record (tenant, name, email, portal status)."""
        return (await self._session.execute(select(suppliers).where(suppliers.c.id == supplier_id))).first()

    async def supplier_organisations(self, supplier_ids: Collection[UUID]) -> list[SupplierOrganisation]:
        """Each of these supplier records with its buyer organisation. A record not in the read
        model is left out, and so is one whose organisation is unknown here (the gateway founds
        every organisation, so only a record announced for a tenant it never had)."""
        if not supplier_ids:
            return []
        query = (
            select(
                suppliers.c.id,
                suppliers.c.name,
                suppliers.c.tenant_id,
                organisations.c.name.label("buyer_name"),
                organisations.c.invoice_issue_date_required,
            )
            .join(organisations, organisations.c.id == suppliers.c.tenant_id)
            .where(suppliers.c.id.in_(sorted(supplier_ids)))
        )
        return [
            made_of(SupplierOrganisation, row, supplier_id=row.id, supplier_name=row.name)
            for row in (await self._session.execute(query)).all()
        ]

    # -- invitations ---------------------------------------------------------------------------
    async def add_invitation(self, invitation: Invitation) -> None:
        await self._session.execute(
            insert(invitations).values(
                id=invitation.id,
                tenant_id=invitation.tenant_id,
                supplier_id=invitation.supplier_id,
                supplier_name=invitation.supplier_name,
                email=invitation.email,
                token_digest=invitation.token_digest,
                expires_at=invitation.expires_at,
                created_at=invitation.created_at,
                invited_by_user_id=invitation.invited_by.user_id if invitation.invited_by else None,
                invited_by_name=invitation.invited_by.name if invitation.invited_by else None,
                name=invitation.invited_by.invitee_name if invitation.invited_by else None,
                supplier_ids=sorted(invitation.extra_supplier_ids) or None,
            )
        )

    async def invitation_by_digest(self, digest: str) -> Invitation | None:
        query = select(invitations).where(invitations.c.token_digest == digest).with_for_update()
        row = (await self._session.execute(query)).first()
        return None if row is None else _invitation(row)

    async def mark_accepted(self, invitation: Invitation) -> None:
        await self._session.execute(
            update(invitations)
            .where(invitations.c.id == invitation.id)
            .values(accepted_at=invitation.accepted_at, user_id=invitation.user_id)
        )


def _invitation(row: Row) -> Invitation:
    invited_by = None
    if row.invited_by_user_id is not None:
        invited_by = Colleague(row.invited_by_user_id, row.invited_by_name or "", row.name)
    return made_of(Invitation, row, invited_by=invited_by, extra_supplier_ids=frozenset(row.supplier_ids or ()))


def _organisation(row: Row) -> Organisation:
    return made_of(Organisation, row)
