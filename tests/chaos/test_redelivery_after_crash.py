"""Consumers SIGKILLed after their handler committed its effect and before their offset was
committed (fault point ``consumer.before_ack``): after the restart the same event comes again,
and the inbox makes it a no-op. One verdict, one approval and one email per invoice."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest

from matching.entrypoints.consumers import INVOICES_GROUP
from notifier.entrypoints.consumers import INVOICES as NOTIFIER_INVOICES
from portal_dev.stack import Stack
from portal_dev.testing import Mailbox
from shared.contracts.invoicing import INVOICES_TOPIC
from tests.chaos.conftest import FLOW_SIZE, FULL, SETTLE_S, Scenario, all_approved, prepare_flow, submit
from tests.chaos.service_faults import (
    KILLED,
    Armed,
    all_emailed,
    approval_copies,
    approval_emails,
    committed_offset,
    emails_of,
    inbox_records,
    invoice_events_of,
    locate,
    per_invoice,
    per_submission,
    summary,
    verdicts_of,
)
from tests.e2e.conftest import Portal

SIZE = FLOW_SIZE if FULL else 6
# Which event of its kind each consumer dies on (counted from its restart with the fault point).
KILL_AT = FLOW_SIZE // 3 if FULL else 2


@pytest.fixture(scope="module")
def stack(shared_stack: Stack) -> Stack:
    """The killed services are started again: the system is whole afterwards."""
    return shared_stack


async def test_consumers_killed_between_their_effect_and_their_offset_commit_apply_each_event_once(
    stack: Stack, api: httpx.AsyncClient, portal: Portal, mailbox: Mailbox, scenario: Scenario
) -> None:
    consumers = {"matching": INVOICES_GROUP, "notifier": NOTIFIER_INVOICES}
    points = {
        # The consumer group as well as the event type: the notifier has other groups on the topic.
        "matching": f"consumer.before_ack@{INVOICES_GROUP}+InvoiceSubmitted:hit={KILL_AT}",
        "notifier": f"consumer.before_ack@{NOTIFIER_INVOICES}+InvoiceApproved:hit={KILL_AT}",
    }
    scenario.injected = (
        f"fault point consumer.before_ack: matching SIGKILLed after committing its verdict on InvoiceSubmitted "
        f"#{KILL_AT}, notifier SIGKILLed after queuing the email for InvoiceApproved #{KILL_AT}, each before its "
        f"offset commit, while {SIZE} invoices are submitted; each restarted once it died"
    )
    scenario.expected = (
        "the killed event's effect committed (its inbox record exists at the kill); after the restart the "
        "redelivered event is a no-op: exactly one verdict event, one InvoiceApproved event and one approval "
        "email per invoice, exactly one email row for the killed approval"
    )
    killed: dict[str, dict[str, Any]] = {}
    died_at: dict[str, float] = {}
    recorded_sent: set[str] = set()  # the emails the killed notifier recorded as sent
    async with Armed(stack, points) as armed:
        async with asyncio.TaskGroup() as group:  # prepare while the services restart armed
            preparing = group.create_task(prepare_flow(portal, f"r{uuid.uuid4().hex[:6]}", SIZE))
            group.create_task(armed.start())
        flow = preparing.result()
        scenario.observed["prepare_s"] = flow.prepared_in_s

        async def killed_then_restarted(service: str) -> None:
            code = await armed.exited(service, timeout_s=SETTLE_S)
            line = armed.kill_line(service)
            partition, offset = await locate(stack.bootstrap_servers, INVOICES_TOPIC, line["event_id"])
            committed = await committed_offset(stack.bootstrap_servers, consumers[service], INVOICES_TOPIC, partition)
            killed[service] = {
                "exit_code": code,
                "event_type": line["event_type"],
                "event_id": line["event_id"],
                "partition": partition,
                "offset": offset,
                "committed_offset_at_kill": committed,
                "inbox_records_at_kill": await inbox_records(stack, service, consumers[service], line["event_id"]),
            }
            if service == "notifier":
                killed[service]["email_rows_at_kill"] = await emails_of(stack, line["event_id"])
                died_at["notifier"] = time.time()
                recorded_sent.update(e["email_id"] for e in armed.logs[service].events("email sent"))
            await armed.recover(service)

        watchers = [asyncio.create_task(killed_then_restarted(service)) for service in points]
        try:
            for invoice in flow.invoices:
                await submit(api, flow, invoice)
                await asyncio.sleep(0.03)  # a steady flow, not one burst
            await asyncio.wait_for(asyncio.gather(*watchers), timeout=SETTLE_S)
        finally:
            for watcher in watchers:
                watcher.cancel()
    started = time.monotonic()
    final = await all_approved(api, flow)
    await all_emailed(api, mailbox, flow)
    scenario.observed["settled_s_after_restarts"] = round(time.monotonic() - started, 2)
    scenario.observed["killed"] = killed

    ours = set(flow.submitted)
    verdicts = per_submission(await verdicts_of(stack, flow))
    approval_events = await invoice_events_of(stack, flow, "InvoiceApproved")
    approvals = per_invoice(approval_events)
    submissions = await invoice_events_of(stack, flow, "InvoiceSubmitted")
    emails = approval_emails(mailbox, flow)
    # An email handed to SMTP by the killed notifier and not yet recorded as sent goes out again
    # after the restart, with the same Message-ID (at-least-once towards the mail server; the
    # sender handles one email at a time). Any other second copy would be a duplicate.
    copies = approval_copies(mailbox, flow)
    in_flight = {
        c.message_id
        for c in copies
        if c.received_at <= died_at["notifier"] and c.message_id.strip("<>").split("@")[0] not in recorded_sent
    }
    per_message = Counter(c.message_id for c in copies)
    message_ids = {number: {c.message_id for c in copies if c.number == number} for number in set(emails)}
    killed_submission = {e.data["invoice_id"] for e in submissions if str(e.id) == killed["matching"]["event_id"]}
    killed_approval = {e.data["invoice_id"] for e in approval_events if str(e.id) == killed["notifier"]["event_id"]}
    scenario.observed |= {
        "invoices_submitted": len(flow.submitted),
        "statuses": dict(Counter(invoice["status"] for invoice in final.values())),
        "verdicts": summary(verdicts, {(invoice_id, 1) for invoice_id in ours}),
        "approvals": summary(approvals, ours),
        "approval_emails": sum(emails.values()),
        "approval_emails_resent_after_the_kill": len(in_flight),
        "duplicate_emails": sum(n - 1 for n in emails.values()) - len(in_flight),
        "missing_emails": len({flow.numbers[i] for i in ours} - set(emails)),
        "email_rows_for_killed_approval": await emails_of(stack, killed["notifier"]["event_id"]),
        "inbox_records_for_killed_events": {
            service: await inbox_records(stack, service, consumers[service], killed[service]["event_id"])
            for service in killed
        },
        "committed_offsets_after": {
            service: await committed_offset(
                stack.bootstrap_servers, consumers[service], INVOICES_TOPIC, killed[service]["partition"]
            )
            for service in killed
        },
    }
    assert len(flow.submitted) == SIZE
    for service, event_type in (("matching", "InvoiceSubmitted"), ("notifier", "InvoiceApproved")):
        assert killed[service]["exit_code"] == KILLED
        assert killed[service]["event_type"] == event_type
        assert killed[service]["inbox_records_at_kill"] == 1  # the effect had committed
        # Its offset had not: the restarted consumer got the event again, and acknowledged it.
        assert (killed[service]["committed_offset_at_kill"] or 0) <= killed[service]["offset"]
        assert (scenario.observed["committed_offsets_after"][service] or -1) > killed[service]["offset"]
    # The killed events were ours, so the checks below cover their redelivery.
    assert len(killed_submission) == 1 and len(killed_approval) == 1
    assert killed["notifier"]["email_rows_at_kill"] == 1
    assert scenario.observed["email_rows_for_killed_approval"] == 1
    assert scenario.observed["inbox_records_for_killed_events"] == {"matching": 1, "notifier": 1}
    assert sorted(verdicts) == sorted((invoice_id, 1) for invoice_id in ours)
    assert all(c["events"] == 1 for c in verdicts.values()), verdicts
    assert sorted(approvals) == sorted(ours)
    assert all(c["events"] == 1 for c in approvals.values()), approvals
    assert {number: len(ids) for number, ids in message_ids.items()} == {flow.numbers[i]: 1 for i in ours}
    assert len(in_flight) <= 1  # at most the one email in flight at the kill
    assert per_message == Counter({m: 1 for m in per_message} | {m: 2 for m in in_flight})
