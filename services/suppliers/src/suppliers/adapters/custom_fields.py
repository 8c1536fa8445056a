"""Loads and saves the buyer's custom field definitions, one tenant at a time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import Row, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.fields import made_of
from shared.pagination import keyset_after
from suppliers.adapters.tables import supplier_custom_fields as fields
from suppliers.domain.custom_fields import CustomFieldCatalog, CustomFieldDefinition
from suppliers.domain.errors import CustomFieldExists, CustomFieldNotFound

# The buyer's listing order (newest first, the keyset of its pagination).
_LISTING_ORDER = (fields.c.created_at.desc(), fields.c.id.desc())


def _to_domain(row: Row) -> CustomFieldDefinition:
    return made_of(CustomFieldDefinition, row, choices=tuple(row.choices))


class CustomFieldRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def catalog(self, tenant_id: UUID) -> CustomFieldCatalog:
        # In the order the buyer lists them, which the supplier's portal follows too.
        query = select(fields).where(fields.c.tenant_id == tenant_id).order_by(*_LISTING_ORDER)
        rows = (await self._session.execute(query)).all()
        return CustomFieldCatalog(_to_domain(row) for row in rows)

    async def get(self, tenant_id: UUID, key: str, *, for_update: bool = False) -> CustomFieldDefinition:
        query = select(fields).where(fields.c.tenant_id == tenant_id, fields.c.key == key)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        if row is None:
            raise CustomFieldNotFound(key)
        return _to_domain(row)

    async def list(
        self, tenant_id: UUID, *, limit: int, after: tuple[datetime, UUID] | None
    ) -> Sequence[CustomFieldDefinition]:
        query = (
            select(fields)
            .where(fields.c.tenant_id == tenant_id, keyset_after(fields.c.created_at, fields.c.id, after))
            .order_by(*_LISTING_ORDER)
            .limit(limit)
        )
        return [_to_domain(row) for row in (await self._session.execute(query)).all()]

    async def add(self, definition: CustomFieldDefinition) -> None:
        # ON CONFLICT DO NOTHING: a concurrent definition of the same key is a 409, not a 500.
        statement = (
            insert(fields)
            .values(_values(definition))
            .on_conflict_do_nothing(index_elements=[fields.c.tenant_id, fields.c.key])
            .returning(fields.c.id)
        )
        if (await self._session.execute(statement)).first() is None:
            raise CustomFieldExists(definition.key)

    async def save(self, definition: CustomFieldDefinition) -> None:
        values = _values(definition)
        await self._session.execute(update(fields).where(fields.c.id == definition.id).values(values))


def _values(definition: CustomFieldDefinition) -> dict[str, object]:
    return {
        "id": definition.id,
        "tenant_id": definition.tenant_id,
        "key": definition.key,
        "label": definition.label,
        "type": definition.type,
        "choices": list(definition.choices),
        "required": definition.required,
        "shown_in_portal": definition.shown_in_portal,
        "created_at": definition.created_at,
        "updated_at": definition.updated_at,
    }
