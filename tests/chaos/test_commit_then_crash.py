"""Invoicing SIGKILLed between its database commit and the publication of the event: once in the
outbox relay, with unsent rows read and not yet handed to the producer (``relay.before_publish``),
once right after a submission committed and before it was answered
(``invoicing.submit.after_commit``). After each restart the outbox publishes what was committed:
no invoice is lost, none is decided twice."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest

from portal_dev.stack import Stack
from portal_dev.testing import poll_until
from tests.chaos.conftest import FLOW_SIZE, FULL, SETTLE_S, Flow, Scenario, all_approved, prepare_flow
from tests.chaos.service_faults import (
    KILLED,
    Armed,
    database,
    invoice_events_of,
    per_invoice,
    per_submission,
    summary,
    verdicts_of,
)
from tests.e2e.conftest import Portal

SIZE = FLOW_SIZE if FULL else 6
# The relay dies on its 2nd batch holding an InvoiceSubmitted; once restarted, invoicing dies on
# the 2nd submission it commits.
RELAY_HIT = FLOW_SIZE // 3 if FULL else 2
SUBMIT_HIT = 2


@pytest.fixture(scope="module")
def stack(shared_stack: Stack) -> Stack:
    """Invoicing is started again: the system is whole afterwards."""
    return shared_stack


async def unsent(stack: Stack, flow: Flow) -> Counter[str]:
    """The flow's events still waiting in invoicing's outbox, by type."""
    ours = {invoice["id"] for invoice in flow.invoices}
    async with database(stack, "invoicing") as conn:
        rows = await conn.fetch("SELECT event_type, value FROM outbox WHERE sent_at IS NULL")
    return Counter(row["event_type"] for row in rows if json.loads(row["value"])["data"].get("invoice_id") in ours)


async def submit_through_crash(api: httpx.AsyncClient, flow: Flow, invoice: dict[str, Any]) -> str:
    """Submit as a client that may lose the answer: when invoicing is down or dies on the request,
    wait until it answers again and look at the invoice; submit again only if it is still a draft."""
    try:
        answer = await api.post(f"/invoices/{invoice['id']}/submit", headers=flow.supplier, timeout=30)
        if answer.status_code == 202:
            flow.submitted.append(invoice["id"])
            return "accepted"
        assert answer.status_code in (502, 503, 504), answer.text
    except httpx.TransportError:
        pass

    async def current() -> dict[str, Any] | None:
        found = await api.get(f"/invoices/{invoice['id']}", headers=flow.supplier)
        return found.json() if found.status_code == 200 else None

    state: dict[str, Any] = await poll_until(current, timeout_s=SETTLE_S, interval_s=0.1, what="invoicing to answer")
    if state["status"] == "draft":
        return "not committed, submitted again: " + await submit_through_crash(api, flow, invoice)
    flow.submitted.append(invoice["id"])
    return "committed, answer lost"


async def test_invoicing_killed_between_commit_and_publish_loses_no_invoice(
    stack: Stack, api: httpx.AsyncClient, portal: Portal, scenario: Scenario
) -> None:
    relay_point = f"relay.before_publish@InvoiceSubmitted:hit={RELAY_HIT}"
    submit_point = f"invoicing.submit.after_commit:hit={SUBMIT_HIT}"
    scenario.injected = (
        f"while {SIZE} invoices are submitted one after the other: SIGKILL of invoicing in its outbox relay with "
        f"committed rows read and not yet published ({relay_point}); restarted, SIGKILL again right after a "
        f"submission committed, before its answer ({submit_point}); restarted"
    )
    scenario.expected = (
        "committed rows are unsent at each kill and published after the restart: every invoice submitted once, "
        "exactly one InvoiceSubmitted event and one verdict per invoice, every invoice approved, nothing left unsent"
    )
    flow = await prepare_flow(portal, f"o{uuid.uuid4().hex[:6]}", SIZE)
    scenario.observed["prepare_s"] = flow.prepared_in_s
    kills: list[dict[str, Any]] = []
    outcomes: list[str] = []
    async with Armed(stack, {"invoicing": relay_point}) as armed:
        await armed.start()

        async def killed(point: str) -> None:
            code = await armed.exited("invoicing", timeout_s=SETTLE_S)
            line = armed.kill_line("invoicing")
            kills.append(
                {"point": line["fault_point"], "exit_code": code, "unsent_at_kill": dict(await unsent(stack, flow))}
            )
            assert line["fault_point"] == point

        async def crashes() -> None:
            await killed("relay.before_publish")
            await armed.restart({"invoicing": submit_point})
            await killed("invoicing.submit.after_commit")
            await armed.recover("invoicing")

        crashing = asyncio.create_task(crashes())
        try:
            for invoice in flow.invoices:
                outcomes.append(await submit_through_crash(api, flow, invoice))
                await asyncio.sleep(0.03)  # a steady flow, not one burst
            await asyncio.wait_for(crashing, timeout=SETTLE_S)
        finally:
            crashing.cancel()
    started = time.monotonic()
    final = await all_approved(api, flow)
    scenario.observed["all_approved_s_after_restart"] = round(time.monotonic() - started, 2)

    # A verdict is visible once committed; the relay publishes what it wrote an instant later.
    async def outbox_drained() -> bool:
        return not await unsent(stack, flow)

    await poll_until(outbox_drained, timeout_s=SETTLE_S, interval_s=0.1, what="invoicing's outbox to drain")
    ours = set(flow.submitted)
    submissions = per_invoice(await invoice_events_of(stack, flow, "InvoiceSubmitted"))
    verdicts = per_submission(await verdicts_of(stack, flow))
    scenario.observed |= {
        "kills": kills,
        "submissions": dict(Counter(outcomes)),
        "invoices_submitted": len(ours),
        "statuses": dict(Counter(invoice["status"] for invoice in final.values())),
        "submitted_events": summary(submissions, ours),
        "verdicts": summary(verdicts, {(invoice_id, 1) for invoice_id in ours}),
        "unsent_after": dict(await unsent(stack, flow)),
    }
    assert [kill["exit_code"] for kill in kills] == [KILLED, KILLED]
    # Committed and not published at the kill: the relay's batch, and the submission just committed.
    assert all(kill["unsent_at_kill"].get("InvoiceSubmitted", 0) >= 1 for kill in kills), kills
    assert Counter(outcomes)["committed, answer lost"] >= 1  # the submission killed before its answer
    assert sorted(ours) == sorted(invoice["id"] for invoice in flow.invoices)
    assert len(flow.submitted) == SIZE
    assert sorted(submissions) == sorted(ours)
    assert all(c["events"] == 1 for c in submissions.values()), submissions
    assert sorted(verdicts) == sorted((invoice_id, 1) for invoice_id in ours)
    assert all(c["events"] == 1 for c in verdicts.values()), verdicts
    assert {invoice["status"] for invoice in final.values()} == {"approved"}
    assert scenario.observed["unsent_after"] == {}
