"""Applies the login limits to every check of a password: the attempt is counted before the
password is hashed, and taken back when it turns out right.

Three limits, each a ``LoginLimit`` (a growing wait after the free failures):
- an account from one client address (tight): someone guessing from one address does not lock
  the owner out of signing in from another;
- a client address across accounts (password spraying);
- an account across every address (loose: a guesser with many addresses).

Counting first, under a lock on each key, makes a burst of concurrent wrong passwords get no more
hashes than the limits allow: each attempt sees the ones before it, hashed or not yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from gateway.adapters.passwords import PasswordHashingBusy, verify_password
from gateway.domain.errors import TooManyLoginAttempts
from gateway.domain.model import normalise_email
from gateway.domain.throttling import LoginLimit
from gateway.service.unit_of_work import UnitOfWork

ACCOUNT_AND_IP = "account-ip"
IP = "ip"
ACCOUNT = "account"
# An attempt from no known address (an in-process client) is counted as from one address.
UNKNOWN_ADDRESS = "-"


@dataclass(frozen=True)
class LoginLimits:
    per_account_and_ip: LoginLimit
    per_ip: LoginLimit
    per_account: LoginLimit

    @classmethod
    def of(
        cls,
        *,
        per_account_and_ip: int,
        per_ip: int,
        per_account: int,
        window_s: int,
        first_delay_s: float = 2.0,
        max_delay_s: float = 900.0,
    ) -> LoginLimits:
        window = timedelta(seconds=window_s)
        first, cap = timedelta(seconds=first_delay_s), timedelta(seconds=max_delay_s)
        return cls(
            LoginLimit(per_account_and_ip, window, first, cap),
            LoginLimit(per_ip, window, first, cap),
            LoginLimit(per_account, window, first, cap),
        )

    def scopes(self, email: str, client_ip: str | None) -> list[tuple[str, str, LoginLimit]]:
        """The keys an attempt counts under, with their limits (switched-off limits left out)."""
        account = normalise_email(email)[:270]
        address = (client_ip or UNKNOWN_ADDRESS)[:45]
        found = [
            (ACCOUNT_AND_IP, f"{address} {account}", self.per_account_and_ip),
            (IP, address, self.per_ip),
            (ACCOUNT, account, self.per_account),
        ]
        return [(scope, key, limit) for scope, key, limit in found if limit.enabled]


@dataclass(frozen=True)
class Attempt:
    """A password check counted as a failure until it is known to be right."""

    email: str
    client_ip: str | None
    rows: list[int]


async def start_attempt(uow: UnitOfWork, limits: LoginLimits, email: str, client_ip: str | None) -> Attempt:
    """Count one attempt, committed before any hash: TooManyLoginAttempts (with the longest wait)
    when one of its keys must wait, and then nothing is counted."""
    scopes = limits.scopes(email, client_ip)
    async with uow:
        await uow.login_attempts.lock([(scope, key) for scope, key, _ in scopes])
        # The clock is read once the keys are held: attempts are counted in the order they are
        # recorded, each seeing every earlier one.
        now = datetime.now(UTC)
        waits = []
        for scope, key, limit in scopes:
            failures = await uow.login_attempts.failures(scope, key, since=limit.since(now), limit=limit.counted)
            if (wait := limit.retry_after(failures, now)) is not None:
                waits.append(wait)
        if waits:
            raise TooManyLoginAttempts(max(waits))
        rows = [
            await uow.login_attempts.record_failure(scope, key, at=now, since=limit.since(now))
            for scope, key, limit in scopes
        ]
        await uow.commit()
    return Attempt(email, client_ip, rows)


async def check_password(
    uow: UnitOfWork,
    limits: LoginLimits,
    email: str,
    client_ip: str | None,
    password_hash: str | None,
    password: str,
) -> Attempt | None:
    """Count the attempt, then verify the password: the attempt when it is right (settle it with
    ``succeeded``), None when it is wrong (it stays counted)."""
    attempt = await start_attempt(uow, limits, email, client_ip)
    try:
        right = await verify_password(password_hash, password)
    except PasswordHashingBusy:
        await withdraw(uow, attempt)
        raise
    return attempt if right else None


async def succeeded(uow: UnitOfWork, limits: LoginLimits, attempt: Attempt) -> None:
    """The password was right: the attempt was no failure, and the account's failures from this
    address are forgiven (the address's and the account's elsewhere are not: they may be a
    guesser's). Runs inside the caller's unit of work, which commits."""
    await uow.login_attempts.remove(attempt.rows)
    for scope, key, _ in limits.scopes(attempt.email, attempt.client_ip):
        if scope == ACCOUNT_AND_IP:
            await uow.login_attempts.clear(scope, key)


async def withdraw(uow: UnitOfWork, attempt: Attempt) -> None:
    """The password was never checked (every hashing slot busy): the attempt does not count."""
    async with uow:
        await uow.login_attempts.remove(attempt.rows)
        await uow.commit()


async def forgive_account(uow: UnitOfWork, limits: LoginLimits, email: str, client_ip: str | None) -> None:
    """A password reset through the emailed link: the account's failures across addresses and
    from this one are forgiven; another address's guesses still count against it."""
    for scope, key, _ in limits.scopes(email, client_ip):
        if scope in (ACCOUNT, ACCOUNT_AND_IP):
            await uow.login_attempts.clear(scope, key)
