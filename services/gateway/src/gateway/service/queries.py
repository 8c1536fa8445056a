"""Use cases of the gateway that only read: who the caller is, the organisation's buyer users and
its settings."""

from __future__ import annotations

from gateway.domain.model import Organisation, SupplierOrganisation, User, in_display_order
from gateway.service.unit_of_work import UnitOfWork
from shared.auth import Principal
from shared.errors import NotFound


async def caller_identity(uow: UnitOfWork, caller: Principal) -> tuple[User, list[SupplierOrganisation]]:
    """The caller's user and, for a supplier user, the buyer organisation of each supplier record
    its token covers (a narrowed token: one), in display order; a buyer's list is empty."""
    async with uow:
        user = await uow.identities.user(caller.user_id)
        if user is None:
            raise NotFound("user not found")
        if not caller.is_supplier:
            return user, []
        return user, in_display_order(await uow.identities.supplier_organisations(caller.supplier_ids))


async def list_buyer_users(uow: UnitOfWork, caller: Principal, limit: int) -> list[User]:
    tenant_id = caller.require_admin()
    async with uow:
        return list(await uow.identities.users_of(tenant_id, limit))


async def get_settings(uow: UnitOfWork, caller: Principal) -> Organisation:
    tenant_id = caller.require_buyer()
    async with uow:
        organisation = await uow.identities.organisation(tenant_id)
        if organisation is None:
            raise NotFound("organisation not found")
        return organisation
