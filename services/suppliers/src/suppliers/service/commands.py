"""Use cases of the buyer's supplier record that change it: load, decide in the domain, save with
the outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from shared.auth import Principal
from shared.contracts.suppliers import Actor, SupplierContact
from suppliers.domain.model import Supplier
from suppliers.domain.read_models import ensure_may_activate_portals
from suppliers.service.unit_of_work import UnitOfWork
from suppliers.service.views import SupplierView

UowFactory = Callable[[], UnitOfWork]


def _now() -> datetime:
    return datetime.now(UTC)


def actor_of(caller: Principal) -> Actor:
    """The caller as the supplier's events name who acted."""
    return Actor(user_id=caller.user_id, role=caller.role)


async def register_supplier(
    uow: UnitOfWork,
    caller: Principal,
    *,
    name: str,
    email: str,
    currency: str,
    tolerance_rate: Decimal | None,
    tolerance_amount: Decimal | None,
    phone: str | None,
    contacts: list[SupplierContact],
    custom_fields: dict[str, Any],
    payment_terms_days: int | None = None,
    legal_name: str | None = None,
    address: str | None = None,
    tax_id: str | None = None,
) -> SupplierView:
    tenant_id = caller.require_buyer()
    async with uow:
        catalog = await uow.custom_fields.catalog(tenant_id)
        supplier = Supplier.register(
            tenant_id=tenant_id,
            name=name,
            email=email,
            currency=currency,
            tolerance_rate=tolerance_rate,
            tolerance_amount=tolerance_amount,
            phone=phone,
            contacts=contacts,
            custom_fields=custom_fields,
            payment_terms_days=payment_terms_days,
            legal_name=legal_name,
            address=address,
            tax_id=tax_id,
            catalog=catalog,
            now=_now(),
            by=actor_of(caller),
        )
        await uow.save(supplier)
        await uow.commit()
    return SupplierView.of(supplier, catalog)


async def _change(
    uow: UnitOfWork, caller: Principal, supplier_id: UUID, decide: Callable[[Supplier, Any], None]
) -> SupplierView:
    """Load the supplier locked, let the buyer's decision apply, save it with its events."""
    async with uow:
        supplier = await uow.suppliers.get(supplier_id, scope=caller, for_update=True)
        caller.require_buyer()
        catalog = await uow.custom_fields.catalog(supplier.tenant_id)
        decide(supplier, catalog)
        await uow.save(supplier)
        await uow.commit()
    return SupplierView.of(supplier, catalog)


async def update_supplier(
    uow: UnitOfWork, caller: Principal, supplier_id: UUID, changes: dict[str, Any]
) -> SupplierView:
    """The buyer's edit; a buyer user's changes of the admin's terms are refused (403)."""
    by = actor_of(caller)
    return await _change(uow, caller, supplier_id, lambda s, catalog: s.update(changes, _now(), catalog, by=by))


async def activate_portal(uow: UnitOfWork, caller: Principal, supplier_id: UUID) -> SupplierView:
    """Switch the supplier's portal on, but not while its buyer has the supplier portal off."""
    async with uow:
        supplier = await uow.suppliers.get(supplier_id, scope=caller, for_update=True)
        caller.require_buyer()
        ensure_may_activate_portals(await uow.organisations.settings_of(supplier.tenant_id))
        catalog = await uow.custom_fields.catalog(supplier.tenant_id)
        supplier.activate_portal(_now(), catalog, by=actor_of(caller))
        await uow.save(supplier)
        await uow.commit()
    return SupplierView.of(supplier, catalog)


async def deactivate_portal(uow: UnitOfWork, caller: Principal, supplier_id: UUID) -> SupplierView:
    by = actor_of(caller)
    return await _change(uow, caller, supplier_id, lambda s, catalog: s.deactivate_portal(_now(), catalog, by=by))
