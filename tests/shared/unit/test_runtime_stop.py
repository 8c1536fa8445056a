"""Stopping a service ends its background tasks even when one of them loses a cancellation."""

from __future__ import annotations

import asyncio

from shared.runtime import cancel_all


async def test_a_background_loop_that_swallowed_its_cancellation_is_cancelled_again() -> None:
    loop = asyncio.get_running_loop()
    reply = loop.create_future()
    rounds = 0

    async def sender() -> None:
        nonlocal rounds
        while True:  # a loop like the email sender's, waiting with a timeout
            await asyncio.wait_for(reply if rounds == 0 else asyncio.sleep(0.01), 10)
            rounds += 1

    task = asyncio.create_task(sender())
    await asyncio.sleep(0.01)
    reply.set_result("250 OK")  # the awaited reply arrives as the stop cancels the task:
    await cancel_all([task], give_up_after_s=5)  # Python 3.11's wait_for drops that cancellation
    assert task.cancelled()


async def test_tasks_that_ended_or_failed_before_the_stop_are_fine() -> None:
    async def fails() -> None:
        raise RuntimeError("boom")

    async def waits() -> None:
        await asyncio.Event().wait()

    failed, waiting = asyncio.create_task(fails()), asyncio.create_task(waits())
    await asyncio.sleep(0)
    await cancel_all([failed, waiting])
    assert isinstance(failed.exception(), RuntimeError)
    assert waiting.cancelled()
