"""Fault injection against the whole system: every service in its own process on the embedded
servers, faults injected from outside (signals to service and broker processes, poison messages
written straight to the topics).

``make test`` runs a quick version (small counts, short faults); ``make chaos`` sets
``CHAOS_FULL=1`` for bigger counts and longer faults and keeps the report in ``var/chaos/``.
Each scenario records what was injected, what was expected and what was observed; the session
writes them to ``report.md`` and ``report.json`` (``var/chaos/`` with ``CHAOS_FULL=1`` or
``CHAOS_REPORT_DIR``, otherwise pytest's temporary directory).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from portal_dev.ports import free_port
from portal_dev.postgres import EmbeddedPostgres
from portal_dev.stack import Stack, StackConfig
from portal_dev.testing import CLIENT_LIMITS, TEST_STACK_ENV, Mailbox, on_cluster, poll_until
from shared.contracts.envelope import Envelope
from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Portal

FULL = os.environ.get("CHAOS_FULL", "") not in ("", "0")
# Invoices in a flow, and how long the broker is frozen.
FLOW_SIZE = 30 if FULL else 9
FREEZE_S = 20.0 if FULL else 5.0
# Deadline for the system to settle after a fault.
SETTLE_S = 120.0 if FULL else 45.0
REPO = Path(__file__).resolve().parents[2]


# -- the report --------------------------------------------------------------------------------
@dataclass
class Scenario:
    """What one scenario injected, expected and observed; filled in by the test."""

    name: str
    injected: str = ""
    expected: str = ""
    observed: dict[str, Any] = field(default_factory=dict)
    outcome: str = "not run"
    duration_s: float = 0.0
    error: str = ""


class Report:
    def __init__(self) -> None:
        self.scenarios: list[Scenario] = []

    def write(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        data = {
            "generated_at": datetime.now(UTC).isoformat(),
            "mode": "full" if FULL else "quick",
            "flow_size": FLOW_SIZE,
            "freeze_s": FREEZE_S,
            "scenarios": [vars(s) for s in self.scenarios],
        }
        (directory / "report.json").write_text(json.dumps(data, indent=2, default=str) + "\n")
        lines = [
            "# Chaos report",
            "",
            f"Mode: **{data['mode']}** (flow of {FLOW_SIZE} invoices, broker frozen {FREEZE_S:g} s), "
            f"generated {data['generated_at']}.",
            "",
            "| scenario | outcome | duration |",
            "| --- | --- | --- |",
        ]
        lines += [f"| {s.name} | {s.outcome} | {s.duration_s:.1f} s |" for s in self.scenarios]
        for s in self.scenarios:
            lines += [
                "",
                f"## {s.name} — {s.outcome}",
                "",
                f"- **Injected**: {s.injected}",
                f"- **Expected**: {s.expected}",
            ]
            lines.append("- **Observed**:")
            lines += [f"  - {key}: {json.dumps(value, default=str)}" for key, value in s.observed.items()]
            if s.error:
                lines += ["", "```", s.error[:4000], "```"]
        (directory / "report.md").write_text("\n".join(lines) + "\n")


_REPORT = Report()


def _report_dir(config: pytest.Config) -> Path:
    if os.environ.get("CHAOS_REPORT_DIR"):
        return Path(os.environ["CHAOS_REPORT_DIR"]).resolve()
    if FULL:
        return REPO / "var" / "chaos"
    return config._tmp_path_factory.getbasetemp() / "chaos"  # type: ignore[attr-defined]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    scenario: Scenario | None = getattr(item, "chaos_scenario", None)
    if scenario is None:
        return
    if report.when == "call" or (report.when == "setup" and report.failed):
        scenario.outcome = report.outcome
        if report.failed:
            scenario.error = str(report.longrepr)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not _REPORT.scenarios:
        return
    directory = _report_dir(session.config)
    _REPORT.write(directory)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"chaos report: {directory / 'report.md'}")


@pytest.fixture
def scenario(request: pytest.FixtureRequest) -> Iterator[Scenario]:
    record = Scenario(name=request.node.name)
    request.node.chaos_scenario = record
    _REPORT.scenarios.append(record)
    started = time.monotonic()
    yield record
    record.duration_s = round(time.monotonic() - started, 2)


# -- the system ----------------------------------------------------------------------------------
@contextlib.contextmanager
def running_stack(data_dir: Path, *, database_urls: dict[str, str] | None = None) -> Iterator[Stack]:
    """A stack of its own: PostgreSQL, broker, SMTP sink and every service as a process;
    ``database_urls`` puts services on databases of other servers."""
    config = StackConfig.for_tests(data_dir)
    config.database_urls = dict(database_urls or {})
    config.admin_email = ADMIN_EMAIL
    config.admin_password = ADMIN_PASSWORD
    config.extra_env = dict(TEST_STACK_ENV)
    running = Stack(config)
    try:
        running.start()
        yield running
    finally:
        if running.broker is not None and running.broker.process is not None:
            with contextlib.suppress(ProcessLookupError):  # never leave a frozen broker behind
                os.kill(running.broker.process.pid, signal.SIGCONT)
        running.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A fresh stack for the module (the default)."""
    with running_stack(tmp_path_factory.mktemp("chaos-stack")) as running:
        yield running


@pytest.fixture(scope="session")
def invoicing_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    """Invoicing's own PostgreSQL server in the shared stack, so that a scenario can restart one
    service's database (the other services share the stack's server)."""
    server = EmbeddedPostgres(tmp_path_factory.mktemp("invoicing-postgres") / "data", free_port())
    server.start()
    server.create_databases(["portal_invoicing"])
    yield server
    server.stop()


@pytest.fixture(scope="session")
def shared_stack(tmp_path_factory: pytest.TempPathFactory, invoicing_postgres: EmbeddedPostgres) -> Iterator[Stack]:
    """One stack for the modules whose faults leave the system whole (a stack takes ~20 s to start
    here); each scenario uses its own supplier and counts only its own invoices and messages."""
    urls = {"invoicing": invoicing_postgres.url("portal_invoicing")}
    with running_stack(tmp_path_factory.mktemp("chaos-shared-stack"), database_urls=urls) as running:
        yield running


@pytest.fixture
async def api(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=stack.config.gateway_url + "/api/v1", timeout=30, limits=CLIENT_LIMITS
    ) as client:
        yield client


@pytest.fixture
def mailbox(stack: Stack) -> Mailbox:
    return Mailbox(stack.config.mail_sink_dir)


@pytest.fixture
def portal(api: httpx.AsyncClient, mailbox: Mailbox) -> Portal:
    return Portal(api, mailbox)


# -- flows ---------------------------------------------------------------------------------------
@dataclass
class Flow:
    """One supplier, ``size`` one-line POs sent to it and a draft invoice for each (auto-approvable)."""

    buyer: dict[str, str]
    supplier_id: str
    supplier: dict[str, str]
    supplier_email: str
    pos: list[dict[str, Any]]
    invoices: list[dict[str, Any]]
    submitted: list[str] = field(default_factory=list)
    prepared_in_s: float = 0.0

    @property
    def numbers(self) -> dict[str, str]:
        return {invoice["id"]: invoice["number"] for invoice in self.invoices}


async def prepare_flow(portal: Portal, tag: str, size: int) -> Flow:
    started = time.monotonic()
    buyer = await portal.admin()
    email = f"sales@{tag}.example"
    supplier_id, supplier = await portal.onboard_supplier(buyer, name=f"Supplier {tag}", email=email)
    # A few at a time: this is set-up, not the fault.
    gate = asyncio.Semaphore(4)

    async def purchase_order(i: int) -> dict[str, Any]:
        async with gate:
            po = await portal.create_po(
                buyer, supplier_id, [{"description": f"Item {i}", "quantity": "10", "unit_price": "12.50"}]
            )
            await portal.submit_po(buyer, po["id"])
            return po

    async def invoice(i: int, po: dict[str, Any]) -> dict[str, Any]:
        async with gate:
            body = {"purchase_order_id": po["id"], "number": f"{tag.upper()}-{i:03d}", "issue_date": "2026-11-23"}
            return await portal.create_invoice(supplier, body)

    pos = list(await asyncio.gather(*(purchase_order(i) for i in range(size))))
    invoices = list(await asyncio.gather(*(invoice(i, po) for i, po in enumerate(pos))))
    return Flow(buyer, supplier_id, supplier, email, pos, invoices, prepared_in_s=round(time.monotonic() - started, 2))


async def submit(api: httpx.AsyncClient, flow: Flow, invoice: dict[str, Any], *, timeout_s: float = 60.0) -> None:
    """Submit one invoice; the submit is one database transaction in invoicing, so it must be accepted."""
    answer = await api.post(f"/invoices/{invoice['id']}/submit", headers=flow.supplier, timeout=timeout_s)
    assert answer.status_code == 202, answer.text
    flow.submitted.append(invoice["id"])


def approval_emails(mailbox: Mailbox, flow: Flow) -> Counter[str]:
    """How many approval emails the flow's supplier got, per invoice number."""
    numbers = set(flow.numbers.values())
    return Counter(
        number
        for number in numbers
        for _ in mailbox.find(to=flow.supplier_email, subject_contains=f"Invoice {number} for PO")
    )


async def statuses(api: httpx.AsyncClient, flow: Flow) -> dict[str, dict[str, Any]]:
    found = {}
    for invoice_id in flow.submitted:
        answer = await api.get(f"/invoices/{invoice_id}", headers=flow.supplier)
        assert answer.status_code == 200, answer.text
        found[invoice_id] = answer.json()
    return found


async def all_approved(api: httpx.AsyncClient, flow: Flow, *, timeout_s: float = SETTLE_S) -> dict[str, dict]:
    """Wait until every submitted invoice is approved; fail naming those that are not."""
    last: dict[str, dict] = {}

    async def done() -> bool:
        nonlocal last
        last = await statuses(api, flow)
        return all(invoice["status"] == "approved" for invoice in last.values())

    try:
        await poll_until(done, timeout_s=timeout_s, interval_s=0.2, what="every invoice to be approved")
    except AssertionError:
        stuck = Counter(invoice["status"] for invoice in last.values())
        raise AssertionError(f"not every invoice approved after {timeout_s}s: {dict(stuck)}") from None
    return last


# -- topics --------------------------------------------------------------------------------------
async def read_all(bootstrap_servers: str, topic: str, *, timeout_s: float = 30.0) -> list[Any]:
    """Every message of ``topic`` up to its current end offsets (without a consumer group)."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    topic = on_cluster(topic)

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False, fetch_max_wait_ms=20)
    await consumer.start()
    found: list[Any] = []
    try:

        async def partitions_known() -> set[int] | None:
            await consumer.topics()
            return consumer.partitions_for_topic(topic)

        partitions = [TopicPartition(topic, p) for p in await poll_until(partitions_known, what=f"{topic}")]
        consumer.assign(partitions)
        await consumer.seek_to_beginning()
        ends = await consumer.end_offsets(partitions)

        async def at_end() -> bool:
            for records in (await consumer.getmany(timeout_ms=100, max_records=1000)).values():
                found.extend(records)
            return all([await consumer.position(tp) >= ends[tp] for tp in partitions])

        await poll_until(at_end, timeout_s=timeout_s, what=f"the end of {topic}")
    finally:
        await consumer.stop()
    return found


def envelopes(records: list[Any], event_type: str) -> list[Envelope]:
    """The valid events of ``event_type`` among ``records`` (poison written by a scenario is skipped)."""
    found = []
    for record in records:
        try:
            envelope = Envelope.model_validate_json(record.value)
            if envelope.type == event_type:
                envelope.payload()
                found.append(envelope)
        except ValueError:
            continue
    return found


def per_key(items: list[Envelope], key: Any) -> dict[Any, dict[str, int]]:
    """For each key: how many messages, and how many distinct events (envelope ids) carry it."""
    messages: Counter[Any] = Counter()
    events: dict[Any, set[Any]] = {}
    for envelope in items:
        k = key(envelope)
        messages[k] += 1
        events.setdefault(k, set()).add(envelope.id)
    return {k: {"messages": messages[k], "events": len(events[k])} for k in messages}


def signal_name(sig: int) -> str:
    return signal.Signals(sig).name
