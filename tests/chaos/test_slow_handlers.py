"""Slow handlers (fault point ``consumer.before_handler`` with a delay) under a flow of invoices:

- the notifier gets SIGTERM while a handler is slow: the handler finishes, its offset is
  committed, the process exits cleanly, and after the restart nothing is emailed twice;
- matching runs as two processes in one group, the first with ``KAFKA_MAX_POLL_INTERVAL_MS``
  shorter than one of its handlers: the group moves on without it (the other process takes its
  partitions and the event), the offset commit after the slow handler fails, and the first process
  rejoins the group and goes on instead of getting stuck; the event has one effect.

With a single member the group would be empty when the slow consumer leaves it, and the broker
accepts the commit of a consumer outside any group (Apache Kafka and the embedded broker alike):
no failure to recover from. Hence the second process.
"""

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
from notifier.entrypoints.consumers import INVOICES as NOTIFIER_INVOICES
from portal_dev.stack import Stack
from portal_dev.testing import Mailbox, poll_until
from shared.contracts.invoicing import INVOICES_TOPIC
from tests.chaos.conftest import FLOW_SIZE, FULL, SETTLE_S, Scenario, all_approved, prepare_flow, submit
from tests.chaos.service_faults import (
    Armed,
    ServiceLog,
    all_emailed,
    approval_emails,
    committed_offset,
    emails_of,
    group_state,
    inbox_records,
    locate,
    per_submission,
    settled,
    summary,
    terminated,
    verdicts_of,
)
from tests.e2e.conftest import Portal

SIZE = FLOW_SIZE if FULL else 6
# The notifier's slow handler (SIGTERM arrives during it), well under the default poll interval.
SLOW_EMAIL_S = 8.0 if FULL else 2.5
# Matching's poll interval, and a handler slower than it.
POLL_INTERVAL_MS = 4000 if FULL else 2000
SLOW_MATCH_S = 12.0 if FULL else 4.0

SECOND = "matching-2"
MATCHING_GROUPS = list(GROUPS)
DELAYING = "fault point reached; delaying"
DELAY_OVER = "fault point delay over"
COMMIT_FAILED = "offset commit failed; the event will be delivered again"


@pytest.fixture(scope="module")
def stack(shared_stack: Stack) -> Stack:
    """Both services are started again without fault points: the system is whole afterwards."""
    return shared_stack


async def test_slow_handlers_finish_on_sigterm_and_recover_from_a_lost_partition_without_duplicates(
    stack: Stack, api: httpx.AsyncClient, portal: Portal, mailbox: Mailbox, scenario: Scenario
) -> None:
    points = {
        "notifier": f"consumer.before_handler@{NOTIFIER_INVOICES}+InvoiceApproved:hit=2:delay={SLOW_EMAIL_S:g}",
        "matching": f"consumer.before_handler@InvoiceSubmitted:hit=1:delay={SLOW_MATCH_S:g}",
    }
    settings = {"matching": {"KAFKA_MAX_POLL_INTERVAL_MS": str(POLL_INTERVAL_MS)}}
    scenario.injected = (
        f"while {SIZE} invoices are submitted: the notifier's handler of InvoiceApproved #2 takes {SLOW_EMAIL_S:g} s "
        f"and the notifier gets SIGTERM during it, then is restarted; matching runs as two processes in one group, "
        f"the first with max_poll_interval_ms {POLL_INTERVAL_MS} and {SLOW_MATCH_S:g} s on the first InvoiceSubmitted "
        "it handles"
    )
    scenario.expected = (
        "notifier: the slow handler finishes, its offset is committed, the process shuts down completely, one "
        "email row for that event; matching: exactly one failed offset commit, the slow event's, in the slow "
        "process, which rejoins the group (two members, stable); every invoice approved, exactly one verdict and "
        "one approval email per invoice"
    )
    observed: dict[str, Any] = {}

    async def second_matching() -> None:
        stack.start_service("matching", instance=SECOND)
        await asyncio.to_thread(stack.wait_ready, (SECOND,))

    async def sigterm_during_the_slow_email(armed: Armed, log: ServiceLog) -> None:
        slow = await log.event(DELAYING, timeout_s=SETTLE_S)
        event_id = slow["event_id"]
        observed["notifier_exit_code"] = await terminated(stack, "notifier")
        partition, offset = await locate(stack.bootstrap_servers, INVOICES_TOPIC, event_id)
        events = [line["event"] for line in log.lines()]
        observed["notifier"] = {
            "slow_event": {"type": slow["event_type"], "id": event_id, "partition": partition, "offset": offset},
            # The slow handler ended, then the runtime's shutdown did (not the 30 s kill of a hung one).
            "handler_finished_before_exit": DELAY_OVER in events
            and "service stopped" in events
            and events.index(DELAY_OVER) < events.index("service stopped"),
            "committed_offset_at_exit": await committed_offset(
                stack.bootstrap_servers, NOTIFIER_INVOICES, INVOICES_TOPIC, partition
            ),
            "inbox_records_at_exit": await inbox_records(stack, "notifier", NOTIFIER_INVOICES, event_id),
            "email_rows_at_exit": await emails_of(stack, event_id),
        }
        await armed.recover("notifier")

    async def rejoined() -> tuple[str, int] | None:
        state, members = await group_state(stack.bootstrap_servers, INVOICES_GROUP)
        return (state, members) if state == "Stable" and members == 2 else None

    async with Armed(stack, points, settings) as armed:
        try:
            async with asyncio.TaskGroup() as group:  # prepare while the services (re)start
                preparing = group.create_task(prepare_flow(portal, f"s{uuid.uuid4().hex[:6]}", SIZE))
                group.create_task(armed.start())
                group.create_task(second_matching())
            flow = preparing.result()
            scenario.observed["prepare_s"] = flow.prepared_in_s
            matching_log = armed.logs["matching"]
            stopping = asyncio.create_task(sigterm_during_the_slow_email(armed, armed.logs["notifier"]))
            try:
                for invoice in flow.invoices:
                    await submit(api, flow, invoice)
                    await asyncio.sleep(0.03)  # a steady flow, not one burst
                await asyncio.wait_for(stopping, timeout=SETTLE_S)
                slow = await matching_log.event(DELAYING, timeout_s=SETTLE_S)
                await poll_until(
                    lambda: [e for e in matching_log.events(COMMIT_FAILED) if e.get("event_id") == slow["event_id"]],
                    timeout_s=SETTLE_S,
                    what="the commit after the slow handler to fail",
                )
                started = time.monotonic()
                final = await all_approved(api, flow)
                await all_emailed(api, mailbox, flow)
                scenario.observed["settled_s"] = round(time.monotonic() - started, 2)
                # Not stuck: the slow process is back in the group, beside the other one.
                group_after = await poll_until(rejoined, timeout_s=SETTLE_S, interval_s=0.1, what="the group")
            finally:
                stopping.cancel()
            slow_match = matching_log.events(DELAYING)  # exactly one: the point fires once
            failed_commits = matching_log.events(COMMIT_FAILED)
            matching_alive = stack.processes["matching"].poll() is None
        except BaseException:
            await asyncio.to_thread(stack.stop_service, SECOND)
            await settled(stack.bootstrap_servers, MATCHING_GROUPS)
            raise

        async def one_matching_as_usual() -> None:
            await asyncio.to_thread(stack.stop_service, SECOND)
            await settled(stack.bootstrap_servers, MATCHING_GROUPS)  # see ``settled``
            await armed.recover("matching")

        restoring = asyncio.create_task(one_matching_as_usual())  # while the outcome is read
        try:
            ours = set(flow.submitted)
            [slow] = slow_match
            partition, offset = await locate(stack.bootstrap_servers, INVOICES_TOPIC, slow["event_id"])
            verdicts = per_submission(await verdicts_of(stack, flow))
            emails = approval_emails(mailbox, flow)
            notifier = observed["notifier"]
            scenario.observed |= {
                "notifier_exit_code": observed["notifier_exit_code"],
                "notifier": notifier,
                "email_rows_for_slow_event": await emails_of(stack, notifier["slow_event"]["id"]),
                "matching": {
                    "slow_event": {
                        "type": slow["event_type"],
                        "id": slow["event_id"],
                        "partition": partition,
                        "offset": offset,
                    },
                    # The other consumers of the process may meet a rebalance too; this one is the point.
                    "failed_commits_of_the_slow_event": sum(
                        e.get("event_id") == slow["event_id"] for e in failed_commits
                    ),
                    "failed_commits_of_the_process": len(failed_commits),
                    "alive_after_the_flow": matching_alive,
                    "group_after_the_flow": {"state": group_after[0], "members": group_after[1]},
                    "inbox_records": await inbox_records(stack, "matching", INVOICES_GROUP, slow["event_id"]),
                    "committed_offset": await committed_offset(
                        stack.bootstrap_servers, INVOICES_GROUP, INVOICES_TOPIC, partition
                    ),
                },
                "invoices_submitted": len(ours),
                "statuses": dict(Counter(invoice["status"] for invoice in final.values())),
                "verdicts": summary(verdicts, {(invoice_id, 1) for invoice_id in ours}),
                "approval_emails": sum(emails.values()),
                "duplicate_emails": sum(n - 1 for n in emails.values()),
            }
        finally:
            await restoring
    # SIGTERM during a slow handler: it finished and its offset was committed before a clean exit
    # (uvicorn ends by re-raising the SIGTERM it handled, hence that exit status).
    assert observed["notifier_exit_code"] == -signal.SIGTERM
    assert notifier["slow_event"]["type"] == "InvoiceApproved"
    assert notifier["handler_finished_before_exit"] is True
    assert (notifier["committed_offset_at_exit"] or -1) > notifier["slow_event"]["offset"]
    assert notifier["inbox_records_at_exit"] == 1
    assert notifier["email_rows_at_exit"] == 1
    assert scenario.observed["email_rows_for_slow_event"] == 1
    # A handler slower than the poll interval: one failed commit, then the consumer went on.
    matching = scenario.observed["matching"]
    assert matching["slow_event"]["type"] == "InvoiceSubmitted"
    assert matching["failed_commits_of_the_slow_event"] == 1
    assert matching["alive_after_the_flow"] is True
    assert matching["inbox_records"] == 1
    assert (matching["committed_offset"] or -1) > offset
    # And nothing twice.
    assert len(ours) == SIZE
    assert {invoice["status"] for invoice in final.values()} == {"approved"}
    assert sorted(verdicts) == sorted((invoice_id, 1) for invoice_id in ours)
    assert all(c["events"] == 1 for c in verdicts.values()), verdicts
    assert emails == Counter({flow.numbers[invoice_id]: 1 for invoice_id in ours})
