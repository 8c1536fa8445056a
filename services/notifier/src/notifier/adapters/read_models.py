"""The read models of suppliers, users and buyer organisations: upserts that never let an older
snapshot win.

Suppliers and organisations are ordered by ``revision``, users by ``updated_at`` (their snapshots
carry no revision); the comparison is in the upsert itself, so concurrent deliveries cannot race it.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.adapters.tables import organisations, suppliers, users
from notifier.domain.read_models import BuyerOrganisation, PortalUser, SupplierContact
from shared.db import upsert
from shared.driver import driver_first
from shared.fields import made_of, values_of

# Built once; the ids are bound at execution (every email looks its recipient up).
_SUPPLIER = select(suppliers).where(
    suppliers.c.supplier_id == bindparam("supplier_id"), suppliers.c.tenant_id == bindparam("tenant_id")
)
_USER = select(users).where(users.c.user_id == bindparam("user_id"))
_BUYER_ADMINS = (
    select(users)
    .where(users.c.tenant_id == bindparam("tenant_id"), users.c.role == "buyer_admin")
    .order_by(users.c.email)
)
_ORGANISATION_NAME = select(organisations.c.name).where(organisations.c.tenant_id == bindparam("tenant_id"))


class DirectoryRepository:
    """The read models of suppliers and organisations (by ``revision``) and users (by ``updated_at``)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def upsert_supplier(self, supplier: SupplierContact) -> None:
        values = values_of(suppliers.c.keys(), supplier, contacts=list(supplier.contacts))
        newer = upsert(suppliers, tuple(values), key=("supplier_id",), newer="revision", or_equal=True)
        await self._session.execute(newer, values)

    async def supplier(self, supplier_id: UUID, *, tenant_id: UUID) -> SupplierContact | None:
        row = await driver_first(self._session, _SUPPLIER, {"supplier_id": supplier_id, "tenant_id": tenant_id})
        if row is None:
            return None
        return made_of(SupplierContact, row, contacts=tuple(row.contacts))

    async def upsert_user(self, user: PortalUser) -> None:
        values = values_of(users.c.keys(), user)
        newer = upsert(users, tuple(values), key=("user_id",), newer="updated_at", or_equal=True)
        await self._session.execute(newer, values)

    async def user(self, user_id: UUID) -> PortalUser | None:
        row = (await self._session.execute(_USER, {"user_id": user_id})).first()
        return None if row is None else PortalUser(**row._asdict())

    async def buyer_admins(self, tenant_id: UUID) -> list[PortalUser]:
        """The organisation's buyer admins, switched off or not (the rules choose), by address."""
        rows = (await self._session.execute(_BUYER_ADMINS, {"tenant_id": tenant_id})).all()
        return [PortalUser(**row._asdict()) for row in rows]

    async def upsert_organisation(self, organisation: BuyerOrganisation) -> None:
        values = {"tenant_id": organisation.tenant_id, "name": organisation.name, "revision": organisation.revision}
        newer = upsert(organisations, tuple(values), key=("tenant_id",), newer="revision", or_equal=True)
        await self._session.execute(newer, values)

    async def organisation_name(self, tenant_id: UUID) -> str | None:
        return (await self._session.execute(_ORGANISATION_NAME, {"tenant_id": tenant_id})).scalar_one_or_none()
