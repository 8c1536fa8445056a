"""Password hashing runs in a bounded number of slots: a burst waits its turn for a while and is
then refused with 503 problem details (Retry-After), never run all at once."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from gateway.adapters.passwords import HashingSlots, PasswordHashingBusy


async def test_no_more_hashes_run_at_once_than_there_are_slots() -> None:
    slots = HashingSlots(slots=2, wait_s=5)
    running, most = 0, 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1

    await asyncio.gather(*(slots.run(work) for _ in range(8)))
    assert most == 2


async def test_a_burst_beyond_what_the_slots_do_in_the_wait_is_refused_with_503() -> None:
    slots = HashingSlots(slots=1, wait_s=0.05)
    answers = await asyncio.gather(*(slots.run(lambda: time.sleep(0.2)) for _ in range(3)), return_exceptions=True)

    refused = [a for a in answers if isinstance(a, PasswordHashingBusy)]
    assert len(refused) == 2 and answers.count(None) == 1
    assert refused[0].status == 503 and refused[0].retry_after_s
    # The slot is free again afterwards.
    assert await slots.run(lambda: "done") == "done"


def test_slots_are_at_least_one() -> None:
    with pytest.raises(ValueError):
        HashingSlots(slots=0)
