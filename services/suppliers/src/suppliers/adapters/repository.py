"""Loads and saves ``Supplier`` aggregates, always scoped to the caller."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import Row, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal
from shared.contracts.suppliers import SupplierContact
from shared.pagination import keyset_after
from suppliers.adapters.tables import suppliers
from suppliers.domain.errors import SupplierNotFound
from suppliers.domain.model import Supplier


def _to_domain(row: Row) -> Supplier:  # type: ignore[type-arg]
    return Supplier(
        id=row.id,
        tenant_id=row.tenant_id,
        name=row.name,
        email=row.email,
        phone=row.phone,
        currency=row.currency,
        tolerance_rate=row.tolerance_rate,
        contacts=[SupplierContact.model_validate(c) for c in row.contacts],
        custom_fields=row.custom_fields,
        portal_status=row.portal_status,
        revision=row.revision,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _visible_to(principal: Principal):  # type: ignore[no-untyped-def]
    if principal.is_buyer:
        return suppliers.c.tenant_id == principal.tenant_id
    return suppliers.c.id.in_(list(principal.supplier_ids) or [UUID(int=0)])


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
        return _to_domain(row)

    async def list(self, *, scope: Principal, limit: int, after: tuple[datetime, UUID] | None) -> Sequence[Supplier]:
        query = (
            select(suppliers)
            .where(_visible_to(scope), keyset_after(suppliers.c.created_at, suppliers.c.id, after))
            .order_by(suppliers.c.created_at.desc(), suppliers.c.id.desc())
            .limit(limit)
        )
        return [_to_domain(row) for row in (await self._session.execute(query)).all()]

    async def save(self, supplier: Supplier) -> None:
        values = {
            "id": supplier.id,
            "tenant_id": supplier.tenant_id,
            "name": supplier.name,
            "email": supplier.email,
            "phone": supplier.phone,
            "currency": supplier.currency,
            "tolerance_rate": supplier.tolerance_rate,
            "contacts": [c.model_dump(mode="json") for c in supplier.contacts],
            "custom_fields": supplier.custom_fields,
            "portal_status": supplier.portal_status,
            "revision": supplier.revision,
            "created_at": supplier.created_at,
            "updated_at": supplier.updated_at,
        }
        statement = insert(suppliers).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=[suppliers.c.id],
            set_={k: statement.excluded[k] for k in values if k not in ("id", "tenant_id", "created_at")},
        )
        await self._session.execute(statement)
