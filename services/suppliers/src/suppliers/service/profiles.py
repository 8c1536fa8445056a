"""Use cases of the supplier's own portal profile (supplier users only, scoped to their suppliers)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from shared.auth import Principal
from suppliers.domain.errors import PortalProfileNotFound, SupplierNotFound
from suppliers.service.commands import actor_of
from suppliers.service.unit_of_work import UnitOfWork
from suppliers.service.views import SupplierView, with_shown_fields

MAX_PROFILES = 200


def _require_supplier_user(caller: Principal) -> None:
    # The portal is the supplier's side: a buyer (who has no supplier links) finds nothing here.
    if not caller.is_supplier:
        raise PortalProfileNotFound()


async def list_profiles(uow: UnitOfWork, caller: Principal) -> list[SupplierView]:
    """The caller's profiles: one per linked supplier whose portal has been activated."""
    if not caller.is_supplier:
        return []
    async with uow:
        found = await uow.suppliers.list(scope=caller, limit=MAX_PROFILES, after=None)
        return await with_shown_fields(uow, [s for s in found if s.profile is not None])


async def get_profile(uow: UnitOfWork, caller: Principal, supplier_id: UUID) -> SupplierView:
    _require_supplier_user(caller)
    async with uow:
        try:
            supplier = await uow.suppliers.get(supplier_id, scope=caller)
        except SupplierNotFound:
            raise PortalProfileNotFound() from None
        if supplier.profile is None:  # never activated: there is no profile yet
            raise PortalProfileNotFound()
        [view] = await with_shown_fields(uow, [supplier])
        return view


async def edit_profile(uow: UnitOfWork, caller: Principal, supplier_id: UUID, changes: dict[str, Any]) -> SupplierView:
    _require_supplier_user(caller)
    async with uow:
        try:
            supplier = await uow.suppliers.get(supplier_id, scope=caller, for_update=True)
        except SupplierNotFound:
            raise PortalProfileNotFound() from None
        catalog = await uow.custom_fields.catalog(supplier.tenant_id)
        supplier.edit_profile(changes, datetime.now(UTC), catalog, by=actor_of(caller))
        await uow.save(supplier)
        await uow.commit()
    return SupplierView.of(supplier, catalog)
