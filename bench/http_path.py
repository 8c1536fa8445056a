"""The HTTP path alone: the most invoices per second the pipeline could take if nothing after the
submit cost anything.

The services that consume an invoice's events (orders, matching, the notifier) are stopped; the
same closed loop as the pipeline's saturation then drafts and submits invoices through the gateway,
each client going on as soon as its submit is accepted. What runs is what every invoice costs
before its first event is consumed: two authenticated requests through the gateway, invoicing's
two transactions and its outbox relay publishing the events, on the same servers. Its rate bounds
the pipeline's from above, and its CPU per invoice says how much of an invoice's cost no work on
the consumers can remove.

Only on a stack the bench started itself: stopping services of a running system is not the
bench's to do. The services stay stopped, so this phase runs last.
"""

from __future__ import annotations

import time
from typing import Any

from bench.cpu import CpuMeter
from bench.pipeline import Pipeline
from bench.timing import closed_loop, rate_in_window
from portal_dev.stack import Stack

CONSUMERS = ("orders", "matching", "notifier")


def runnable(stack: Stack) -> bool:
    """Whether the bench runs the consumers' processes itself, and may stop them."""
    return all(service in stack.processes for service in CONSUMERS)


async def saturation(
    pipeline: Pipeline, stack: Stack, po_ids: list[str], duration_s: float, *, clients: int, warmup_s: float = 1.0
) -> dict[str, Any]:
    """Stop the consumers, then ``clients`` each draft and submit an invoice and go on with the next
    for ``duration_s`` (or until the POs run out). Throughput = submits accepted between
    ``warmup_s`` after the start and the end, per second."""
    for service in CONSUMERS:
        stack.stop_service(service)
    accepted: list[float] = []

    async def one(po_id: str) -> None:
        invoice = await pipeline.draft(po_id)
        await pipeline.submit(invoice["id"])
        accepted.append(time.time())

    cpu = CpuMeter(stack)  # the stopped services are no longer among the stack's processes
    with cpu.measuring():
        start, sending_end, ran_out = await closed_loop(po_ids, duration_s, clients, one)
    return {
        "stopped": list(CONSUMERS),
        "duration_s": round(sending_end - start, 2),
        "clients": clients,
        "submitted": len(accepted),
        "ran_out_of_purchase_orders": ran_out,
        "throughput_per_s": round(rate_in_window(accepted, start + warmup_s, sending_end), 1),
        "cpu_ms_per_invoice": cpu.per_item_ms(len(accepted)),
        "cpu_cores_busy": cpu.cores_busy,
    }
