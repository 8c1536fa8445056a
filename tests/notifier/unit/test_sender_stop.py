"""A stopping notifier finishes the email in flight and sends no further one: cancelled between
the SMTP handover and the commit, an email would be sent again after the restart."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from notifier.entrypoints.sender import finish_in_flight


async def test_a_stop_during_a_delivery_finishes_that_email_and_starts_no_other() -> None:
    handed_over = asyncio.Event()
    reply = asyncio.Event()
    sent: list[int] = []

    async def deliver(stopping: Callable[[], bool]) -> int:
        for email in range(3):
            if stopping():
                break
            handed_over.set()
            await reply.wait()  # the SMTP server's answer to the message just handed over
            sent.append(email)
        return len(sent)

    sender = asyncio.create_task(finish_in_flight(deliver))
    await handed_over.wait()
    sender.cancel()  # the service stops while email 0 is in flight
    await asyncio.sleep(0.01)
    sender.cancel()  # and insists
    assert not sender.done()
    reply.set()
    with pytest.raises(asyncio.CancelledError):
        await sender
    assert sent == [0]


async def test_without_a_stop_every_due_email_is_delivered() -> None:
    async def deliver(stopping: Callable[[], bool]) -> int:
        return sum(1 for _ in range(3) if not stopping())

    assert await finish_in_flight(deliver) == 3
