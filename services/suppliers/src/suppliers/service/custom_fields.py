"""Use cases of the buyer's supplier custom field definitions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from shared.auth import Principal
from suppliers.domain.custom_fields import CustomFieldDefinition
from suppliers.service.unit_of_work import UnitOfWork


async def define_field(uow: UnitOfWork, caller: Principal, **definition: Any) -> CustomFieldDefinition:
    tenant_id = caller.require_buyer()
    async with uow:
        field = CustomFieldDefinition.define(tenant_id=tenant_id, now=datetime.now(UTC), **definition)
        await uow.custom_fields.add(field)
        await uow.commit()
    return field


async def change_field(uow: UnitOfWork, caller: Principal, key: str, changes: dict[str, Any]) -> CustomFieldDefinition:
    tenant_id = caller.require_buyer()
    async with uow:
        field = await uow.custom_fields.get(tenant_id, key, for_update=True)
        field = field.changed(changes, datetime.now(UTC))
        await uow.custom_fields.save(field)
        await uow.commit()
    return field


async def list_fields(
    uow: UnitOfWork, caller: Principal, *, limit: int, after: tuple[datetime, UUID] | None
) -> Sequence[CustomFieldDefinition]:
    tenant_id = caller.require_buyer()
    async with uow:
        return await uow.custom_fields.list(tenant_id, limit=limit, after=after)
