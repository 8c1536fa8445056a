"""Buyer organisations (tenants) and their staff: the first admin comes with the organisation,
more users follow. The migration's first organisation, an operator's command and an admin's
API call all go through here, in one unit of work with the outbox: a new organisation publishes
its first settings (``gateway.organisation.v1``), a new user itself (``gateway.user.v1``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

from gateway.adapters.passwords import hash_password
from gateway.domain.errors import EmailTaken, OrganisationNotFound
from gateway.domain.model import Organisation, User, clean_name, ensure_buyer_role, ensure_strong_password
from gateway.service.unit_of_work import UnitOfWork

ADMIN_NAME = "Administrator"
# The organisations announced at a start (the oldest first): far more than one portal holds.
ANNOUNCED_AT_MOST = 100_000


def _now() -> datetime:
    return datetime.now(UTC)


async def create_organisation(
    uow: UnitOfWork, *, name: str, admin_email: str, admin_password: str, admin_name: str = ADMIN_NAME
) -> tuple[Organisation, User]:
    """A new buyer organisation and its first admin, or EmailTaken when the email has an account."""
    ensure_strong_password(admin_password)
    admin_name = clean_name(admin_name, "user's name")
    password_hash = await hash_password(admin_password)
    async with uow:
        if await uow.identities.email_taken(admin_email):
            raise EmailTaken(admin_email)
        found = await _found(uow, name, admin_email, admin_name, password_hash)
        await uow.commit()
    return found


async def bootstrap_admin(uow: UnitOfWork, *, email: str, password: str, organisation_name: str) -> tuple[User, bool]:
    """The migration's first organisation and admin, unless that admin exists already."""
    async with uow:
        existing = await uow.identities.user_by_email(email)
        if existing is not None:
            return existing, False
        _, user = await _found(uow, organisation_name, email, ADMIN_NAME, await hash_password(password))
        await uow.commit()
    return user, True


async def announce_organisations(uow: UnitOfWork) -> int:
    """Every organisation's settings published again as they stand; how many.

    Run at each start: the other services name the buyer from their read models of these
    events, and a read model may lack an organisation whose events the broker no longer has
    (the embedded broker keeps nothing over a restart; a service or read model added later
    starts empty). Without it, what they render for that buyer has no name to show. Consumers
    that hold the same revision already keep what they have.
    """
    now = _now()
    async with uow:
        found = await uow.identities.list_organisations(ANNOUNCED_AT_MOST)
        for organisation in found:
            organisation.announce(now)
            await uow.save_organisation(organisation)
        await uow.commit()
    return len(found)


async def add_buyer_user(uow: UnitOfWork, tenant_id: UUID, *, email: str, name: str, password: str, role: str) -> User:
    """A buyer admin or buyer user of the organisation; EmailTaken when the email has an account."""
    buyer_role = ensure_buyer_role(role)
    name = clean_name(name, "user's name")
    ensure_strong_password(password)
    password_hash = await hash_password(password)
    async with uow:
        if await uow.identities.organisation(tenant_id) is None:
            raise OrganisationNotFound()
        if await uow.identities.email_taken(email):
            raise EmailTaken(email)
        user = User.register(
            email=email, name=name, role=buyer_role, password_hash=password_hash, tenant_id=tenant_id, now=_now()
        )
        await uow.save_user(user)
        await uow.commit()
    return user


async def list_organisations(uow: UnitOfWork, limit: int = 1000) -> Sequence[Organisation]:
    async with uow:
        return await uow.identities.list_organisations(limit)


async def _found(
    uow: UnitOfWork, name: str, admin_email: str, admin_name: str, password_hash: str
) -> tuple[Organisation, User]:
    now = _now()
    organisation = Organisation.found(name, now)
    await uow.identities.add_organisation(organisation, now)
    await uow.save_organisation(organisation)
    admin = User.register(
        email=admin_email,
        name=admin_name,
        role="buyer_admin",
        password_hash=password_hash,
        tenant_id=organisation.id,
        now=now,
    )
    await uow.save_user(admin)
    return organisation, admin
