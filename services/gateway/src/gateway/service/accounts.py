"""Use cases of accounts that change and end: sign-out, switching users off and on, password
change and reset, a new login email, and the standing of a token on every request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from gateway.adapters.passwords import hash_password
from gateway.domain.accounts import EMAIL_CHANGE, PASSWORD_RESET, AccountLink, ensure_may_disable
from gateway.domain.errors import (
    AccountLinkNotFound,
    EmailTaken,
    TooManyLoginAttempts,
    UserNotFound,
    WrongPassword,
)
from gateway.domain.model import User, ensure_strong_password, normalise_email, token_digest
from gateway.domain.throttling import LoginLimit
from gateway.service import login_throttle
from gateway.service.login_throttle import LoginLimits
from gateway.service.unit_of_work import UnitOfWork
from shared.auth import Principal
from shared.errors import Unauthorized
from shared.sealed_links import LinkSealer

# Scopes of the reset requests counted per account and per client address (login_attempts).
RESET_ACCOUNT = "reset"
RESET_IP = "reset-ip"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class LinkSettings:
    """Where links point and how long they live; how often a reset may be asked for."""

    links: LinkSealer
    password_reset_ttl: timedelta
    email_change_ttl: timedelta
    resets_per_account: LoginLimit
    resets_per_ip: LoginLimit


class TokenEnded(Unauthorized):
    """The token was signed out, its user switched off or its password changed since."""


async def restated(uow: UnitOfWork, caller: Principal) -> Principal:
    """The caller as the gateway knows it now: ``TokenEnded`` for a token signed out, of a user
    switched off or gone, or of an earlier password; a supplier user's records narrowed to those
    whose portal is still active, marked restricted where their buyer switched the portal off."""
    async with uow:
        standing = await uow.accounts.standing(caller.user_id, caller.token_id)
        if standing is None or not standing.active:
            raise TokenEnded("the account is switched off or no longer exists")
        if standing.revoked:
            raise TokenEnded("this token was signed out")
        if caller.generation < standing.token_generation:
            raise TokenEnded("the password changed since this token was issued; sign in again")
        if not caller.is_supplier:
            return caller
        access = await uow.identities.supplier_access(caller.supplier_ids)
    # A record whose portal the buyer deactivated leaves the token (with none left, the user
    # sees nothing, as a user signing in then would).
    supplier_ids = caller.supplier_ids & access.active
    restricted = supplier_ids & access.restricted
    if supplier_ids == caller.supplier_ids and restricted == caller.restricted_supplier_ids:
        return caller
    return caller.model_copy(update={"supplier_ids": supplier_ids, "restricted_supplier_ids": restricted})


async def sign_out(uow: UnitOfWork, caller: Principal, expires_at: datetime) -> None:
    async with uow:
        await uow.accounts.revoke(caller.token_id, caller.user_id, expires_at, _now())
        uow.standing_changes()
        await uow.commit()


async def set_active(uow: UnitOfWork, caller: Principal, user_id: UUID, *, active: bool) -> User:
    """Switch a user off (every token answers 401 from the next request on) or on again."""
    async with uow:
        user = await uow.identities.user(user_id, for_update=True)
        if user is None:
            raise UserNotFound()
        ensure_may_disable(caller, user)
        if active:
            user.enable(_now())
        else:
            user.disable(_now())
        await uow.save_user(user)
        await uow.commit()
    return user


async def change_password(
    uow: UnitOfWork,
    caller: Principal,
    current_password: str,
    new_password: str,
    *,
    client_ip: str | None,
    limits: LoginLimits,
) -> Principal:
    """Knowing the current password (checked and counted as a sign-in is), set a new one. Every
    other token of the account stops working; the principal of a fresh token is returned."""
    ensure_strong_password(new_password)
    now = _now()
    async with uow:
        user = await uow.identities.user(caller.user_id)
    if user is None or not user.active:
        raise TokenEnded("the account is switched off or no longer exists")
    attempt = await login_throttle.check_password(
        uow, limits, user.email, client_ip, user.password_hash, current_password
    )
    if attempt is None:
        raise WrongPassword()
    new_hash = await hash_password(new_password)
    async with uow:
        user = await uow.identities.user(caller.user_id, for_update=True)
        if user is None or not user.active:
            raise TokenEnded("the account is switched off or no longer exists")
        user.change_password(new_hash, now)
        await uow.save_user(user)
        await login_throttle.succeeded(uow, limits, attempt)
        await uow.commit()
    return caller.model_copy(update={"generation": user.token_generation, "token_id": ""})


async def request_password_reset(uow: UnitOfWork, email: str, *, client_ip: str | None, links: LinkSettings) -> None:
    """Email a reset link to an active account with this address. The caller learns nothing:
    the answer is the same for an unknown address and for an account asked for too often (its
    requests beyond the limit send nothing); only an address asking too often is refused."""
    now = _now()
    address = normalise_email(email)[:320]
    per_ip, per_account = links.resets_per_ip, links.resets_per_account
    async with uow:
        if client_ip:
            waited = await uow.login_attempts.failures(
                RESET_IP, client_ip, since=per_ip.since(now), limit=per_ip.counted
            )
            if (wait := per_ip.retry_after(waited, now)) is not None:
                raise TooManyLoginAttempts(wait)
            await uow.login_attempts.record_failure(RESET_IP, client_ip, at=now, since=per_ip.since(now))
        asked = await uow.login_attempts.failures(
            RESET_ACCOUNT, address, since=per_account.since(now), limit=per_account.counted
        )
        if per_account.retry_after(asked, now) is None:
            await uow.login_attempts.record_failure(RESET_ACCOUNT, address, at=now, since=per_account.since(now))
            user = await uow.identities.user_by_email(address)
            if user is not None and user.active:
                link = AccountLink.password_reset(user, links=links.links, now=now, ttl=links.password_reset_ttl)
                await uow.accounts.add_link(link)
                await uow.publish_for(user, link)
        await uow.commit()


async def reset_password(
    uow: UnitOfWork, token: str, password: str, *, client_ip: str | None, limits: LoginLimits
) -> None:
    """Set a new password through a reset link: used once; every token of the account ends. The
    account's failed sign-ins across addresses and from this one are forgiven."""
    ensure_strong_password(password)
    now = _now()
    async with uow:
        link = await uow.accounts.link(token_digest(token), PASSWORD_RESET)
        if link is None or not link.usable(now):
            raise AccountLinkNotFound()
        user = await uow.identities.user(link.user_id, for_update=True)
        if user is None or not user.active:
            raise AccountLinkNotFound()
        user.change_password(await hash_password(password), now)
        link.use(now)
        await uow.accounts.mark_used(link)
        await uow.save_user(user)
        await login_throttle.forgive_account(uow, limits, user.email, client_ip)
        await uow.commit()


async def request_email_change(
    uow: UnitOfWork,
    caller: Principal,
    new_email: str,
    password: str,
    *,
    links: LinkSettings,
    limits: LoginLimits,
    client_ip: str | None,
) -> None:
    """Send a confirmation link to the new address (the password proves it is the account's
    owner asking); the login changes only when the link is opened."""
    now = _now()
    async with uow:
        user = await uow.identities.user(caller.user_id)
    if user is None or not user.active:
        raise TokenEnded("the account is switched off or no longer exists")
    attempt = await login_throttle.check_password(uow, limits, user.email, client_ip, user.password_hash, password)
    if attempt is None:
        raise WrongPassword(field="password")
    async with uow:
        await login_throttle.succeeded(uow, limits, attempt)
        if normalise_email(new_email) == user.email:
            await uow.commit()
            return
        if await uow.identities.email_taken(new_email):
            raise EmailTaken(normalise_email(new_email))
        link = AccountLink.email_change(user, new_email, links=links.links, now=now, ttl=links.email_change_ttl)
        await uow.accounts.add_link(link)
        await uow.publish_for(user, link)
        await uow.commit()


async def confirm_email_change(uow: UnitOfWork, token: str) -> User:
    now = _now()
    async with uow:
        link = await uow.accounts.link(token_digest(token), EMAIL_CHANGE)
        if link is None or not link.usable(now) or link.new_email is None:
            raise AccountLinkNotFound()
        user = await uow.identities.user(link.user_id, for_update=True)
        if user is None or not user.active:
            raise AccountLinkNotFound()
        if await uow.identities.email_taken(link.new_email):
            raise EmailTaken(link.new_email)
        user.change_email(link.new_email, now)
        link.use(now)
        await uow.accounts.mark_used(link)
        await uow.save_user(user)
        await uow.commit()
    return user
