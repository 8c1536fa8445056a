"""Use cases of the gateway: sign-in, users, invitations, organisation settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from gateway.adapters.passwords import hash_password, verify_password
from gateway.domain.errors import EmailTaken, InvalidCredentials, InvitationNotFound, WeakPassword
from gateway.domain.model import MIN_PASSWORD_LENGTH, Invitation, Organisation, User, token_digest
from gateway.service import login_throttle
from gateway.service.login_throttle import LoginLimits
from gateway.service.unit_of_work import UnitOfWork
from shared.auth import Principal, Role
from shared.contracts.suppliers import SupplierPortalActivated, SupplierSnapshot
from shared.errors import NotFound


def _now() -> datetime:
    return datetime.now(UTC)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            f"the password needs at least {MIN_PASSWORD_LENGTH} characters",
            errors=[{"field": "password", "message": f"at least {MIN_PASSWORD_LENGTH} characters"}],
        )


async def sign_in(
    uow: UnitOfWork,
    email: str,
    password: str,
    *,
    client_ip: str | None = None,
    limits: LoginLimits | None = None,
) -> Principal:
    """The caller's principal; with ``limits``, failed sign-ins are counted and a blocked
    account or address gets TooManyLoginAttempts before its password is even checked."""
    now = _now()
    async with uow:
        if limits is not None:
            await login_throttle.ensure_allowed(uow, limits, email, client_ip, now)
        user = await uow.identities.user_by_email(email)
        ok = await verify_password(user.password_hash if user else None, password)
        if user is None or not ok or not user.active:
            if limits is not None:
                await login_throttle.record_failure(uow, limits, email, client_ip, now)
                await uow.commit()  # the failure counts even though the request fails
            raise InvalidCredentials()
        principal = user.principal(await uow.identities.active_suppliers(user.supplier_ids))
        if limits is not None:
            await login_throttle.record_success(uow, limits, email)
            await uow.commit()
        return principal


async def current_user(uow: UnitOfWork, caller: Principal) -> User:
    async with uow:
        user = await uow.identities.user(caller.user_id)
        if user is None:
            raise NotFound("user not found")
        return user


async def create_buyer_user(
    uow: UnitOfWork, caller: Principal, *, email: str, name: str, password: str, role: Role
) -> User:
    tenant_id = caller.require_admin()
    _check_password(password)
    password_hash = await hash_password(password)
    async with uow:
        # A token of an organisation that does not exist here is answered like any unknown document.
        if await uow.identities.organisation(tenant_id) is None:
            raise NotFound("organisation not found")
        if await uow.identities.email_taken(email):
            raise EmailTaken(email)
        user = User.register(
            email=email, name=name, role=role, password_hash=password_hash, tenant_id=tenant_id, now=_now()
        )
        await uow.save_user(user)
        await uow.commit()
    return user


async def list_buyer_users(uow: UnitOfWork, caller: Principal, limit: int) -> list[User]:
    tenant_id = caller.require_admin()
    async with uow:
        return list(await uow.identities.users_of(tenant_id, limit))


async def bootstrap_admin(uow: UnitOfWork, *, email: str, password: str, organisation_name: str) -> tuple[User, bool]:
    """Create the first buyer organisation and its admin unless the admin exists already."""
    async with uow:
        existing = await uow.identities.user_by_email(email)
        if existing is not None:
            await _publish_unpublished_organisation(uow, existing.tenant_id)
            return existing, False
        now = _now()
        organisation = Organisation(id=uuid4(), name=organisation_name)
        await uow.identities.add_organisation(organisation, now)
        organisation.change({}, now)  # publishes the first state: name and default settings
        await uow.save_organisation(organisation)
        user = User.register(
            email=email,
            name="Administrator",
            role="buyer_admin",
            password_hash=await hash_password(password),
            tenant_id=organisation.id,
            now=now,
        )
        await uow.save_user(user)
        await uow.commit()
    return user, True


async def _publish_unpublished_organisation(uow: UnitOfWork, tenant_id: UUID | None) -> None:
    """Organisations created before their settings were published get their first event now."""
    organisation = await uow.identities.organisation(tenant_id, for_update=True) if tenant_id else None
    if organisation is not None and organisation.revision == 0:
        organisation.change({}, _now())
        await uow.save_organisation(organisation)
        await uow.commit()


async def get_settings(uow: UnitOfWork, caller: Principal) -> Organisation:
    tenant_id = caller.require_buyer()
    async with uow:
        organisation = await uow.identities.organisation(tenant_id)
        if organisation is None:
            raise NotFound("organisation not found")
        return organisation


async def change_settings(uow: UnitOfWork, caller: Principal, changes: dict[str, bool]) -> Organisation:
    tenant_id = caller.require_admin()
    async with uow:
        organisation = await uow.identities.organisation(tenant_id, for_update=True)
        if organisation is None:
            raise NotFound("organisation not found")
        organisation.change(changes, _now())
        await uow.save_organisation(organisation)
        await uow.commit()
    return organisation


async def on_supplier_changed(
    uow: UnitOfWork, consumer: str, event_id: UUID, snapshot: SupplierSnapshot, *, public_url: str, ttl: timedelta
) -> None:
    """Keep the supplier read model; the first portal activation invites the supplier's contact."""
    async with uow:
        if not await uow.inbox.first_time(consumer, event_id):
            return
        newer = await uow.identities.upsert_supplier(snapshot)
        if newer and isinstance(snapshot, SupplierPortalActivated) and snapshot.first_activation:
            invitation = Invitation.issue(
                tenant_id=snapshot.tenant_id,
                supplier_id=snapshot.supplier_id,
                supplier_name=snapshot.name,
                email=snapshot.email,
                public_url=public_url,
                now=_now(),
                ttl=ttl,
            )
            await uow.identities.add_invitation(invitation)
            uow.publish(invitation)
        await uow.commit()


async def accept_invitation(uow: UnitOfWork, token: str, *, password: str, name: str | None) -> Principal:
    """Create the supplier user (or link an existing one, who must prove it with its password)."""
    _check_password(password)
    now = _now()
    async with uow:
        invitation = await uow.identities.invitation_by_digest(token_digest(token))
        if invitation is None or not invitation.usable(now):
            raise InvitationNotFound()
        user = await uow.identities.user_by_email(invitation.email, for_update=True)
        if user is None:
            user = User.register(
                email=invitation.email,
                name=name or invitation.supplier_name,
                role="supplier",
                password_hash=await hash_password(password),
                supplier_ids={invitation.supplier_id},
                now=now,
            )
        else:
            if user.role != "supplier" or not await verify_password(user.password_hash, password):
                raise InvalidCredentials()
            user.link_supplier(invitation.supplier_id, now)
        invitation.accept(user.id, now)
        await uow.identities.mark_accepted(invitation)
        await uow.save_user(user, tenant_id=invitation.tenant_id)
        await uow.commit()
        return user.principal(await uow.identities.active_suppliers(user.supplier_ids))
