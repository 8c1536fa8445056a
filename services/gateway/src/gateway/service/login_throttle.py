"""Applies the login limits inside the sign-in's unit of work: check first, count failures, reset on success."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from gateway.domain.errors import TooManyLoginAttempts
from gateway.domain.model import normalise_email
from gateway.domain.throttling import LoginLimit
from gateway.service.unit_of_work import UnitOfWork

ACCOUNT = "account"
IP = "ip"


@dataclass(frozen=True)
class LoginLimits:
    per_account: LoginLimit
    per_ip: LoginLimit

    @classmethod
    def of(cls, *, per_account: int, per_ip: int, window_s: int) -> LoginLimits:
        window = timedelta(seconds=window_s)
        return cls(LoginLimit(per_account, window), LoginLimit(per_ip, window))

    def scopes(self, email: str, client_ip: str | None) -> list[tuple[str, str, LoginLimit]]:
        found = [(ACCOUNT, normalise_email(email)[:320], self.per_account)]
        if client_ip:  # an in-process test client may have no address; the account limit still holds
            found.append((IP, client_ip[:320], self.per_ip))
        return found


async def ensure_allowed(
    uow: UnitOfWork, limits: LoginLimits, email: str, client_ip: str | None, now: datetime
) -> None:
    """TooManyLoginAttempts (with the longest wait) when the account or the address is blocked."""
    waits = []
    for scope, key, limit in limits.scopes(email, client_ip):
        failures = await uow.login_attempts.failures(scope, key, since=limit.since(now), limit=limit.max_failures)
        wait = limit.retry_after(failures, now)
        if wait is not None:
            waits.append(wait)
    if waits:
        raise TooManyLoginAttempts(max(waits))


async def record_failure(
    uow: UnitOfWork, limits: LoginLimits, email: str, client_ip: str | None, now: datetime
) -> None:
    for scope, key, limit in limits.scopes(email, client_ip):
        await uow.login_attempts.record_failure(scope, key, at=now, since=limit.since(now))


async def record_success(uow: UnitOfWork, limits: LoginLimits, email: str) -> None:
    """A correct password clears the account's failures; the address keeps its count."""
    [(scope, key, _), *_] = limits.scopes(email, None)
    await uow.login_attempts.clear(scope, key)
