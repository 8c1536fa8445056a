"""Use cases of the gateway that change state: sign-in, switching supplier records, buyer users,
organisation settings and accepting an invitation."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from gateway.adapters.passwords import hash_password
from gateway.domain.errors import (
    EmailTaken,
    ExistingAccountPasswordWrong,
    InvalidCredentials,
    InvitationNotFound,
    NotASupplierAccount,
)
from gateway.domain.model import (
    Organisation,
    User,
    ensure_strong_password,
    token_digest,
)
from gateway.service import login_throttle, organisations
from gateway.service.login_throttle import LoginLimits
from gateway.service.unit_of_work import UnitOfWork
from shared.auth import Principal, Role
from shared.errors import Forbidden, NotFound, Unauthorized


def _now() -> datetime:
    return datetime.now(UTC)


async def sign_in(
    uow: UnitOfWork, email: str, password: str, *, client_ip: str | None, limits: LoginLimits
) -> Principal:
    """The caller's principal. The attempt is counted before the password is hashed: a blocked
    account, address or pair gets TooManyLoginAttempts and no hash; a right password takes its
    attempt back."""
    async with uow:
        user = await uow.identities.user_by_email(email)
    attempt = await login_throttle.check_password(
        uow, limits, email, client_ip, user.password_hash if user else None, password
    )
    if user is None or attempt is None or not user.active:
        raise InvalidCredentials()
    async with uow:
        principal = user.principal(await uow.identities.supplier_access(user.supplier_ids))
        await login_throttle.succeeded(uow, limits, attempt)
        await uow.commit()
    return principal


async def switch_supplier(uow: UnitOfWork, caller: Principal, supplier_id: UUID) -> Principal:
    """The caller's principal for one of its supplier records alone: every service then answers
    with that buyer organisation's documents only. The links are read again, as at sign-in, so
    any token of the user (a narrowed one too) switches to any record still linked and active."""
    if not caller.is_supplier:
        raise Forbidden("only a supplier user switches between supplier records")
    async with uow:
        user = await uow.identities.user(caller.user_id)
        if user is None or not user.active:
            raise Unauthorized("the account is disabled or no longer exists")
        return user.principal_for_supplier(supplier_id, await uow.identities.supplier_access(user.supplier_ids))


async def create_buyer_user(
    uow: UnitOfWork, caller: Principal, *, email: str, name: str, password: str, role: Role
) -> User:
    tenant_id = caller.require_admin()
    return await organisations.add_buyer_user(uow, tenant_id, email=email, name=name, password=password, role=role)


async def change_settings(uow: UnitOfWork, caller: Principal, changes: dict[str, object]) -> Organisation:
    tenant_id = caller.require_admin()
    async with uow:
        organisation = await uow.identities.organisation(tenant_id, for_update=True)
        if organisation is None:
            raise NotFound("organisation not found")
        organisation.change(changes, _now())
        await uow.save_organisation(organisation)
        await uow.commit()
    return organisation


async def accept_invitation(
    uow: UnitOfWork,
    token: str,
    *,
    password: str,
    name: str | None,
    client_ip: str | None,
    limits: LoginLimits,
) -> Principal:
    """Create the supplier user, or link the invitation to the account its email already has
    (a supplier company invited by a second buyer keeps one account for both).

    The link proves only that one reads the mailbox: linking an existing account also takes
    that account's password, checked and counted as a sign-in is (``limits``). A wrong one
    changes nothing and leaves the invitation open; nothing here resets a password.
    """
    ensure_strong_password(password)
    try:
        return await _accept(uow, token, password, name, client_ip, limits)
    except EmailTaken:
        # Another invitation to the same email created the account meanwhile: link to it.
        return await _accept(uow, token, password, name, client_ip, limits)


async def _accept(
    uow: UnitOfWork,
    token: str,
    password: str,
    name: str | None,
    client_ip: str | None,
    limits: LoginLimits,
) -> Principal:
    now = _now()
    async with uow:
        invitation = await uow.identities.invitation_by_digest(token_digest(token))
        if invitation is None or not invitation.usable(now):
            raise InvitationNotFound()
        existing = await uow.identities.user_by_email(invitation.email)
    # The existing account's password is checked (and counted) before the invitation is taken,
    # outside that transaction: the count stays whatever becomes of it.
    attempt = await _prove_ownership(uow, existing, password, client_ip, limits) if existing else None
    async with uow:
        invitation = await uow.identities.invitation_by_digest(token_digest(token))
        if invitation is None or not invitation.usable(now):
            raise InvitationNotFound()
        user = await uow.identities.user_by_email(invitation.email, for_update=True)
        if user is None:
            invitee = invitation.invited_by.invitee_name if invitation.invited_by else None
            user = User.register(
                email=invitation.email,
                name=name or invitee or invitation.supplier_name,
                role="supplier",
                password_hash=await hash_password(password),
                supplier_ids=invitation.supplier_ids,
                now=now,
            )
        elif attempt is None or existing is None or user.id != existing.id:
            # The account appeared meanwhile (another invitation to the same email): prove it.
            raise EmailTaken(user.email)
        else:
            for supplier_id in sorted(invitation.supplier_ids):
                user.link_supplier(supplier_id, now)
            await login_throttle.succeeded(uow, limits, attempt)
        invitation.accept(user.id, now)
        await uow.identities.mark_accepted(invitation)
        await uow.save_user(user, tenant_id=invitation.tenant_id)
        await uow.commit()
        return user.principal(await uow.identities.supplier_access(user.supplier_ids))


async def _prove_ownership(
    uow: UnitOfWork, user: User, password: str, client_ip: str | None, limits: LoginLimits
) -> login_throttle.Attempt:
    """The existing account's password, counted before it is hashed under the sign-in limits of
    that account and address."""
    attempt = await login_throttle.check_password(uow, limits, user.email, client_ip, user.password_hash, password)
    if attempt is None or not user.active:
        raise ExistingAccountPasswordWrong()
    if user.role != "supplier":
        async with uow:  # the password was right: no failure
            await login_throttle.succeeded(uow, limits, attempt)
            await uow.commit()
        raise NotASupplierAccount()
    return attempt
