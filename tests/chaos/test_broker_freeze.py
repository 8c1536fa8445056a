"""The broker process frozen (SIGSTOP) while invoices are submitted: HTTP keeps answering, the
outboxes drain once it thaws (SIGCONT), every invoice is decided and emailed exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections import Counter

import httpx

from portal_dev.stack import Stack
from portal_dev.testing import Mailbox, poll_until
from shared.contracts.invoicing import INVOICES_TOPIC
from shared.contracts.matching import VERDICTS_TOPIC
from tests.chaos.conftest import (
    FLOW_SIZE,
    FREEZE_S,
    SETTLE_S,
    Scenario,
    all_approved,
    approval_emails,
    envelopes,
    per_key,
    prepare_flow,
    read_all,
    submit,
)
from tests.e2e.conftest import Portal

# How long a request may take while the broker is frozen. The health check asks every service
# for its readiness, whose broker probe gives up after 3 s: it answers "degraded" after about 3 s.
HTTP_DEADLINE_S = 3.0
HEALTH_DEADLINE_S = 6.0


async def test_broker_frozen_while_invoices_are_submitted(
    stack: Stack, api: httpx.AsyncClient, portal: Portal, mailbox: Mailbox, scenario: Scenario
) -> None:
    assert stack.broker is not None and stack.broker.process is not None
    broker_pid = stack.broker.process.pid
    scenario.injected = f"SIGSTOP of the broker for {FREEZE_S:g} s while {FLOW_SIZE} invoices are submitted"
    scenario.expected = (
        f"submissions and invoice GETs answered within {HTTP_DEADLINE_S:g} s, health within "
        f"{HEALTH_DEADLINE_S:g} s during the freeze; after SIGCONT every "
        "invoice approved, one verdict event, one InvoiceApproved event and one approval email per invoice"
    )
    flow = await prepare_flow(portal, f"f{uuid.uuid4().hex[:6]}", FLOW_SIZE)
    before = len(flow.invoices) // 3
    for invoice in flow.invoices[:before]:
        await submit(api, flow, invoice)

    probes: Counter[str] = Counter()
    slowest = {"invoices": 0.0, "health": 0.0}
    os.kill(broker_pid, signal.SIGSTOP)
    frozen_at = time.monotonic()
    try:
        for invoice in flow.invoices[before:]:
            await submit(api, flow, invoice, timeout_s=HTTP_DEADLINE_S)
        while time.monotonic() - frozen_at < FREEZE_S:
            for path, deadline in ((f"/invoices/{flow.submitted[0]}", HTTP_DEADLINE_S), ("/health", HEALTH_DEADLINE_S)):
                started = time.monotonic()
                answer = await api.get(path, headers=flow.supplier, timeout=deadline)
                name = path.split("/")[1]
                slowest[name] = max(slowest[name], round(time.monotonic() - started, 2))
                probes[f"GET {name} {answer.status_code}"] += 1
            assert (await api.get(f"/invoices/{flow.submitted[-1]}", headers=flow.supplier)).status_code == 200
            await asyncio.sleep(0.25)
    finally:
        os.kill(broker_pid, signal.SIGCONT)
    frozen_for = time.monotonic() - frozen_at
    assert any(key.startswith("GET invoices 200") for key in probes), probes
    assert not any(key.startswith("GET invoices") and not key.endswith("200") for key in probes), probes

    thawed_at = time.monotonic()
    final = await all_approved(api, flow)
    drained_after = time.monotonic() - thawed_at
    numbers = set(flow.numbers.values())

    async def emails_settled() -> bool:
        if set(approval_emails(mailbox, flow)) != numbers:
            return False
        pending = await api.get("/emails", params={"status": "pending"}, headers=flow.buyer)
        return pending.status_code == 200 and pending.json()["items"] == []

    await poll_until(emails_settled, timeout_s=SETTLE_S, interval_s=0.2, what="every approval email")
    ours = set(flow.submitted)
    verdicts = per_key(
        [
            e
            for e in envelopes(await read_all(stack.bootstrap_servers, VERDICTS_TOPIC), "MatchingVerdictIssued")
            if e.data["invoice_id"] in ours
        ],
        lambda e: (e.data["invoice_id"], e.data["submission"]),
    )
    approvals = per_key(
        [
            e
            for e in envelopes(await read_all(stack.bootstrap_servers, INVOICES_TOPIC), "InvoiceApproved")
            if e.data["invoice_id"] in ours
        ],
        lambda e: e.data["invoice_id"],
    )
    emails = approval_emails(mailbox, flow)
    scenario.observed = {
        "invoices_submitted": len(flow.submitted),
        "prepare_s": flow.prepared_in_s,
        "submitted_during_freeze": len(flow.submitted) - before,
        "frozen_s": round(frozen_for, 1),
        "http_probes_during_freeze": dict(probes),
        "slowest_probe_s": slowest,
        "all_approved_s_after_thaw": round(drained_after, 1),
        "statuses": dict(Counter(invoice["status"] for invoice in final.values())),
        "verdict_events": sum(c["events"] for c in verdicts.values()),
        "republished_verdict_messages": sum(c["messages"] - c["events"] for c in verdicts.values()),
        "approval_events": sum(c["events"] for c in approvals.values()),
        "approval_emails": sum(emails.values()),
        "duplicate_emails": sum(n - 1 for n in emails.values()),
        "missing_emails": len(numbers - set(emails)),
    }
    assert len(flow.submitted) == FLOW_SIZE
    assert sorted(verdicts) == sorted((invoice_id, 1) for invoice_id in ours)
    assert all(c["events"] == 1 for c in verdicts.values()), verdicts
    assert sorted(approvals) == sorted(ours)
    assert all(c["events"] == 1 for c in approvals.values()), approvals
    assert emails == Counter({number: 1 for number in numbers})
