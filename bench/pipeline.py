"""The pipeline under test: invoices submitted through the gateway until the verdict and the email.

Set-up, through the gateway as people do it: the stack's admin signs in, creates a supplier and
switches its portal on; the supplier accepts the invitation from the mail sink; the buyer creates
and sends one-line purchase orders that an invoice matches within tolerance (auto-approved).

How a verdict is seen: each invoice's status change is an event on ``invoicing.invoice.v1``
written in the same transaction that makes the status visible through the API; its envelope's
``occurred_at`` is that moment (taken inside the transaction, just before its commit). The
bench tails that topic, so it adds no polling load while it measures; after each phase it reads
every invoice once through the API and checks that its status is ``approved`` or ``pending``.
The email's time is its ``.eml`` file's mtime in the sink.

Per-hop shares come from timestamps already on the records: each envelope's ``occurred_at``
(the producing transaction) and each Kafka record's timestamp (set by the outbox relay's
producer when it publishes the row).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import functools
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from bench.cpu import CpuMeter
from bench.timing import closed_loop, open_loop, rate_in_window, stretches, summary_ms, tally, wait_for
from gateway.config import Settings as GatewaySettings
from gateway.entrypoints import operator
from portal_dev.stack import Stack
from shared.contracts.invoicing import INVOICES_TOPIC
from shared.contracts.matching import VERDICTS_TOPIC
from shared.settings import plain_database_url

FINAL_EVENTS = {"InvoiceApproved": "approved", "InvoiceApprovalRequested": "pending"}
HOPS = (
    "http (gateway + invoicing commit)",
    "outbox relay (invoicing: submitted)",
    "broker + matching",
    "outbox relay (matching)",
    "broker + invoicing (status)",
    "outbox relay (invoicing: status)",
    "broker + notifier + SMTP",
)
SUPPLIER_PASSWORD = "bench-supplier-password"
BUYER_PASSWORD = "bench-buyer-password"
_HEADERS = email.parser.BytesHeaderParser(policy=email.policy.default)
_SUBJECT = re.compile(r"^Invoice (\S+) for PO \S+ (approved|needs your approval)")


@dataclass
class Trace:
    """One invoice's times (wall clock, seconds)."""

    scheduled: float = 0.0  # set once the invoice's submit was sent (its events may come first)
    submitted_event: float | None = None  # InvoiceSubmitted.occurred_at
    submitted_published: float | None = None  # its record's timestamp
    verdict_event: float | None = None  # MatchingVerdictIssued.occurred_at
    verdict_published: float | None = None
    status_event: float | None = None  # InvoiceApproved / InvoiceApprovalRequested.occurred_at
    status_published: float | None = None
    status: str | None = None
    emailed: float | None = None

    def hops(self) -> list[float | None]:
        points = [
            self.scheduled,
            self.submitted_event,
            self.submitted_published,
            self.verdict_event,
            self.verdict_published,
            self.status_event,
            self.status_published,
            self.emailed,
        ]
        return stretches(points)


@dataclass(frozen=True)
class Seen:
    """What the bench reads of an event: its type, its invoice and when it occurred (seconds)."""

    type: str
    invoice_id: str
    occurred_at: float


class TopicTail:
    """Records of some topics from the moment it is opened (every partition, no consumer group),
    read by one consumer as the same-shape floor's tail reads its two topics: a consumer per topic,
    polled in turn, would also wait on a quiet topic while the other's records are there."""

    def __init__(self, bootstrap_servers: str, *topics: str) -> None:
        self.topics = topics
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers, enable_auto_commit=False, fetch_max_wait_ms=20
        )

    async def __aenter__(self) -> TopicTail:
        await self.consumer.start()
        assigned = []
        for topic in self.topics:
            partitions = self.consumer.partitions_for_topic(topic) or set()
            if not partitions:
                await self.consumer.topics()
                partitions = self.consumer.partitions_for_topic(topic) or set()
            assigned += [TopicPartition(topic, p) for p in partitions]
        self.consumer.assign(assigned)
        await self.consumer.seek_to_end()
        for tp in assigned:  # resolve the end offsets now, not at the first fetch after the phase
            await self.consumer.position(tp)
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.consumer.stop()

    async def poll(self) -> list[tuple[str, Seen, float]]:
        """New records as (their topic, what the bench reads of the event, record timestamp in
        seconds). Only the fields it needs are read, as the same-shape floor's tail reads its
        events: the observer's cost is the bench's, on the cores it measures."""
        found = []
        for records in (await self.consumer.getmany(timeout_ms=50, max_records=2000)).values():
            for record in records:
                try:
                    event = json.loads(record.value)
                    seen = Seen(
                        event["type"],
                        str(event["data"].get("invoice_id")),
                        datetime.fromisoformat(event["occurred_at"]).timestamp(),
                    )
                except (ValueError, KeyError, TypeError, AttributeError):
                    continue
                found.append((record.topic, seen, record.timestamp / 1000))
        return found


@dataclass
class Pipeline:
    stack: Stack
    api: httpx.AsyncClient
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    buyer: dict[str, str] = field(default_factory=dict)
    supplier: dict[str, str] = field(default_factory=dict)
    supplier_id: str = ""
    retries: int = 0
    _numbers: int = 0
    _po_emails: int = 0
    _started: float = field(default_factory=time.time)
    _subjects: dict[Path, str] = field(default_factory=dict)

    @property
    def mail_dir(self) -> Path:
        return self.stack.config.mail_sink_dir

    # -- set-up ------------------------------------------------------------------------------
    async def _post(self, path: str, who: dict[str, str], *, expect: int, not_yet: int = 0, **kw: Any) -> Any:
        """POST; an answer ``not_yet`` (the owning service has not heard of it yet) is tried again."""
        deadline = time.monotonic() + 60
        while True:
            answer = await self.api.post(path, headers=who, **kw)
            if answer.status_code == expect:
                return answer.json() if answer.content else {}
            if answer.status_code != not_yet or time.monotonic() > deadline:
                raise RuntimeError(f"POST {path} answered {answer.status_code}: {answer.text[:300]}")
            self.retries += 1
            await asyncio.sleep(0.05)

    async def prepare(self) -> None:
        """A buyer organisation of the run's own (made as an operator makes one), its supplier
        and the supplier's portal user: a running system's own tenants are left alone."""
        admin_email = f"admin@bench-{self.run_id}.example"
        await operator.create_organisation(
            GatewaySettings(database_url=self.stack.database_url("gateway")),
            name=f"Bench {self.run_id}",
            admin_email=admin_email,
            admin_password=BUYER_PASSWORD,
        )
        token = await self._post("/auth/token", {}, expect=200, json={"email": admin_email, "password": BUYER_PASSWORD})
        self.buyer = {"Authorization": f"Bearer {token['access_token']}"}
        address = f"sales@bench-{self.run_id}.example"
        body = {"name": f"Bench supplier {self.run_id}", "email": address, "currency": "EUR", "tolerance_rate": "5"}
        self.supplier_id = (await self._post("/suppliers", self.buyer, expect=201, json=body))["id"]
        await self._post(f"/suppliers/{self.supplier_id}/portal/activate", self.buyer, expect=200)
        invitation = await self._invitation(address)
        accepted = await self._post(
            f"/auth/invitations/{invitation}/accept", {}, expect=201, json={"password": SUPPLIER_PASSWORD}
        )
        self.supplier = {"Authorization": f"Bearer {accepted['access_token']}"}

    async def _invitation(self, address: str) -> str:
        found: list[str] = []

        async def arrived() -> bool:
            for path in self.mail_dir.glob("*.eml"):
                message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                if address in str(message["To"]):
                    body = message.get_body(preferencelist=("plain",))
                    match = re.search(r"/invitations/([A-Za-z0-9_\-]+)", body.get_content() if body else "")
                    if match:
                        found.append(match.group(1))
                        return True
            return False

        await wait_for(arrived, timeout_s=60, what=f"the invitation email to {address}")
        return found[0]

    async def purchase_orders(self, count: int, *, concurrency: int = 12) -> list[str]:
        """``count`` sent one-line POs to the supplier."""
        gate = asyncio.Semaphore(concurrency)

        async def one(i: int) -> str:
            async with gate:
                body = {
                    "supplier_id": self.supplier_id,
                    "currency": "EUR",
                    "delivery_date": "2027-06-15",
                    "lines": [{"description": f"Item {i}", "quantity": "10", "unit_price": "12.50"}],
                }
                po = await self._post("/purchase-orders", self.buyer, expect=201, not_yet=422, json=body)
                await self._post(f"/purchase-orders/{po['id']}/submit", self.buyer, expect=200)
                return str(po["id"])

        created = list(await asyncio.gather(*(one(i) for i in range(count))))
        await self._quiet(created)
        return created

    async def _quiet(self, po_ids: list[str]) -> None:
        """Wait until invoicing holds every PO as sent and the notifier has mailed each of them,
        so that set-up work does not overlap a measurement."""
        conn = await asyncpg.connect(plain_database_url(self.stack.database_url("invoicing")))
        try:

            async def known() -> bool:
                found = await conn.fetchval(
                    "SELECT count(*) FROM purchase_orders WHERE id = ANY($1::uuid[]) AND status <> 'draft'", po_ids
                )
                return bool(found == len(po_ids))

            await wait_for(known, timeout_s=120, what=f"invoicing to hear of {len(po_ids)} purchase orders")
        finally:
            await conn.close()
        self._po_emails += len(po_ids)

        async def mailed() -> bool:
            sent = 0
            for path in self.mail_dir.glob("*.eml"):
                if path.stat().st_mtime >= self._started:
                    subject = self._subjects.get(path)
                    if subject is None:
                        subject = self._subjects[path] = str(_HEADERS.parsebytes(path.read_bytes())["Subject"])
                    sent += subject.startswith("New purchase order")
            return sent >= self._po_emails

        await wait_for(mailed, timeout_s=120, what=f"the notifier to mail {self._po_emails} purchase orders")

    async def draft(self, po_id: str) -> dict[str, Any]:
        self._numbers += 1
        body = {"purchase_order_id": po_id, "number": f"B{self.run_id}-{self._numbers:06d}", "issue_date": "2026-11-23"}
        invoice: dict[str, Any] = await self._post("/invoices", self.supplier, expect=201, not_yet=404, json=body)
        return invoice

    async def drafts(self, po_ids: list[str], *, concurrency: int = 12) -> list[dict[str, Any]]:
        gate = asyncio.Semaphore(concurrency)

        async def one(po_id: str) -> dict[str, Any]:
            async with gate:
                return await self.draft(po_id)

        return list(await asyncio.gather(*(one(p) for p in po_ids)))

    async def submit(self, invoice_id: str) -> None:
        await self._post(f"/invoices/{invoice_id}/submit", self.supplier, expect=202)

    # -- phases ------------------------------------------------------------------------------
    async def saturation(
        self, po_ids: list[str], duration_s: float, *, clients: int = 32, warmup_s: float = 1.5
    ) -> dict[str, Any]:
        """``clients`` each create and submit an invoice, wait until it has a final status, and go
        on with the next, for ``duration_s`` (or until the POs run out): a closed loop end to end,
        so at most ``clients`` invoices are in flight and no backlog forms — the rate is one the
        pipeline sustains. Throughput = statuses committed between ``warmup_s`` after the start
        and the end of sending, per second."""
        numbers: dict[str, str] = {}
        scheduled: dict[str, float] = {}

        async def one(observer: Observer, po_id: str) -> None:
            at = time.time()
            invoice = await self.draft(po_id)
            numbers[invoice["id"]] = invoice["number"]
            scheduled[invoice["id"]] = at
            await self.submit(invoice["id"])
            await observer.final_status(invoice["id"])

        # Waits for the emails too, so that no backlog spills into the next phase.
        cpu = CpuMeter(self.stack)
        async with Observer(self, scheduled, numbers, emails=True, live=True) as observer:
            with cpu.measuring():
                start, sending_end, ran_out = await closed_loop(
                    po_ids, duration_s, clients, functools.partial(one, observer)
                )
                traces = await observer.observe()
        finished = [t.status_event for t in traces.values() if t.status_event is not None]
        return {
            "duration_s": round(sending_end - start, 2),
            "clients": clients,
            "submitted": len(scheduled),
            "ran_out_of_purchase_orders": ran_out,
            "throughput_per_s": round(rate_in_window(finished, start + warmup_s, sending_end), 1),
            "drained_after_s": round(max(finished) - sending_end, 2),
            "statuses": tally(t.status for t in traces.values()),
            # Draft, submit, matching, approval and its email: what one invoice costs where.
            "cpu_ms_per_invoice": cpu.per_item_ms(len(finished)),
            "cpu_cores_busy": cpu.cores_busy,  # over the phase, emails included (at most the machine's cores)
        }

    async def at_rate(self, drafts: list[dict[str, Any]], rate_per_s: float, duration_s: float) -> dict[str, Any]:
        """Open loop: submit ``drafts`` at their scheduled times; latency from the scheduled time."""
        numbers = {d["id"]: d["number"] for d in drafts}
        scheduled: dict[str, float] = {}

        async def send(i: int, at: float) -> None:
            invoice_id = drafts[i]["id"]
            scheduled[invoice_id] = at
            await self.submit(invoice_id)

        async with Observer(self, scheduled, numbers, emails=True) as observer:
            _, sent = await open_loop(rate_per_s, duration_s, send)
            traces = await observer.observe()
        confirmed = await self._confirm(list(traces))
        values = list(traces.values())
        hops = [t.hops() for t in values]
        return {
            "rate_per_s": round(rate_per_s, 1),
            "sent": sent,
            "to_status_ms": summary_ms(t.status_event - t.scheduled for t in values if t.status_event),
            "to_email_ms": summary_ms(t.emailed - t.scheduled for t in values if t.emailed),
            "hops_ms": {name: summary_ms(x for h in hops if (x := h[i]) is not None) for i, name in enumerate(HOPS)},
            "statuses": tally(t.status for t in values),
            "confirmed_via_api": confirmed,
        }

    async def _emails(self, traces: dict[str, Trace], numbers: dict[str, str], since: float) -> None:
        by_number = {numbers[i]: t for i, t in traces.items()}
        seen: set[Path] = set()

        async def all_sent() -> bool:
            for path in self.mail_dir.glob("*.eml"):
                if path in seen:
                    continue
                seen.add(path)
                mtime = path.stat().st_mtime
                if mtime < since:
                    continue
                match = _SUBJECT.match(str(_HEADERS.parsebytes(path.read_bytes())["Subject"]))
                if match and (t := by_number.get(match.group(1))) is not None:
                    t.emailed = mtime
            return all(t.emailed is not None for t in traces.values())

        await wait_for(all_sent, timeout_s=120, what=f"an email for each of {len(traces)} invoices")

    async def _confirm(self, invoice_ids: list[str]) -> int:
        """How many of ``invoice_ids`` the API shows as approved or pending."""
        gate = asyncio.Semaphore(8)

        async def one(invoice_id: str) -> bool:
            async with gate:
                answer = await self.api.get(f"/invoices/{invoice_id}", headers=self.supplier)
                return answer.status_code == 200 and answer.json()["status"] in ("approved", "pending")

        return sum(await asyncio.gather(*(one(i) for i in invoice_ids)))


class Observer:
    """The invoices' events from the moment it is entered, on ``invoicing.invoice.v1`` and
    ``matching.verdict.v1``. ``observe`` waits until every invoice of ``scheduled`` has a final
    status (and its email) and returns their traces. Not ``live``, it reads the topics only
    then, adding no load while a phase runs; ``live``, a task follows them throughout, so that
    ``final_status`` can wait for one invoice."""

    def __init__(
        self,
        pipeline: Pipeline,
        scheduled: dict[str, float],
        numbers: dict[str, str],
        *,
        emails: bool,
        live: bool = False,
    ) -> None:
        self._pipeline = pipeline
        self._scheduled = scheduled
        self._numbers = numbers
        self._emails = emails
        self._live = live
        self._seen: dict[str, Trace] = {}
        self._final: dict[str, asyncio.Event] = {}
        self._follower: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Observer:
        self.since = time.time() - 1
        servers = self._pipeline.stack.bootstrap_servers
        self._events = await TopicTail(servers, INVOICES_TOPIC, VERDICTS_TOPIC).__aenter__()
        if self._live:
            self._follower = asyncio.create_task(self._follow())
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._follower is not None:
            self._follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._follower
        await self._events.__aexit__()

    async def final_status(self, invoice_id: str, *, timeout_s: float = 120) -> None:
        """Wait until ``invoice_id`` has a final status (``live`` only)."""
        assert self._follower is not None, "final_status needs a live observer"
        try:
            await asyncio.wait_for(self._final_event(invoice_id).wait(), timeout_s)
        except TimeoutError:
            raise TimeoutError(f"invoice {invoice_id} had no final status within {timeout_s:g}s") from None

    async def observe(self) -> dict[str, Trace]:
        async def settled() -> bool:
            if self._follower is None:
                await self._read()
            elif self._follower.done():
                self._follower.result()  # its failure, not a timeout
            return all(self._final_event(i).is_set() for i in self._scheduled)

        await wait_for(settled, timeout_s=120, what=f"a verdict status for all {len(self._scheduled)} invoices")
        traces = {i: self._seen[i] for i in self._scheduled}
        for invoice_id, trace in traces.items():
            trace.scheduled = self._scheduled[invoice_id]
        if self._emails:
            await self._pipeline._emails(traces, self._numbers, self.since)
        return traces

    def _final_event(self, invoice_id: str) -> asyncio.Event:
        return self._final.setdefault(invoice_id, asyncio.Event())

    async def _follow(self) -> None:
        while True:
            await self._read()

    async def _read(self) -> None:
        for topic, event, published in await self._events.poll():
            t = self._seen.setdefault(event.invoice_id, Trace())
            if topic == VERDICTS_TOPIC:
                t.verdict_event, t.verdict_published = event.occurred_at, published
            elif event.type == "InvoiceSubmitted":
                t.submitted_event, t.submitted_published = event.occurred_at, published
            elif event.type in FINAL_EVENTS:
                t.status_event, t.status_published = event.occurred_at, published
                t.status = FINAL_EVENTS[event.type]
                self._final_event(event.invoice_id).set()
