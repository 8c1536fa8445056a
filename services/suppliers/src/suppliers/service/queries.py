"""Use cases of the buyer's supplier records that only read: one record, a page of them."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from shared.auth import Principal
from suppliers.service.unit_of_work import UnitOfWork
from suppliers.service.views import SupplierView, with_shown_fields


async def get_supplier(uow: UnitOfWork, caller: Principal, supplier_id: UUID) -> SupplierView:
    async with uow:
        [view] = await with_shown_fields(uow, [await uow.suppliers.get(supplier_id, scope=caller)])
        return view


async def list_suppliers(
    uow: UnitOfWork,
    caller: Principal,
    *,
    limit: int,
    after: tuple[datetime, UUID] | None,
    search: str | None = None,
    portal_status: str | None = None,
) -> list[SupplierView]:
    async with uow:
        found = await uow.suppliers.list(
            scope=caller, limit=limit, after=after, search=search, portal_status=portal_status
        )
        return await with_shown_fields(uow, found)
