"""Fault points armed in a running stack: a service restarted with ``PORTAL_FAULT_POINTS`` (see
``shared.faults``), its death or its delay read back from its exit code and its log, and what the
broker and its database say about it afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import signal
import subprocess
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from portal_dev.stack import Stack
from portal_dev.testing import Mailbox, poll_until
from shared.contracts.envelope import Envelope
from shared.contracts.invoicing import INVOICES_TOPIC
from shared.contracts.matching import VERDICTS_TOPIC
from shared.settings import plain_database_url
from tests.chaos.conftest import SETTLE_S, Flow, envelopes, per_key, read_all

KILLED = -signal.SIGKILL


@dataclass
class ServiceLog:
    """The JSON log lines a service process writes from now on (its log file is appended to)."""

    path: Path
    start: int

    @classmethod
    def from_now(cls, stack: Stack, name: str) -> ServiceLog:
        path = stack.logs_dir / f"{name}.log"
        return cls(path, path.stat().st_size if path.exists() else 0)

    def lines(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        with self.path.open("rb") as file:
            file.seek(self.start)
            text = file.read().decode(errors="replace")
        found = []
        for line in text.splitlines():
            with contextlib.suppress(ValueError):
                parsed = json.loads(line)
                if isinstance(parsed, dict):
                    found.append(parsed)
        return found

    def events(self, event: str) -> list[dict[str, Any]]:
        return [line for line in self.lines() if line.get("event") == event]

    async def event(self, event: str, *, timeout_s: float = 60.0) -> dict[str, Any]:
        """Wait for the first line ``event`` written since this log was opened."""
        found: list[dict[str, Any]] = await poll_until(
            lambda: self.events(event), timeout_s=timeout_s, interval_s=0.05, what=f"{event!r} in {self.path.name}"
        )
        return found[0]


class Armed:
    """Services restarted with fault points (``start``) within an ``async with`` block.

    ``restart`` starts services again, with other fault points or (``None``) without any, e.g.
    after a fault point killed them; on leaving the block every service still armed is started
    again without fault points, so that the stack is whole for the next scenario whatever happened.
    """

    def __init__(self, stack: Stack, points: dict[str, str], env: dict[str, dict[str, str]] | None = None) -> None:
        self.stack = stack
        self.points = points
        self.env = env or {}
        self.logs: dict[str, ServiceLog] = {}
        self.armed: set[str] = set()

    async def __aenter__(self) -> Armed:
        return self

    async def start(self) -> None:
        """Restart the services with their fault points (a scenario may prepare meanwhile)."""
        await self.restart(dict(self.points), self.env)

    async def __aexit__(self, *_: object) -> None:
        if self.armed:
            await self.restart(dict.fromkeys(self.armed))

    async def restart(self, points: dict[str, str | None], env: dict[str, dict[str, str]] | None = None) -> None:
        """Stop these services (if they run) and start them with these fault points (and settings,
        by service); ``None`` starts a service as it normally runs. Wait until they are ready."""
        names = tuple(points)
        await asyncio.gather(*(asyncio.to_thread(self.stack.stop_service, name) for name in names))
        for name, spec in points.items():
            self.logs[name] = ServiceLog.from_now(self.stack, name)
            extra = {"PORTAL_FAULT_POINTS": spec, **(env or {}).get(name, {})} if spec else None
            self.stack.start_service(name, extra_env=extra)
            if spec:
                self.armed.add(name)
            else:
                self.armed.discard(name)
        await asyncio.to_thread(self.stack.wait_ready, names)

    async def recover(self, name: str) -> None:
        """Start the service again without fault points."""
        await self.restart({name: None})

    async def exited(self, name: str, *, timeout_s: float = 60.0) -> int:
        """Wait for the armed process to end by itself; its return code (``KILLED`` for SIGKILL)."""
        return await exited(self.stack, name, timeout_s=timeout_s)

    def kill_line(self, name: str) -> dict[str, Any]:
        """The log line the fault point wrote just before it killed the process."""
        [line] = self.logs[name].events("fault point reached; killing the process")
        return line


async def exited(stack: Stack, name: str, *, timeout_s: float = 60.0) -> int:
    """Wait for a service process to end by itself; its return code (``KILLED`` for SIGKILL)."""
    process: subprocess.Popen[bytes] = stack.processes[name]

    def ended() -> bool:
        return process.poll() is not None

    await poll_until(ended, timeout_s=timeout_s, interval_s=0.05, what=f"{name} to exit")
    if stack.processes.get(name) is process:
        del stack.processes[name]
    return int(process.returncode)


async def terminated(stack: Stack, name: str) -> int:
    """SIGTERM a service and wait for it to exit (``Stack`` kills it after 30 s); its return code."""
    process = stack.processes[name]
    await asyncio.to_thread(stack.stop_service, name, signal.SIGTERM)
    return int(process.returncode)


async def locate(bootstrap_servers: str, topic: str, event_id: str) -> tuple[int, int]:
    """The (partition, offset) of the first message of ``topic`` whose envelope id is ``event_id``."""
    for record in await read_all(bootstrap_servers, topic):
        with contextlib.suppress(ValueError):
            if str(Envelope.model_validate_json(record.value).id) == event_id:
                return record.partition, record.offset
    raise AssertionError(f"event {event_id} is not on {topic}")


@contextlib.asynccontextmanager
async def database(stack: Stack, service: str) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection to a service's database, to see what it committed while it was down."""
    conn = await asyncpg.connect(plain_database_url(stack.database_url(service)))
    try:
        yield conn
    finally:
        await conn.close()


async def emails_of(stack: Stack, event_id: str) -> int:
    """How many email rows the notifier holds for one event."""
    async with database(stack, "notifier") as conn:
        return int(await conn.fetchval("SELECT count(*) FROM emails WHERE source_event_id = $1::uuid", event_id))


async def inbox_records(stack: Stack, service: str, consumer: str, event_id: str) -> int:
    async with database(stack, service) as conn:
        count = await conn.fetchval(
            "SELECT count(*) FROM inbox WHERE consumer = $1 AND event_id = $2::uuid", consumer, event_id
        )
    return int(count)


async def committed_offset(bootstrap_servers: str, group: str, topic: str, partition: int) -> int | None:
    """The offset ``group`` has committed on a partition (asked without joining the group)."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    # The embedded broker's answer to the admin client's OffsetFetch does not decode; a consumer
    # that subscribes to nothing asks the coordinator itself.
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        committed: int | None = await consumer.committed(TopicPartition(topic, partition))
    finally:
        await consumer.stop()
    return committed


async def settled(bootstrap_servers: str, groups: list[str], *, timeout_s: float = 60.0) -> None:
    """Wait until no group is rebalancing. Stop a member only then: the embedded broker (Tansu 0.6)
    can keep a member that leaves in the middle of a rebalance as the group's leader, and a member
    that joins later waits for its assignment indefinitely."""

    async def all_settled() -> bool:
        states = [(await group_state(bootstrap_servers, group))[0] for group in groups]
        return all(state in ("Stable", "Empty", "Dead") for state in states)

    await poll_until(all_settled, timeout_s=timeout_s, interval_s=0.1, what=f"{', '.join(groups)} to settle")


async def group_state(bootstrap_servers: str, group: str) -> tuple[str, int]:
    """The group's state as the broker reports it, and how many members it has."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        [response] = await admin.describe_consumer_groups([group])
    finally:
        await admin.close()
    [described] = response.groups
    return str(described[2]), len(described[5])


APPROVED_SUBJECT = re.compile(r"^Invoice (\S+) for PO \S+ approved$")


def approval_emails(mailbox: Mailbox, flow: Flow) -> Counter[str]:
    """Approval emails to the flow's supplier, by invoice number."""
    return Counter(copy.number for copy in approval_copies(mailbox, flow))


@dataclass(frozen=True)
class Copy:
    """One message as the SMTP sink received it."""

    number: str
    message_id: str
    received_at: float  # when the sink wrote it (seconds since the epoch)


def approval_copies(mailbox: Mailbox, flow: Flow) -> list[Copy]:
    """Every approval message the sink received for the flow's supplier, a re-sent one included."""
    found = []
    for received in mailbox.received():
        if not received.to_me(flow.supplier_email):
            continue
        match = APPROVED_SUBJECT.match(received.subject)
        if match:
            found.append(Copy(match.group(1), str(received.message["Message-ID"]), received.path.stat().st_mtime))
    return found


async def all_emailed(api: httpx.AsyncClient, mailbox: Mailbox, flow: Flow, *, timeout_s: float = SETTLE_S) -> None:
    """Wait until every invoice of the flow has its approval email and nothing is left to send."""
    numbers = {flow.numbers[invoice_id] for invoice_id in flow.submitted}

    async def settled() -> bool:
        if set(approval_emails(mailbox, flow)) != numbers:
            return False
        pending = await api.get("/emails", params={"status": "pending"}, headers=flow.buyer)
        assert pending.status_code == 200, pending.text
        return pending.json()["items"] == []

    await poll_until(settled, timeout_s=timeout_s, interval_s=0.2, what="every approval email to be sent")


async def verdicts_of(stack: Stack, flow: Flow) -> list[Envelope]:
    """The verdict messages on the topic for the flow's invoices, in partition order."""
    ours = set(flow.submitted)
    return [
        e
        for e in envelopes(await read_all(stack.bootstrap_servers, VERDICTS_TOPIC), "MatchingVerdictIssued")
        if e.data["invoice_id"] in ours
    ]


async def invoice_events_of(stack: Stack, flow: Flow, event_type: str) -> list[Envelope]:
    """The ``event_type`` messages on the invoices topic for the flow's invoices, in partition order."""
    ours = set(flow.submitted)
    return [
        e
        for e in envelopes(await read_all(stack.bootstrap_servers, INVOICES_TOPIC), event_type)
        if e.data["invoice_id"] in ours
    ]


def per_submission(verdicts: list[Envelope]) -> dict[Any, dict[str, int]]:
    return per_key(verdicts, lambda e: (e.data["invoice_id"], e.data["submission"]))


def per_invoice(events: list[Envelope]) -> dict[Any, dict[str, int]]:
    return per_key(events, lambda e: e.data["invoice_id"])


def summary(counts: dict[Any, dict[str, int]], expected: set[Any]) -> dict[str, int]:
    """Events, duplicates and losses among ``counts`` for the keys ``expected``."""
    return {
        "events": sum(c["events"] for c in counts.values()),
        "messages": sum(c["messages"] for c in counts.values()),
        "duplicated": sum(c["events"] > 1 for c in counts.values()),
        "lost": len(expected - set(counts)),
        "republished_messages": sum(c["messages"] - c["events"] for c in counts.values()),
    }
