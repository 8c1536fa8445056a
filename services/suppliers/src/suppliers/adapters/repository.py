"""Loads and saves ``Supplier`` aggregates (record and portal profile together), always scoped to the caller."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from shared.auth import Principal
from shared.contracts.suppliers import SupplierContact
from shared.db import LIKE_ESCAPE, contains_pattern, upsert
from shared.fields import made_of, values_of
from shared.pagination import keyset_after
from suppliers.adapters.tables import supplier_profiles, suppliers
from suppliers.domain.errors import SupplierNotFound
from suppliers.domain.model import Supplier
from suppliers.domain.sync import PortalProfile


def _profile(row: Row | None) -> PortalProfile | None:
    if row is None:
        return None
    return made_of(PortalProfile, row)


def _to_domain(row: Row, profile: Row | None) -> Supplier:
    return made_of(
        Supplier,
        row,
        contacts=[SupplierContact.model_validate(c) for c in row.contacts],
        profile=_profile(profile),
        waiting_for_portal=frozenset(row.waiting_for_portal),
    )


def _visible_to(principal: Principal) -> ColumnElement[bool]:
    if principal.is_buyer:
        return suppliers.c.tenant_id == principal.tenant_id
    return suppliers.c.id.in_(list(principal.supplier_ids) or [UUID(int=0)])


async def _upsert(session: AsyncSession, table: Any, key: str, values: dict[str, Any], fixed: tuple[str, ...]) -> None:
    await session.execute(upsert(table, tuple(values), key=(key,), keep=fixed), values)


class SupplierRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, supplier_id: UUID, *, scope: Principal, for_update: bool = False) -> Supplier:
        query = select(suppliers).where(suppliers.c.id == supplier_id, _visible_to(scope))
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        if row is None:
            raise SupplierNotFound()
        # The profile is written only under the supplier row's lock, so this read is consistent.
        profiles = await self._profiles([row.id])
        return _to_domain(row, profiles.get(row.id))

    async def list(
        self,
        *,
        scope: Principal,
        limit: int,
        after: tuple[datetime, UUID] | None,
        search: str | None = None,
        portal_status: str | None = None,
    ) -> Sequence[Supplier]:
        """Newest first; ``search``: the name or email holds this text, in any case."""
        query = select(suppliers).where(_visible_to(scope), keyset_after(suppliers.c.created_at, suppliers.c.id, after))
        if search:
            # No index for it (a contains search could only use a trigram index): the caller's
            # scope (ix_suppliers_tenant_created) narrows to one tenant's suppliers first.
            pattern = contains_pattern(search)
            query = query.where(
                or_(
                    suppliers.c.name.ilike(pattern, escape=LIKE_ESCAPE),
                    suppliers.c.email.ilike(pattern, escape=LIKE_ESCAPE),
                )
            )
        if portal_status is not None:
            query = query.where(suppliers.c.portal_status == portal_status)
        query = query.order_by(suppliers.c.created_at.desc(), suppliers.c.id.desc()).limit(limit)
        rows = (await self._session.execute(query)).all()
        profiles = await self._profiles([row.id for row in rows])
        return [_to_domain(row, profiles.get(row.id)) for row in rows]

    async def _profiles(self, supplier_ids: Sequence[UUID]) -> dict[UUID, Row]:
        if not supplier_ids:
            return {}
        query = select(supplier_profiles).where(supplier_profiles.c.supplier_id.in_(supplier_ids))
        return {row.supplier_id: row for row in (await self._session.execute(query)).all()}

    async def save(self, supplier: Supplier) -> None:
        values = values_of(
            suppliers.c.keys(),
            supplier,
            contacts=[c.model_dump(mode="json") for c in supplier.contacts],
            waiting_for_portal=sorted(supplier.waiting_for_portal),
        )
        await _upsert(self._session, suppliers, "id", values, fixed=("id", "tenant_id", "created_at"))
        if (profile := supplier.profile) is not None:
            profile_values = values_of(
                supplier_profiles.c.keys(), profile, supplier_id=supplier.id, custom_fields=dict(profile.custom_fields)
            )
            await _upsert(self._session, supplier_profiles, "supplier_id", profile_values, fixed=("supplier_id",))
