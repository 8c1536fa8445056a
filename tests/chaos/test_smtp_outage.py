"""The SMTP server down while invoices are approved: the approval emails wait, are retried with a
growing delay, and each arrives exactly once, within a bounded time after the server is back."""

from __future__ import annotations

import asyncio
import math
import re
import time
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest

from notifier.config import Settings as NotifierSettings
from portal_dev.stack import Stack
from portal_dev.testing import Mailbox, poll_until
from tests.chaos.conftest import FLOW_SIZE, FULL, SETTLE_S, Flow, Scenario, all_approved, prepare_flow, submit
from tests.e2e.conftest import Portal

OUTAGE_S = 60.0 if FULL else 4.0
# The notifier's retry delays (its defaults; the stack does not override them).
FIRST_DELAY_S = NotifierSettings.model_fields["email_retry_first_delay_s"].default
MAX_DELAY_S = NotifierSettings.model_fields["email_retry_max_delay_s"].default
# Sending what waited, once the server is back.
DRAIN_S = 30.0
APPROVED_SUBJECT = re.compile(r"^Invoice (\S+) for PO \S+ approved$")


@pytest.fixture(scope="module")
def stack(shared_stack: Stack) -> Stack:
    """The sink comes back: the session's shared stack."""
    return shared_stack


async def emails_to(api: httpx.AsyncClient, buyer: dict[str, str], recipient: str) -> list[dict[str, Any]]:
    """The notifier's record of every email to ``recipient`` (its audit list, all pages)."""
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params = {"limit": "200"} | ({"cursor": cursor} if cursor else {})
        answer = await api.get("/emails", params=params, headers=buyer)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        found += [email for email in page["items"] if email["recipient"] == recipient]
        cursor = page["next_cursor"]
        if cursor is None:
            return found


def most_attempts_with_backoff(window_s: float) -> int:
    """The most tries one email can make in ``window_s`` when each delay doubles from the first:
    the n-th failure comes at least first·(2^(n-1) − 1) after the first one; plus the success."""
    return 2 + math.floor(math.log2(1 + window_s / FIRST_DELAY_S))


async def test_smtp_server_down_while_invoices_are_approved_every_email_arrives_once(
    stack: Stack, api: httpx.AsyncClient, portal: Portal, mailbox: Mailbox, scenario: Scenario
) -> None:
    scenario.injected = f"the SMTP server stopped for {OUTAGE_S:g} s while {FLOW_SIZE} invoices are submitted"
    scenario.expected = (
        "invoices approved meanwhile; every approval email pending and retried with a doubling delay, none in "
        "the sink and none failed during the outage; after the server is back each email delivered exactly once "
        f"(per recipient, subject and Message-ID), within min({MAX_DELAY_S:g} s, outage) + {DRAIN_S:g} s"
    )
    flow = await prepare_flow(portal, f"s{uuid.uuid4().hex[:6]}", FLOW_SIZE)
    scenario.observed["prepare_s"] = flow.prepared_in_s

    async def nothing_pending() -> bool:
        emails = await emails_to(api, flow.buyer, flow.supplier_email)
        orders = sum(e["template"] == "purchase_order" for e in emails)
        return orders == FLOW_SIZE and all(e["status"] == "sent" for e in emails)

    # The flow's own set-up emails (invitation, one per purchase order) go out before the fault:
    # all of them queued, not only those queued so far, or one sent late counts as sent during it.
    await poll_until(nothing_pending, timeout_s=SETTLE_S, interval_s=0.2, what="the set-up emails to be sent")
    in_sink_before = len(mailbox.find(to=flow.supplier_email, subject_contains=""))

    stack.stop_sink()
    down_at = time.monotonic()
    try:
        await submit_steadily(api, flow, over_s=OUTAGE_S / 2)
        await all_approved(api, flow)

        async def all_retried() -> list[dict[str, Any]] | None:
            approvals = [e for e in await emails_to(api, flow.buyer, flow.supplier_email) if is_approval(e)]
            waiting = len(approvals) == FLOW_SIZE and all(e["status"] == "pending" for e in approvals)
            return approvals if waiting and all(e["attempts"] >= 2 for e in approvals) else None

        during = await poll_until(all_retried, timeout_s=SETTLE_S, interval_s=0.2, what="every email to be retried")
        if (left := OUTAGE_S - (time.monotonic() - down_at)) > 0:
            await asyncio.sleep(left)  # the fault lasts its full length
        during = await emails_to(api, flow.buyer, flow.supplier_email)
        in_sink_during = len(mailbox.find(to=flow.supplier_email, subject_contains="")) - in_sink_before
    finally:
        stack.start_sink()
    down_for = time.monotonic() - down_at
    back_at = time.monotonic()
    approvals_during = [e for e in during if is_approval(e)]

    numbers = set(flow.numbers.values())

    async def delivered() -> bool:
        emails = await emails_to(api, flow.buyer, flow.supplier_email)
        return all(e["status"] == "sent" for e in emails) and set(approval_emails(mailbox, flow)) == numbers

    bound_s = min(MAX_DELAY_S, down_for) + DRAIN_S
    await poll_until(delivered, timeout_s=bound_s, interval_s=0.2, what="every email after the server's return")
    delivered_after_s = round(time.monotonic() - back_at, 2)

    final = await emails_to(api, flow.buyer, flow.supplier_email)
    approvals = [e for e in final if is_approval(e)]
    messages = mailbox.find(to=flow.supplier_email, subject_contains="")
    per_message = Counter((str(m["To"]), str(m["Subject"]), str(m["Message-ID"])) for m in messages)
    per_message_id = Counter(str(m["Message-ID"]) for m in messages)
    emails = approval_emails(mailbox, flow)
    attempt_limit = most_attempts_with_backoff(down_for)
    scenario.observed |= {
        "invoices_submitted": len(flow.submitted),
        "smtp_down_s": round(down_for, 1),
        "emails_in_sink_during_outage": in_sink_during,
        "approval_emails_pending_during_outage": sum(e["status"] == "pending" for e in approvals_during),
        "failed_tries_during_outage": sum(e["attempts"] for e in approvals_during),
        "most_tries_of_one_email": max(e["attempts"] for e in approvals),
        "most_tries_possible_with_backoff": attempt_limit,
        "delivered_s_after_return": delivered_after_s,
        "delivery_bound_s": round(bound_s, 1),
        "approval_emails": sum(emails.values()),
        "duplicate_emails": sum(n - 1 for n in per_message_id.values()),
        "missing_emails": len(numbers - set(emails)),
        "failed_emails": sum(e["status"] == "failed" for e in final),
    }
    assert len(flow.submitted) == FLOW_SIZE
    assert in_sink_during == 0
    assert len(approvals_during) == FLOW_SIZE
    assert all(e["status"] == "pending" and e["attempts"] >= 2 and e["last_error"] for e in approvals_during)
    assert emails == Counter({number: 1 for number in numbers})
    assert all(n == 1 for n in per_message.values()), per_message
    assert all(n == 1 for n in per_message_id.values()), per_message_id
    # The sink holds exactly what the notifier says it sent, one message each.
    sent_ids = {e["id"] for e in final if e["status"] == "sent"}
    assert {mid.strip("<>").partition("@")[0] for mid in per_message_id} == sent_ids
    assert len(approvals) == FLOW_SIZE and all(e["status"] == "sent" for e in approvals)
    # A delay that did not grow would have tried far more often than this.
    assert all(e["attempts"] <= attempt_limit for e in approvals), [e["attempts"] for e in approvals]


async def submit_steadily(api: httpx.AsyncClient, flow: Flow, *, over_s: float) -> None:
    pause = over_s / max(1, len(flow.invoices))
    for invoice in flow.invoices:
        await submit(api, flow, invoice)
        await asyncio.sleep(pause)  # a steady flow, not one burst


def is_approval(email: dict[str, Any]) -> bool:
    return email["template"] == "invoice_approved"


def approval_emails(mailbox: Mailbox, flow: Flow) -> Counter[str]:
    found: Counter[str] = Counter()
    for message in mailbox.find(to=flow.supplier_email, subject_contains=" approved"):
        match = APPROVED_SUBJECT.match(str(message["Subject"]))
        if match:
            found[match.group(1)] += 1
    return found
