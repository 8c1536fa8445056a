"""The embedded default (`portal up`, what `make up` runs) crashed as an operator would crash it:
the broker SIGKILLed in a burst of submissions, then `portal up` itself SIGKILLed and started
again on the same data. Each ends with every invoice approved, one verdict and one approval event
and email per invoice, and no process left behind."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil
import pytest

from portal_dev.ports import free_port
from portal_dev.stack import DEFAULT_SERVICE_PORTS
from portal_dev.supervisor import read_state
from portal_dev.testing import CLIENT_LIMITS, Mailbox, poll_until
from tests.chaos.conftest import (
    FLOW_SIZE,
    SETTLE_S,
    Flow,
    Scenario,
    all_approved,
    approval_emails,
    prepare_flow,
    submit,
)
from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Portal

PORTAL = Path(sys.executable).with_name("portal")
START_S = 180.0
# Each scenario starts `portal up` from an empty data directory (PostgreSQL's initdb, every
# service's migrations), and one starts it twice: on a slow machine that alone nears the suite's
# five minutes per test.
pytestmark = pytest.mark.timeout(600)
# Settings of the environment that would point `portal up` at other servers than its own.
FOREIGN = ("KAFKA_BOOTSTRAP_SERVERS", "SMTP_HOST", "MAIL_SINK_DIR", "PORTAL_ENDPOINTS_FILE", "PORTAL_TEST_POSTGRES_URL")


class PortalUp:
    """`portal up` in a process of its own, on its own data directory and ports."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.http_port, self.postgres_port = free_port(), free_port()
        self.env = {
            name: value
            for name, value in os.environ.items()
            if name not in FOREIGN and not name.endswith(("_DATABASE_URL", "_HTTP_PORT"))
        }
        self.env |= {
            "PORTAL_DATA_DIR": str(data_dir),
            "PORTAL_HTTP_PORT": str(self.http_port),
            "PORTAL_POSTGRES_PORT": str(self.postgres_port),
            "PORTAL_KAFKA_PORT": str(free_port()),
            "SMTP_PORT": str(free_port()),
            "PORTAL_ADMIN_EMAIL": ADMIN_EMAIL,
            "PORTAL_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "PORTAL_LOG_FORMAT": "json",
            "COLUMNS": "200",
        }
        self.env |= {f"{name.upper()}_HTTP_PORT": str(free_port()) for name in DEFAULT_SERVICE_PORTS}
        self.process: subprocess.Popen[bytes] | None = None
        self.runs = 0

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def output(self, run: int | None = None) -> str:
        return (self.data_dir.parent / f"portal-up-{run or self.runs}.log").read_text(errors="replace")

    def start(self) -> None:
        self.runs += 1
        log = (self.data_dir.parent / f"portal-up-{self.runs}.log").open("ab")
        self.process = subprocess.Popen(
            [str(PORTAL), "up"], env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        deadline = time.monotonic() + START_S
        while "is up" not in self.output():
            assert self.process.poll() is None, f"portal up exited with {self.process.returncode}:\n{self.output()}"
            assert time.monotonic() < deadline, f"portal up not up after {START_S}s:\n{self.output()}"
            time.sleep(0.2)

    def children(self) -> dict[str, psutil.Process]:
        """Its children by name, as its supervisor's state names them."""
        found = {}
        for name, child in (read_state(self.data_dir) or {}).get("children", {}).items():
            try:
                found[name] = psutil.Process(child["pid"])
            except psutil.NoSuchProcess:
                continue
        return found

    def restarts(self, name: str) -> int:
        return int((read_state(self.data_dir) or {}).get("children", {}).get(name, {}).get("restarts", 0))

    def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.process is not None
        self.process.send_signal(sig)
        return self.process.wait(90)


def left_behind(processes: list[psutil.Process], *, timeout_s: float = 40.0) -> list[str]:
    """Those of ``processes`` (and their watchers) still running after ``timeout_s``."""
    _, alive = psutil.wait_procs(processes, timeout=timeout_s)
    return [f"{p.pid} {' '.join(p.cmdline()[:4])}" for p in alive if p.is_running()]


def lifeline_processes(parent_pid: int) -> list[psutil.Process]:
    """Every process bound to ``parent_pid`` by a lifeline (services, the mail sink, watchers)."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        command = process.info["cmdline"] or []
        if "portal_dev.lifeline" in command and command[command.index("--parent") + 1] == str(parent_pid):
            found.append(process)
    return found


@pytest.fixture(scope="module")
def portal_up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PortalUp]:
    running = PortalUp(tmp_path_factory.mktemp("portal-up") / "data")
    running.start()
    yield running
    if running.process is not None and running.process.poll() is None:
        running.stop()


@pytest.fixture
async def client(portal_up: PortalUp) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=portal_up.gateway_url + "/api/v1", timeout=30, limits=CLIENT_LIMITS) as api:
        yield api


def republished(portal_up: PortalUp) -> int:
    """Outbox rows the services' relays marked unsent again, having found the broker fresh, as
    their logs say (the processes that counted them in ``portal_outbox_republished_total`` may have
    ended since)."""
    total = 0
    for log in (portal_up.data_dir / "logs").glob("*.log"):
        for line in log.read_text(errors="replace").splitlines():
            if "found a fresh broker" in line:
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    total += int(json.loads(line)["republished"])
    return total


async def events_in_outbox(portal_up: PortalUp, service: str, event_type: str, key: str) -> Counter[str]:
    """How many events of ``event_type`` ``service`` ever produced, per value of ``data[key]``
    (its outbox keeps every event it produced, published or not, however often)."""
    url = f"postgresql://postgres@127.0.0.1:{portal_up.postgres_port}/portal_{service}"
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch("SELECT value FROM outbox WHERE event_type = $1", event_type)
    finally:
        await connection.close()
    return Counter(json.loads(row["value"])["data"][key] for row in rows)


async def settled(api: httpx.AsyncClient, portal_up: PortalUp, flow: Flow) -> dict[str, Any]:
    """Wait for every invoice approved and emailed; what there is of each, per invoice."""
    # The services wait for the broker and start again: longer than the other scenarios' settling.
    final = await all_approved(api, flow, timeout_s=max(SETTLE_S, 90.0))
    mailbox = Mailbox(portal_up.data_dir / "mail")
    numbers = set(flow.numbers.values())

    async def emailed() -> bool:
        return set(approval_emails(mailbox, flow)) == numbers

    await poll_until(emailed, timeout_s=SETTLE_S, interval_s=0.2, what="every approval email")
    ours = set(flow.submitted)
    verdicts = await events_in_outbox(portal_up, "matching", "MatchingVerdictIssued", "invoice_id")
    approvals = await events_in_outbox(portal_up, "invoicing", "InvoiceApproved", "invoice_id")
    emails = approval_emails(mailbox, flow)
    # Distinct emails per invoice: a copy the notifier sent again because it was killed between the
    # SMTP server's acceptance and recording it sent carries the same Message-ID (the email's id).
    distinct = {
        number: len(
            {
                message["Message-ID"]
                for message in mailbox.find(to=flow.supplier_email, subject_contains=f"Invoice {number} for PO")
            }
        )
        for number in numbers
    }
    return {
        "distinct_emails": distinct,
        "statuses": dict(Counter(invoice["status"] for invoice in final.values())),
        "verdicts": {i: verdicts[i] for i in ours},
        "approvals": {i: approvals[i] for i in ours},
        "emails": dict(emails),
        "numbers": numbers,
    }


def assert_once_each(found: dict[str, Any], flow: Flow, *, notifier_killed: bool = False) -> None:
    """Every invoice approved with one verdict, one InvoiceApproved and one approval email; when
    the notifier itself was killed, one distinct email (a copy sent again keeps its Message-ID)."""
    assert found["statuses"] == {"approved": len(flow.submitted)}
    assert set(found["verdicts"].values()) == {1}, found["verdicts"]
    assert set(found["approvals"].values()) == {1}, found["approvals"]
    once = {number: 1 for number in found["numbers"]}
    assert (found["distinct_emails"] if notifier_killed else found["emails"]) == once, found["emails"]


def summary(found: dict[str, Any]) -> dict[str, Any]:
    return {
        "statuses": found["statuses"],
        "verdict_events": sum(found["verdicts"].values()),
        "approval_events": sum(found["approvals"].values()),
        "approval_emails": sum(found["emails"].values()),
        "invoices_with_more_than_one_verdict": sum(1 for n in found["verdicts"].values() if n > 1),
        "duplicate_emails": sum(n - 1 for n in found["emails"].values()),
        "distinct_emails": sum(found["distinct_emails"].values()),
        "missing_emails": len(found["numbers"] - set(found["emails"])),
    }


async def submit_until_accepted(
    api: httpx.AsyncClient, flow: Flow, invoice: dict[str, Any], refused: Counter[str], *, timeout_s: float = 90.0
) -> None:
    """Submit one invoice as a client that retries would: while the services wait for the broker,
    the gateway answers 503 (the services behind it down) or nothing (itself down); each is counted."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            answer = await api.post(f"/invoices/{invoice['id']}/submit", headers=flow.supplier, timeout=10)
            if answer.status_code == 202:
                flow.submitted.append(invoice["id"])
                return
            assert answer.status_code in (502, 503, 504), answer.text
            refused[str(answer.status_code)] += 1
        except httpx.TransportError:
            refused["no answer"] += 1
        assert time.monotonic() < deadline, f"invoice {invoice['number']} not accepted after {timeout_s}s: {refused}"
        await asyncio.sleep(0.2)


async def test_the_embedded_broker_killed_in_a_burst_of_submissions_loses_nothing(
    portal_up: PortalUp, client: httpx.AsyncClient, scenario: Scenario
) -> None:
    scenario.injected = f"SIGKILL of the embedded broker under `portal up` while {FLOW_SIZE} invoices are submitted"
    scenario.expected = (
        "the supervisor stops the services, starts a broker again with its topics, then the services on it; "
        "submissions are answered 202, or 503 or nothing while the services are down, and then 202 when "
        "retried; every invoice "
        "approved with one verdict, one InvoiceApproved event and one approval email"
    )
    flow = await prepare_flow(
        Portal(client, Mailbox(portal_up.data_dir / "mail")), f"b{uuid.uuid4().hex[:6]}", FLOW_SIZE
    )
    before = len(flow.invoices) // 3
    for invoice in flow.invoices[:before]:
        await submit(client, flow, invoice)
    broker = portal_up.children()["broker"]
    broker.kill()
    killed_at = time.monotonic()
    refused: Counter[str] = Counter()
    for invoice in flow.invoices[before:]:
        await submit_until_accepted(client, flow, invoice, refused)

    async def broker_back() -> bool:
        return portal_up.restarts("broker") >= 1 and "broker" in portal_up.children()

    await poll_until(broker_back, timeout_s=90, what="the broker and the services started again")
    found = await settled(client, portal_up, flow)
    scenario.observed = {
        "invoices_submitted": len(flow.submitted),
        "submitted_after_the_kill": len(flow.submitted) - before,
        "answers_before_acceptance_while_restarting": dict(refused),
        "broker_restarts": portal_up.restarts("broker"),
        "events_published_again": republished(portal_up),
        "settled_s_after_the_kill": round(time.monotonic() - killed_at, 1),
        **summary(found),
    }
    assert len(flow.submitted) == FLOW_SIZE
    # No service met the new broker with what it knew of the lost one: stopped until it ran.
    assert "until the broker runs again" in portal_up.output(), portal_up.output()
    assert scenario.observed["events_published_again"] > 0  # what the lost broker had, sent again
    assert_once_each(found, flow)


async def test_portal_up_killed_then_started_again_on_the_same_data_loses_nothing_and_leaves_nothing(
    portal_up: PortalUp, client: httpx.AsyncClient, scenario: Scenario
) -> None:
    scenario.injected = (
        f"SIGKILL of `portal up` itself half-way through {FLOW_SIZE} submissions, then `portal up` again on the "
        "same data directory"
    )
    scenario.expected = (
        "every process of the first run ends by itself; the second run takes the lock over and starts; "
        "every invoice approved with one verdict, one InvoiceApproved event and one approval email; after a "
        "graceful stop no process is left"
    )
    flow = await prepare_flow(
        Portal(client, Mailbox(portal_up.data_dir / "mail")), f"k{uuid.uuid4().hex[:6]}", FLOW_SIZE
    )
    half = len(flow.invoices) // 2
    for invoice in flow.invoices[:half]:
        await submit(client, flow, invoice)
    assert portal_up.process is not None
    first_pid = portal_up.process.pid
    published_before = republished(portal_up)
    first_run = [*portal_up.children().values(), *lifeline_processes(first_pid)]
    # The burst goes on while it dies: submissions in flight get an answer or a refused connection.
    in_flight = [
        asyncio.create_task(client.post(f"/invoices/{invoice['id']}/submit", headers=flow.supplier))
        for invoice in flow.invoices[half : half + 2]
    ]
    await asyncio.sleep(0.05)
    portal_up.stop(signal.SIGKILL)
    answers = await asyncio.gather(*in_flight, return_exceptions=True)
    left = await asyncio.to_thread(left_behind, first_run)
    assert left == [], f"processes of the killed run still running: {left}"

    await asyncio.to_thread(portal_up.start)
    assert f"from pid {first_pid}, which is no longer running" in portal_up.output()
    for invoice, answer in zip(flow.invoices[half : half + 2], answers, strict=True):
        if isinstance(answer, httpx.Response) and answer.status_code == 202:
            flow.submitted.append(invoice["id"])
    # Those whose answer was lost are submitted again: accepted, or already submitted (409).
    for invoice in flow.invoices[half:]:
        if invoice["id"] in flow.submitted:
            continue
        answer = await client.post(f"/invoices/{invoice['id']}/submit", headers=flow.supplier)
        assert answer.status_code in (202, 409), answer.text
        flow.submitted.append(invoice["id"])
    found = await settled(client, portal_up, flow)
    published_again = republished(portal_up) - published_before

    second_pid = portal_up.process.pid
    second_run = [*portal_up.children().values(), *lifeline_processes(second_pid)]
    code = await asyncio.to_thread(portal_up.stop)
    left_after_stop = await asyncio.to_thread(left_behind, second_run, timeout_s=10)
    scenario.observed = {
        "invoices_submitted": len(flow.submitted),
        "processes_of_the_killed_run": len(first_run),
        "left_behind_by_the_kill": len(left),
        "answers_in_flight": [a.status_code if isinstance(a, httpx.Response) else type(a).__name__ for a in answers],
        "events_published_again": published_again,
        **summary(found),
        "graceful_stop_exit_code": code,
        "left_behind_by_the_stop": len(left_after_stop),
    }
    assert_once_each(found, flow, notifier_killed=True)
    assert published_again > 0  # the second run's broker is a fresh one
    assert code == 0 and left_after_stop == [], left_after_stop
