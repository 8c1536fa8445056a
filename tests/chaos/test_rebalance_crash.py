"""Two matching processes in one consumer group; while the second one joins (the group is
rebalancing), the first is SIGKILLed, under a steady flow with several invoices per purchase
order. Every invoice is decided once, and the verdicts of each PO come in submission order: a
PO's invoice events and verdicts share its partition (both keyed by the PO id), so whichever
process owns the partition handles them one at a time."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest

from matching.entrypoints.consumers import GROUPS, INVOICES_GROUP
from portal_dev.stack import Stack
from portal_dev.testing import poll_until
from shared.contracts.envelope import Envelope
from tests.chaos.conftest import FULL, Flow, Scenario, all_approved, submit
from tests.chaos.service_faults import (
    KILLED,
    exited,
    group_state,
    invoice_events_of,
    per_invoice,
    per_submission,
    settled,
    summary,
    verdicts_of,
)
from tests.e2e.conftest import Portal

PURCHASE_ORDERS = 8 if FULL else 3
INVOICES_PER_PO = 4 if FULL else 3
SECOND = "matching-2"
MATCHING_GROUPS = list(GROUPS)


@pytest.fixture(scope="module")
def stack(shared_stack: Stack) -> Stack:
    """The killed process is started again and the second one stopped: the system is whole afterwards."""
    return shared_stack


async def prepare_partial_invoices(portal: Portal, tag: str) -> tuple[Flow, dict[str, list[str]]]:
    """POs billed by several draft invoices of 3 units each, together the whole PO;
    the invoices in the order they will be submitted: round the POs, one invoice of each at a time."""
    started = time.monotonic()
    buyer = await portal.admin()
    email = f"sales@{tag}.example"
    supplier_id, supplier = await portal.onboard_supplier(buyer, name=f"Supplier {tag}", email=email)
    gate = asyncio.Semaphore(4)

    async def purchase_order() -> dict[str, Any]:
        async with gate:
            lines = [{"description": "Item", "quantity": str(3 * INVOICES_PER_PO), "unit_price": "12.50"}]
            po = await portal.create_po(buyer, supplier_id, lines)
            await portal.submit_po(buyer, po["id"])
            return po

    async def invoice(p: int, po: dict[str, Any], k: int) -> dict[str, Any]:
        line = {"purchase_order_line_id": po["lines"][0]["id"], "quantity": "3", "unit_price": "12.50"}
        # Each on a day of its own: the same total on the same day would be a possible duplicate.
        body = {"purchase_order_id": po["id"], "number": f"{tag.upper()}-{p}-{k}", "issue_date": f"2026-11-{10 + k}"}
        async with gate:
            return await portal.create_invoice(supplier, body | {"lines": [line]})

    pos = list(await asyncio.gather(*(purchase_order() for _ in range(PURCHASE_ORDERS))))
    invoices = list(
        await asyncio.gather(
            *(invoice(p, po, k) for k in range(INVOICES_PER_PO) for p, po in enumerate(pos))  # round the POs
        )
    )
    order: dict[str, list[str]] = {po["id"]: [] for po in pos}
    for created in invoices:
        order[created["purchase_order_id"]].append(created["id"])
    flow = Flow(buyer, supplier_id, supplier, email, pos, invoices, prepared_in_s=round(time.monotonic() - started, 2))
    return flow, order


def first_of_each(events: list[Envelope]) -> list[Envelope]:
    """The events in the order they first appear (a republished message repeats an envelope id)."""
    seen: set[Any] = set()
    return [e for e in events if not (e.id in seen or seen.add(e.id))]  # type: ignore[func-returns-value]


def order_per_po(events: list[Envelope]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for e in first_of_each(events):
        found.setdefault(e.data["purchase_order_id"], []).append(e.data["invoice_id"])
    return found


async def test_matching_killed_during_a_rebalance_decides_each_invoice_once_in_order_per_po(
    stack: Stack, api: httpx.AsyncClient, portal: Portal, scenario: Scenario
) -> None:
    size = PURCHASE_ORDERS * INVOICES_PER_PO
    scenario.injected = (
        f"a second matching process started in the same consumer groups while {size} invoices "
        f"({INVOICES_PER_PO} per PO on {PURCHASE_ORDERS} POs) are submitted; SIGKILL of the first one while "
        f"{INVOICES_GROUP} is rebalancing; the first one restarted"
    )
    scenario.expected = (
        "every invoice approved; exactly one verdict event per invoice; per PO, the InvoiceSubmitted events and "
        "the verdicts in the order the invoices were submitted"
    )
    flow, submission_order = await prepare_partial_invoices(portal, f"b{uuid.uuid4().hex[:6]}")
    scenario.observed["prepare_s"] = flow.prepared_in_s
    third = size // 3

    async def rebalancing() -> tuple[str, int] | None:
        state, members = await group_state(stack.bootstrap_servers, INVOICES_GROUP)
        return (state, members) if state != "Stable" and members >= 2 else None

    seen: asyncio.Task[tuple[str, int]] | None = None
    try:
        for invoice in flow.invoices[:third]:
            await submit(api, flow, invoice)
            await asyncio.sleep(0.05)  # a steady flow, not one burst
        stack.start_service("matching", instance=SECOND)
        seen = asyncio.create_task(poll_until(rebalancing, timeout_s=90, interval_s=0.02, what="a rebalance"))
        # While the second process starts: more invoices, the last of them once the group rebalances.
        for invoice in flow.invoices[third : 2 * third - 1]:
            await submit(api, flow, invoice)
            await asyncio.wait({seen}, timeout=0.5)
        state_at_kill = await seen
        await submit(api, flow, flow.invoices[2 * third - 1])
        stack.processes["matching"].send_signal(signal.SIGKILL)
        scenario.observed |= {
            "second_started_after_submissions": third,
            "killed_after_submissions": len(flow.submitted),
            "group_at_kill": {"state": state_at_kill[0], "members": state_at_kill[1]},
            "killed_exit_code": await exited(stack, "matching"),
        }
        stack.start_service("matching")  # as an orchestrator would
        for invoice in flow.invoices[2 * third :]:
            await submit(api, flow, invoice)
            await asyncio.sleep(0.05)
        await asyncio.to_thread(stack.wait_ready, ("matching", SECOND))
        started = time.monotonic()
        final = await all_approved(api, flow)
        scenario.observed["all_approved_s_after_flow"] = round(time.monotonic() - started, 2)
    finally:
        if seen is not None:
            seen.cancel()
        if "matching" not in stack.processes:
            stack.start_service("matching")
        await asyncio.to_thread(stack.wait_ready, ("matching",))
        await settled(stack.bootstrap_servers, MATCHING_GROUPS)  # see ``settled``
        await asyncio.to_thread(stack.stop_service, SECOND)
        await settled(stack.bootstrap_servers, MATCHING_GROUPS)  # before the next scenario restarts matching

    ours = set(flow.submitted)
    verdict_events = await verdicts_of(stack, flow)
    submitted_events = await invoice_events_of(stack, flow, "InvoiceSubmitted")
    verdicts = per_submission(verdict_events)
    verdict_order, submitted_order = order_per_po(verdict_events), order_per_po(submitted_events)
    scenario.observed |= {
        "invoices_submitted": len(ours),
        "statuses": dict(Counter(invoice["status"] for invoice in final.values())),
        "verdicts": summary(verdicts, {(invoice_id, 1) for invoice_id in ours}),
        "submitted_events": summary(per_invoice(submitted_events), ours),
        "pos_with_verdicts_out_of_order": sum(verdict_order.get(po) != want for po, want in submission_order.items()),
        "pos_with_submissions_out_of_order": sum(
            submitted_order.get(po) != want for po, want in submission_order.items()
        ),
    }
    assert scenario.observed["killed_exit_code"] == KILLED
    assert len(ours) == size
    assert {invoice["status"] for invoice in final.values()} == {"approved"}
    assert sorted(verdicts) == sorted((invoice_id, 1) for invoice_id in ours)
    assert all(c["events"] == 1 for c in verdicts.values()), verdicts
    assert submitted_order == submission_order
    assert verdict_order == submission_order
