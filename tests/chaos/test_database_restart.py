"""Invoicing's PostgreSQL server stopped and started again while invoices flow: invoicing answers
503 problem details at once (never a 500, never a hang) and says it is not ready, its consumers
hold the verdicts that arrive meanwhile and apply them once it is back; orders and suppliers
answer as usual; afterwards every invoice is decided exactly once and nothing is dead-lettered."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from portal_dev.postgres import EmbeddedPostgres
from portal_dev.stack import Stack
from portal_dev.testing import poll_until
from shared.contracts.invoicing import INVOICES_TOPIC
from shared.contracts.matching import VERDICTS_TOPIC
from shared.contracts.topics import TOPICS, dlq_topic
from tests.chaos.conftest import (
    FLOW_SIZE,
    FULL,
    SETTLE_S,
    Flow,
    Scenario,
    all_approved,
    envelopes,
    per_key,
    prepare_flow,
    read_all,
    submit,
)
from tests.e2e.conftest import Portal

OUTAGE_S = 15.0 if FULL else 3.0
# Well under the normal timeouts (30 s at the gateway, 30 s per statement): an answer slower than
# this while the database is down would be a hang, not a fast failure.
FAIL_FAST_S = 10.0
VERDICTS_CONSUMER = "invoicing.verdicts"


@pytest.fixture(scope="module")
def stack(shared_stack: Stack) -> Stack:
    """The shared stack, where invoicing has a PostgreSQL server of its own (``invoicing_postgres``);
    the server comes back, so the system stays whole."""
    return shared_stack


class Outage:
    """Probes invoicing and its neighbours while the database is down, keeping every answer."""

    def __init__(self, stack: Stack, api: httpx.AsyncClient, flow: Flow) -> None:
        self.stack = stack
        self.api = api
        self.flow = flow
        self.answers: Counter[str] = Counter()
        self.slowest_s: dict[str, float] = {}
        self.refusals: list[httpx.Response] = []

    async def probe(self, name: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        started = time.monotonic()
        answer = await self.api.request(method, url, timeout=FAIL_FAST_S, **kwargs)
        self.slowest_s[name] = max(self.slowest_s.get(name, 0.0), round(time.monotonic() - started, 2))
        self.answers[f"{name} {answer.status_code}"] += 1
        return answer

    async def round(self, held_back: list[dict[str, Any]]) -> None:
        flow, invoicing = self.flow, self.stack.service_url("invoicing")
        for answer in (
            await self.probe("GET invoice", "GET", f"/invoices/{flow.submitted[0]}", headers=flow.supplier),
            await self.probe("GET invoices", "GET", "/invoices", headers=flow.supplier),
            await self.probe("POST submit", "POST", f"/invoices/{held_back[0]['id']}/submit", headers=flow.supplier),
            await self.probe(
                "POST submit with key",
                "POST",
                f"/invoices/{held_back[-1]['id']}/submit",
                headers=flow.supplier | {"Idempotency-Key": f"during-outage-{held_back[-1]['id']}"},
            ),
        ):
            self.refusals.append(answer)
        ready = await self.probe("invoicing ready", "GET", f"{invoicing}/health/ready")
        assert ready.status_code == 503 and ready.json()["checks"]["database"] is False, ready.text
        # The other services do not depend on invoicing's database.
        await self.probe("GET purchase orders", "GET", "/purchase-orders", headers=flow.buyer)
        await self.probe("GET supplier", "GET", f"/suppliers/{flow.supplier_id}", headers=flow.buyer)
        await self.probe("GET verdict", "GET", f"/matching/verdicts/{flow.submitted[0]}", headers=flow.buyer)


def transient_failures(log: Path, *, after: int, consumer: str) -> int:
    """Deliveries ``consumer`` put back to retry, logged past byte ``after`` of the service's log."""
    count = 0
    with log.open("rb") as lines:
        lines.seek(after)
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            count += entry.get("event") == "transient failure; will retry" and entry.get("consumer") == consumer
    return count


async def events_for(stack: Stack, topic: str, event_type: str, invoice_ids: set[str]) -> list[Any]:
    return [
        e
        for e in envelopes(await read_all(stack.bootstrap_servers, topic), event_type)
        if e.data["invoice_id"] in invoice_ids
    ]


async def test_invoicing_database_restarted_while_invoices_flow(
    stack: Stack,
    invoicing_postgres: EmbeddedPostgres,
    api: httpx.AsyncClient,
    portal: Portal,
    scenario: Scenario,
) -> None:
    scenario.injected = (
        f"invoicing's PostgreSQL server stopped (pg_ctl stop -m fast) for {OUTAGE_S:g} s and started again while "
        f"{FLOW_SIZE} invoices are submitted; matching's verdicts for a third of them arrive during the outage"
    )
    scenario.expected = (
        f"during the outage every invoicing request answered 503 problem details with Retry-After within "
        f"{FAIL_FAST_S:g} s, never a 500; invoicing not ready; orders, suppliers and matching answer 200; the "
        "verdict consumer retries instead of dead-lettering; afterwards no request fails, every invoice "
        "approved with one verdict and one InvoiceApproved event each, submission 1, nothing on any DLQ"
    )
    flow = await prepare_flow(portal, f"d{uuid.uuid4().hex[:6]}", FLOW_SIZE)
    dead_before = await dead_letters(stack)
    third = FLOW_SIZE // 3
    before, in_flight, held_back = flow.invoices[:third], flow.invoices[third : 2 * third], flow.invoices[2 * third :]
    for invoice in before:
        await submit(api, flow, invoice)

    # Matching held for a moment, so that the verdicts on the middle third reach invoicing while
    # its database is down (and not just before).
    matching = stack.processes["matching"].pid
    os.kill(matching, signal.SIGSTOP)
    try:
        for invoice in in_flight:
            await submit(api, flow, invoice)
        ids = {i["id"] for i in in_flight}
        await poll_until(
            lambda: published(stack, INVOICES_TOPIC, "InvoiceSubmitted", ids),
            timeout_s=SETTLE_S,
            what="the middle third's submissions on the topic",
        )
        log = stack.logs_dir / "invoicing.log"
        log_offset = log.stat().st_size
        await asyncio.to_thread(invoicing_postgres.stop)
    finally:
        os.kill(matching, signal.SIGCONT)
    down_at = time.monotonic()
    outage = Outage(stack, api, flow)
    try:
        await poll_until(
            lambda: published(stack, VERDICTS_TOPIC, "MatchingVerdictIssued", ids),
            timeout_s=SETTLE_S,
            what="matching's verdicts during the outage",
        )
        await poll_until(
            lambda: transient_failures(log, after=log_offset, consumer=VERDICTS_CONSUMER) > 0,
            timeout_s=SETTLE_S,
            what="invoicing's verdict consumer to meet the outage",
        )
        await outage.round(held_back)
        while time.monotonic() - down_at < OUTAGE_S:
            await outage.round(held_back)
            await asyncio.sleep(0.25)
    finally:
        await asyncio.to_thread(invoicing_postgres.start)
    down_for = time.monotonic() - down_at
    retried_during = transient_failures(log, after=log_offset, consumer=VERDICTS_CONSUMER)

    # Back: the first requests already succeed (pooled connections from before are replaced).
    after: Counter[str] = Counter()
    for invoice_id in flow.submitted:
        answer = await api.get(f"/invoices/{invoice_id}", headers=flow.supplier, timeout=FAIL_FAST_S)
        after[f"GET invoice {answer.status_code}"] += 1
    for invoice in held_back[:-1]:
        await submit(api, flow, invoice)
        after["POST submit 202"] += 1
    keyed = await api.post(
        f"/invoices/{held_back[-1]['id']}/submit",
        headers=flow.supplier | {"Idempotency-Key": f"during-outage-{held_back[-1]['id']}"},
    )
    after[f"POST submit with key {keyed.status_code}"] += 1
    assert keyed.status_code == 202, keyed.text
    flow.submitted.append(held_back[-1]["id"])
    ready = await api.get(stack.service_url("invoicing") + "/health/ready")

    final = await all_approved(api, flow)
    ours = set(flow.submitted)
    verdicts = per_key(
        await events_for(stack, VERDICTS_TOPIC, "MatchingVerdictIssued", ours),
        lambda e: (e.data["invoice_id"], e.data["submission"]),
    )

    async def approvals_published() -> list[Any] | None:
        # An invoice reads approved once its transaction commits; its event follows via the outbox.
        found = await events_for(stack, INVOICES_TOPIC, "InvoiceApproved", ours)
        return found if {e.data["invoice_id"] for e in found} == ours else None

    approvals = per_key(
        await poll_until(approvals_published, timeout_s=SETTLE_S, what="an InvoiceApproved event per invoice"),
        lambda e: e.data["invoice_id"],
    )
    dead_added = (await dead_letters(stack)) - dead_before
    scenario.observed = {
        "invoices_submitted": len(flow.submitted),
        "prepare_s": flow.prepared_in_s,
        "database_down_s": round(down_for, 1),
        "answers_during_outage": dict(outage.answers),
        "slowest_answer_during_outage_s": outage.slowest_s,
        "verdict_deliveries_retried_during_outage": retried_during,
        "answers_after_restart": dict(after),
        "invoicing_ready_after_restart": ready.status_code,
        "statuses": dict(Counter(invoice["status"] for invoice in final.values())),
        "submissions": dict(Counter(invoice["submission"] for invoice in final.values())),
        "verdict_events": sum(c["events"] for c in verdicts.values()),
        "approval_events": sum(c["events"] for c in approvals.values()),
        "republished_messages": sum(c["messages"] - c["events"] for c in [*verdicts.values(), *approvals.values()]),
        "dead_letters": sum(dead_added.values()),
    }
    for answer in outage.refusals:
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert int(answer.headers["retry-after"]) > 0
    others = {k: n for k, n in outage.answers.items() if not k.startswith(("GET invoice", "POST submit", "invoicing"))}
    assert set(others) == {"GET purchase orders 200", "GET supplier 200", "GET verdict 200"}, outage.answers
    assert retried_during > 0
    assert set(after) == {"GET invoice 200", "POST submit 202", "POST submit with key 202"}, after
    assert ready.status_code == 200
    assert len(flow.submitted) == FLOW_SIZE
    assert {invoice["submission"] for invoice in final.values()} == {1}
    assert sorted(verdicts) == sorted((invoice_id, 1) for invoice_id in ours)
    assert all(c["events"] == 1 for c in verdicts.values()), verdicts
    assert sorted(approvals) == sorted(ours)
    assert all(c["events"] == 1 for c in approvals.values()), approvals
    assert dead_added == Counter(), dead_added


async def dead_letters(stack: Stack) -> Counter[str]:
    """Messages on every dead-letter topic (the scenario counts those it adds)."""
    return Counter({dlq_topic(name): len(await read_all(stack.bootstrap_servers, dlq_topic(name))) for name in TOPICS})


async def published(stack: Stack, topic: str, event_type: str, invoice_ids: set[str]) -> bool:
    return {e.data["invoice_id"] for e in await events_for(stack, topic, event_type, invoice_ids)} == invoice_ids
