"""A supplier's colleagues, and invitations that a buyer sends again or that stop counting.

A supplier user invites colleagues to the supplier records its session covers; each colleague
gets an account of their own, linked to the same records. Invitations are single-use links: a
fresh one, a change of the supplier's email or the end of its portal access voids the pending
ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from gateway.adapters.accounts import PendingInvitation
from gateway.domain.errors import EmailTaken, SupplierPortalNotActive
from gateway.domain.model import Colleague, Invitation, User, clean_name, normalise_email
from gateway.service.unit_of_work import UnitOfWork
from shared.auth import Principal
from shared.errors import Forbidden, NotFound
from shared.sealed_links import LinkSealer

MAX_COLLEAGUES = 500


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class InvitationSettings:
    links: LinkSealer
    ttl: timedelta


def ensure_supplier_user(caller: Principal) -> None:
    if not caller.is_supplier or not caller.supplier_ids:
        raise Forbidden("only a supplier's users manage their colleagues")


async def colleagues(uow: UnitOfWork, caller: Principal) -> tuple[list[User], list[PendingInvitation]]:
    """The accounts linked to the caller's supplier records, and the colleagues invited who have
    not accepted yet."""
    ensure_supplier_user(caller)
    async with uow:
        ids = await uow.accounts.colleague_ids(caller.supplier_ids, MAX_COLLEAGUES)
        users = [user for user in [await uow.identities.user(i) for i in ids] if user is not None]
        pending = await uow.accounts.pending_colleague_invitations(caller.supplier_ids, _now())
    return users, pending


async def invite_colleague(
    uow: UnitOfWork, caller: Principal, *, email: str, name: str, settings: InvitationSettings
) -> Invitation:
    """One invitation to every supplier record of the caller's session; accepting it makes (or,
    for an address with a supplier account, links) an account of the colleague's own."""
    ensure_supplier_user(caller)
    invitee_name = clean_name(name, "colleague's name")
    address = normalise_email(email)
    now = _now()
    async with uow:
        inviter = await uow.identities.user(caller.user_id)
        if inviter is None:
            raise NotFound("user not found")
        existing = await uow.identities.user_by_email(address)
        if existing is not None and caller.supplier_ids <= existing.supplier_ids:
            raise EmailTaken(address)
        records = sorted(caller.supplier_ids)
        first = await uow.identities.supplier(records[0])
        if first is None:
            raise NotFound("supplier not found")
        invitation = Invitation.issue(
            tenant_id=first.tenant_id,
            supplier_id=first.id,
            supplier_name=first.name,
            email=address,
            links=settings.links,
            now=now,
            ttl=settings.ttl,
            invited_by=Colleague(inviter.id, inviter.name, invitee_name),
            extra_supplier_ids=frozenset(records[1:]),
        )
        await uow.identities.add_invitation(invitation)
        uow.publish(invitation)
        await uow.commit()
    return invitation


async def reinvite_supplier(
    uow: UnitOfWork, caller: Principal, supplier_id: UUID, settings: InvitationSettings
) -> Invitation:
    """A buyer sends the supplier's contact a fresh invitation; the earlier ones stop working."""
    tenant_id = caller.require_buyer()
    now = _now()
    async with uow:
        supplier = await uow.identities.supplier(supplier_id)
        if supplier is None or supplier.tenant_id != tenant_id:
            raise NotFound("supplier not found")
        if supplier.portal_status != "active":
            raise SupplierPortalNotActive()
        await uow.accounts.void_invitations(supplier_id, now, buyers_only=True)
        invitation = Invitation.issue(
            tenant_id=tenant_id,
            supplier_id=supplier_id,
            supplier_name=supplier.name,
            email=supplier.email,
            links=settings.links,
            now=now,
            ttl=settings.ttl,
        )
        await uow.identities.add_invitation(invitation)
        uow.publish(invitation)
        await uow.commit()
    return invitation
