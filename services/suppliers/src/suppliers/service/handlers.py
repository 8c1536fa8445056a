"""Use cases of the suppliers service: load, decide in the domain, save with the outbox."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from shared.auth import Principal
from shared.contracts.suppliers import SupplierContact
from suppliers.domain.model import Supplier
from suppliers.service.unit_of_work import UnitOfWork

UowFactory = Callable[[], UnitOfWork]


def _now() -> datetime:
    return datetime.now(UTC)


async def register_supplier(
    uow: UnitOfWork,
    caller: Principal,
    *,
    name: str,
    email: str,
    currency: str,
    tolerance_rate: Decimal,
    phone: str | None,
    contacts: list[SupplierContact],
    custom_fields: dict[str, Any],
) -> Supplier:
    tenant_id = caller.require_buyer()
    async with uow:
        supplier = Supplier.register(
            tenant_id=tenant_id,
            name=name,
            email=email,
            currency=currency,
            tolerance_rate=tolerance_rate,
            phone=phone,
            contacts=contacts,
            custom_fields=custom_fields,
            now=_now(),
        )
        await uow.save(supplier)
        await uow.commit()
    return supplier


async def update_supplier(uow: UnitOfWork, caller: Principal, supplier_id: UUID, changes: dict[str, Any]) -> Supplier:
    async with uow:
        supplier = await uow.suppliers.get(supplier_id, scope=caller, for_update=True)
        caller.require_buyer()
        supplier.update(changes, _now())
        await uow.save(supplier)
        await uow.commit()
    return supplier


async def activate_portal(uow: UnitOfWork, caller: Principal, supplier_id: UUID) -> Supplier:
    async with uow:
        supplier = await uow.suppliers.get(supplier_id, scope=caller, for_update=True)
        caller.require_buyer()
        supplier.activate_portal(_now())
        await uow.save(supplier)
        await uow.commit()
    return supplier


async def deactivate_portal(uow: UnitOfWork, caller: Principal, supplier_id: UUID) -> Supplier:
    async with uow:
        supplier = await uow.suppliers.get(supplier_id, scope=caller, for_update=True)
        caller.require_buyer()
        supplier.deactivate_portal(_now())
        await uow.save(supplier)
        await uow.commit()
    return supplier


async def get_supplier(uow: UnitOfWork, caller: Principal, supplier_id: UUID) -> Supplier:
    async with uow:
        return await uow.suppliers.get(supplier_id, scope=caller)


async def list_suppliers(
    uow: UnitOfWork, caller: Principal, *, limit: int, after: tuple[datetime, UUID] | None
) -> Sequence[Supplier]:
    async with uow:
        return await uow.suppliers.list(scope=caller, limit=limit, after=after)
