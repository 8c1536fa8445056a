"""Password hashing with argon2 (argon2-cffi), off the event loop: hashing is CPU-bound by design,
and each hash takes its memory cost (64 MiB by argon2's defaults).

At most ``slots`` hashes run at once in a process (``GATEWAY_PASSWORD_HASHING_SLOTS``): a burst of
sign-ins waits its turn for at most ``wait_s`` and is then answered 503 with ``Retry-After``,
never queued without end nor run at once beyond the memory the slots were sized to."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shared.errors import DomainError

T = TypeVar("T")

_hasher = PasswordHasher()
# Verifying against this when the email is unknown keeps both answers equally slow.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class PasswordHashingBusy(DomainError):
    """Every hashing slot is taken and stayed taken while the request waited: 503, try again shortly."""

    status = 503
    title = "Busy"
    type_slug = "unavailable"

    def __init__(self, retry_after_s: int = 2) -> None:
        super().__init__("too many sign-ins at once; try again in a moment")
        self.retry_after_s = retry_after_s


class HashingSlots:
    """The hashes a process runs at once; the semaphore is made for the running event loop."""

    def __init__(self, slots: int = 4, wait_s: float = 5.0) -> None:
        self.configure(slots, wait_s)

    def configure(self, slots: int, wait_s: float) -> None:
        if slots < 1:
            raise ValueError("at least one password hashing slot")
        self.slots, self.wait_s = slots, wait_s
        self._semaphore: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _current(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._loop is not loop:
            self._semaphore, self._loop = asyncio.Semaphore(self.slots), loop
        return self._semaphore

    async def run(self, work: Callable[[], T]) -> T:
        semaphore = self._current()
        try:
            await asyncio.wait_for(semaphore.acquire(), timeout=self.wait_s)
        except TimeoutError:
            raise PasswordHashingBusy() from None
        try:
            return await asyncio.to_thread(work)
        finally:
            semaphore.release()


SLOTS = HashingSlots()


async def hash_password(password: str) -> str:
    return await SLOTS.run(lambda: _hasher.hash(password))


async def verify_password(password_hash: str | None, password: str) -> bool:
    def _verify() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await SLOTS.run(_verify)
