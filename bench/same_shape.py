"""The same-shape floor: one invoice's hops as the pipeline makes them, in raw code.

The product, for one auto-approved invoice, makes two authenticated HTTP requests through the
gateway's proxy (draft, submit), 18 writing commits in four databases, publishes five events
from four outboxes, has twelve of them consumed by eight consumer groups in four processes, and
hands one email to SMTP. This floor does exactly that, with nothing else: uvicorn with a bare ASGI
app for the gateway's proxy hop and invoicing's two requests, asyncpg, aiokafka, aiosmtplib; no
framework, no ORM, no validation beyond parsing the JSON and verifying the token's signature (the
gateway and the service each verify it, as in the product).

One process per service on the invoice's way (``gateway``, ``invoicing``, ``matching``,
``orders``, ``notifier``: ``python -m bench.same_shape <role> <config.json>``), each with its own
database and its own asyncpg pool, on the stack's PostgreSQL and broker and the stack's SMTP sink.
Per invoice:

========================  ====================================================================
invoicing (HTTP)          draft: read the order, insert the invoice and its line (commit 1);
                          submit: mark it submitted, outbox ``InvoiceSubmitted`` (2)
invoicing relay           publish, mark sent (3)
matching.invoices         ``InvoiceSubmitted``: inbox, read the order, the invoice, the verdict,
                          outbox ``VerdictIssued`` (matching 1); relay (2)
orders.invoices           ``InvoiceSubmitted``: inbox, the invoice (orders 1)
notifier.reminder-inv.    ``InvoiceSubmitted``: inbox, the invoice to remind of (notifier 1)
notifier.invoices         ``InvoiceSubmitted``: read and acknowledged, no effect
invoicing.verdicts        inbox, invoice approved, outbox ``InvoiceApproved`` (4); relay (5)
matching.invoices         ``InvoiceApproved``: inbox, the invoice's status (matching 3)
orders.invoices           ``InvoiceApproved``: inbox, the invoice, the order's invoiced quantity,
                          outbox the order's snapshot (orders 2); relay (3)
notifier.reminder-inv.    ``InvoiceApproved``: inbox, nothing left to remind of (notifier 2)
notifier.invoices         ``InvoiceApproved``: inbox, the email queued (3); the sender hands it
                          to SMTP, marks it sent, outbox ``EmailSent`` (4); relay (5)
invoicing.purchase-orders the order's snapshot: inbox, the order (6)
matching.purchase-orders  the order's snapshot: inbox, the order (matching 4)
notifier.purchase-orders  the order's snapshot: read and acknowledged, no effect
========================  ====================================================================

As in the services: one transaction per polled batch of a group (the batch's inbox rows written
with one statement, then the effects, their outbox rows written together before the commit),
offsets committed after it, a relay per database woken by ``NOTIFY`` on commit (and
polling every second), publishing with ``acks="all"`` and marking the rows sent, the email sender
woken the same way, its SMTP session kept open, and the pipeline topics' fetch wait. What it
omits: the envelope's schema validation, the events' full snapshots (its events carry ids and
the figures the next hop needs), templates and MIME (its email is plain text), the ORM, the
services' read models of users and suppliers, tracing, metrics, logs, idempotency keys, the
rules of matching beyond comparing the net total, and every consumer group that is not on an
invoice's way. ``tests/e2e/test_bench_same_shape.py`` counts, on a small run of each, the
writing commits per database, the events consumed per group and the emails: they are equal.
"""

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
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import aiosmtplib
import asyncpg
import jwt
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from bench.timing import closed_loop, open_loop, rate_in_window, stretches, summary_ms, tally

ROLES = ("gateway", "invoicing", "matching", "orders", "notifier")
DATABASES = ("invoicing", "matching", "orders", "notifier")
PARTITIONS = 6
TOLERANCE = Decimal("0.05")
ALGORITHM = "EdDSA"
AUDIENCE = "supplier-portal"
# The consumer groups on an invoice's way, by process, and the topic each reads.
GROUPS: dict[str, dict[str, str]] = {
    "invoicing": {"invoicing.verdicts": "verdict", "invoicing.purchase-orders": "purchase_order"},
    "matching": {"matching.invoices": "invoice", "matching.purchase-orders": "purchase_order"},
    "orders": {"orders.invoices": "invoice"},
    "notifier": {
        "notifier.invoices": "invoice",
        "notifier.reminder-invoices": "invoice",
        "notifier.purchase-orders": "purchase_order",
    },
}
EMAILS_CHANNEL = "same_shape_emails"
OUTBOX_CHANNEL = "same_shape_outbox"

_COMMON = f"""
CREATE TABLE IF NOT EXISTS inbox (
    consumer text NOT NULL, event_id uuid NOT NULL, received_at timestamptz NOT NULL,
    PRIMARY KEY (consumer, event_id));
CREATE TABLE IF NOT EXISTS outbox (
    id bigserial PRIMARY KEY, topic text NOT NULL, key text NOT NULL, value bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(), sent_at timestamptz);
CREATE INDEX IF NOT EXISTS ix_outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_notify('{OUTBOX_CHANNEL}', ''); RETURN NULL; END $$;
DROP TRIGGER IF EXISTS outbox_notify ON outbox;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
"""
SCHEMAS: dict[str, str] = {
    "invoicing": """
CREATE TABLE IF NOT EXISTS purchase_orders (
    id uuid PRIMARY KEY, supplier_id uuid NOT NULL, number text NOT NULL, status text NOT NULL,
    line_id uuid NOT NULL, quantity numeric NOT NULL, unit_price numeric NOT NULL,
    invoiced_quantity numeric NOT NULL DEFAULT 0, revision int NOT NULL);
CREATE TABLE IF NOT EXISTS invoices (
    id uuid PRIMARY KEY, supplier_id uuid NOT NULL, purchase_order_id uuid NOT NULL, number text NOT NULL,
    status text NOT NULL, net_total numeric NOT NULL, created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS invoice_lines (
    id uuid PRIMARY KEY, invoice_id uuid NOT NULL, purchase_order_line_id uuid NOT NULL,
    quantity numeric NOT NULL, unit_price numeric NOT NULL, net_amount numeric NOT NULL);
CREATE INDEX IF NOT EXISTS ix_invoice_lines_invoice ON invoice_lines (invoice_id);
""",
    "matching": """
CREATE TABLE IF NOT EXISTS purchase_orders (
    id uuid PRIMARY KEY, net_total numeric NOT NULL, invoiced_quantity numeric NOT NULL DEFAULT 0,
    revision int NOT NULL);
CREATE TABLE IF NOT EXISTS invoices (
    id uuid PRIMARY KEY, purchase_order_id uuid NOT NULL, status text NOT NULL, net_total numeric NOT NULL);
CREATE TABLE IF NOT EXISTS verdicts (
    id uuid PRIMARY KEY, invoice_id uuid NOT NULL, outcome text NOT NULL, issued_at timestamptz NOT NULL);
""",
    "orders": """
CREATE TABLE IF NOT EXISTS purchase_orders (
    id uuid PRIMARY KEY, supplier_id uuid NOT NULL, number text NOT NULL, quantity numeric NOT NULL,
    unit_price numeric NOT NULL, invoiced_quantity numeric NOT NULL DEFAULT 0, revision int NOT NULL);
CREATE TABLE IF NOT EXISTS invoices (
    id uuid PRIMARY KEY, purchase_order_id uuid NOT NULL, status text NOT NULL, quantity numeric NOT NULL);
""",
    "notifier": f"""
CREATE TABLE IF NOT EXISTS reminder_invoices (
    invoice_id uuid PRIMARY KEY, number text NOT NULL, status text NOT NULL);
CREATE TABLE IF NOT EXISTS emails (
    id uuid PRIMARY KEY, recipient text NOT NULL, subject text NOT NULL, message bytea NOT NULL,
    status text NOT NULL, attempts int NOT NULL DEFAULT 0, sent_at timestamptz);
CREATE INDEX IF NOT EXISTS ix_emails_queued ON emails (id) WHERE status = 'queued';
CREATE OR REPLACE FUNCTION emails_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_notify('{EMAILS_CHANNEL}', ''); RETURN NULL; END $$;
DROP TRIGGER IF EXISTS emails_notify ON emails;
CREATE TRIGGER emails_notify AFTER INSERT ON emails FOR EACH STATEMENT EXECUTE FUNCTION emails_notify();
""",
}


@dataclass
class Config:
    """What every process of the floor reads (written as JSON beside them)."""

    run_id: str
    bootstrap_servers: str
    dsns: dict[str, str]
    gateway_port: int
    invoicing_port: int
    smtp_host: str
    smtp_port: int
    public_key_file: str
    ready_dir: str
    fetch_max_wait_ms: int = 20
    batch_max_records: int = 100
    pool_size: int = 10
    recipient: str = "initiator@same-shape.example"

    def topic(self, name: str) -> str:
        return f"bench.same.{self.run_id}.{name}"

    def group(self, name: str) -> str:
        return f"bench-same-{self.run_id}-{name}"

    @classmethod
    def read(cls, path: Path) -> Config:
        return cls(**json.loads(path.read_text()))

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)))


def _event(kind: str, invoice_id: str, **data: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "type": kind, "invoice_id": invoice_id, "occurred_at": time.time(), **data}


# The outbox rows of a batch's effects, written together before its commit (as the services do).
_batch_outbox: ContextVar[list[tuple[str, str, bytes]] | None] = ContextVar("batch_outbox", default=None)
_OUTBOX = "INSERT INTO outbox (topic, key, value) VALUES ($1, $2, $3)"


async def _outbox(conn: asyncpg.Connection, topic: str, key: str, event: dict[str, Any]) -> None:
    event["occurred_at"] = time.time()
    row = (topic, key, json.dumps(event).encode())
    batch = _batch_outbox.get()
    if batch is None:
        await conn.execute(_OUTBOX, *row)
    else:
        batch.append(row)


async def _first_times(conn: asyncpg.Connection, group: str, event_ids: list[str]) -> set[str]:
    """A batch's inbox rows with one statement (as the services write them): the ids new to ``group``."""
    inserted = await conn.fetch(
        "INSERT INTO inbox (consumer, event_id, received_at) SELECT $1, event_id, now()"
        " FROM unnest($2::uuid[]) AS event_id ON CONFLICT DO NOTHING RETURNING event_id",
        group,
        [uuid.UUID(event_id) for event_id in event_ids],
    )
    return {str(row["event_id"]) for row in inserted}


async def _order_changed(conn: asyncpg.Connection, event: dict[str, Any]) -> None:
    """An order's snapshot, kept where it is newer (invoicing's and matching's copy of the order)."""
    await conn.execute(
        "UPDATE purchase_orders SET invoiced_quantity = $2, revision = $3 WHERE id = $1 AND revision < $3",
        uuid.UUID(event["purchase_order_id"]),
        Decimal(event["invoiced_quantity"]),
        event["revision"],
    )


# -- the parts every process has ------------------------------------------------------------------
class Relay:
    """The outbox relay: woken by NOTIFY on commit (and every second), reads the unsent rows,
    publishes them with ``acks="all"`` and marks them sent."""

    def __init__(self, dsn: str, producer: AIOKafkaProducer) -> None:
        self._dsn = dsn
        self._producer = producer
        self._wake = asyncio.Event()

    async def run(self) -> None:
        conn = await asyncpg.connect(self._dsn)
        await conn.add_listener(OUTBOX_CHANNEL, lambda *_: self._wake.set())
        while True:
            self._wake.clear()
            rows = await conn.fetch(
                "SELECT id, topic, key, value FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT 200"
            )
            if rows:
                sends = [
                    await self._producer.send(row["topic"], value=row["value"], key=row["key"].encode()) for row in rows
                ]
                await asyncio.gather(*sends)
                await conn.execute(
                    "UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[])", [r["id"] for r in rows]
                )
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 1.0)


Effect = Callable[[asyncpg.Connection, dict[str, Any]], Awaitable[None]]


class Group:
    """One consumer group: each polled batch handled in one transaction (inbox rows and effects),
    its offsets committed after the commit. Events of a type without an effect are acknowledged
    without touching the database, as the services do."""

    def __init__(self, config: Config, name: str, topic: str, pool: asyncpg.Pool, effects: dict[str, Effect]) -> None:
        self.name = name
        self._pool = pool
        self._effects = effects
        self.consumer = AIOKafkaConsumer(
            config.topic(topic),
            bootstrap_servers=config.bootstrap_servers,
            group_id=config.group(name),
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=config.fetch_max_wait_ms,
            session_timeout_ms=6000,
            heartbeat_interval_ms=600,
        )
        self._limit = config.batch_max_records

    async def run(self) -> None:
        while True:
            batches = await self.consumer.getmany(timeout_ms=1000, max_records=self._limit)
            events = [json.loads(record.value) for records in batches.values() for record in records]
            wanted = [event for event in events if event["type"] in self._effects]
            if wanted:
                async with self._pool.acquire() as conn, conn.transaction():
                    new = await _first_times(conn, self.name, [event["id"] for event in wanted])
                    rows: list[tuple[str, str, bytes]] = []
                    token = _batch_outbox.set(rows)
                    try:
                        for event in wanted:
                            if event["id"] in new:
                                new.discard(event["id"])
                                await self._effects[event["type"]](conn, event)
                    finally:
                        _batch_outbox.reset(token)
                    if rows:
                        await conn.executemany(_OUTBOX, rows)
            if events:
                await self.consumer.commit()


async def _serve(app: Callable[..., Awaitable[None]], port: int) -> None:
    import uvicorn

    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False, loop="auto")
    await uvicorn.Server(config).serve()


async def _body(receive: Callable[[], Awaitable[dict[str, Any]]]) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _respond(send: Callable[[dict[str, Any]], Awaitable[None]], status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Verifier:
    """The token's signature, audience and expiry, checked as the gateway and each service do,
    and, as they do, a token that passed kept (its claims) for the next requests until it expires."""

    def __init__(self, public_key_file: str) -> None:
        self._key = Path(public_key_file).read_bytes()
        self._passed: dict[bytes, dict[str, Any]] = {}

    def claims(self, scope: dict[str, Any]) -> dict[str, Any] | None:
        for name, value in scope["headers"]:
            if name == b"authorization" and value.startswith(b"Bearer "):
                token = value[7:]
                found = self._passed.get(token)
                if found is None:
                    try:
                        found = jwt.decode(token, self._key, algorithms=[ALGORITHM], audience=AUDIENCE)
                    except jwt.PyJWTError:
                        return None
                    self._passed[token] = found
                return found if time.time() < found["exp"] else None
        return None


# -- the processes -------------------------------------------------------------------------------
async def gateway(config: Config) -> None:
    """The proxy hop: the token verified, the request passed to invoicing as it came."""
    verifier = Verifier(config.public_key_file)
    upstream = f"http://127.0.0.1:{config.invoicing_port}"
    # Idle connections dropped after 2 s, before uvicorn's keep-alive (5 s) closes them under a
    # request, as the product's gateway does.
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100, keepalive_timeout=2.0))

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        if verifier.claims(scope) is None:
            await _respond(send, 401, b'{"title": "Unauthorized"}')
            return
        body = await _body(receive)
        path = scope["path"].removeprefix("/api/v1")
        headers = {k.decode(): v.decode() for k, v in scope["headers"] if k in (b"authorization", b"content-type")}
        async with session.request(scope["method"], upstream + path, data=body, headers=headers) as answer:
            await _respond(send, answer.status, await answer.read())

    (Path(config.ready_dir) / "gateway").touch()
    await _serve(app, config.gateway_port)


async def invoicing(config: Config, pool: asyncpg.Pool, producer: AIOKafkaProducer) -> list[Awaitable[None]]:
    verifier = Verifier(config.public_key_file)
    invoice_topic = config.topic("invoice")

    async def draft(claims: dict[str, Any], body: bytes) -> tuple[int, bytes]:
        request = json.loads(body)
        invoice_id = uuid.uuid4()
        async with pool.acquire() as conn, conn.transaction():
            po = await conn.fetchrow(
                "SELECT * FROM purchase_orders WHERE id = $1", uuid.UUID(request["purchase_order_id"])
            )
            if po is None or str(po["supplier_id"]) not in claims.get("supplier_ids", ()):
                return 404, b'{"title": "Not found"}'
            net = po["quantity"] * po["unit_price"]
            await conn.execute(
                "INSERT INTO invoices (id, supplier_id, purchase_order_id, number, status, net_total, created_at, "
                "updated_at) VALUES ($1, $2, $3, $4, 'draft', $5, now(), now())",
                invoice_id,
                po["supplier_id"],
                po["id"],
                request["number"],
                net,
            )
            await conn.execute(
                "INSERT INTO invoice_lines (id, invoice_id, purchase_order_line_id, quantity, unit_price, net_amount) "
                "VALUES ($1, $2, $3, $4, $5, $6)",
                uuid.uuid4(),
                invoice_id,
                po["line_id"],
                po["quantity"],
                po["unit_price"],
                net,
            )
        answer = {"id": str(invoice_id), "number": request["number"], "status": "draft", "net_total": str(net)}
        return 201, json.dumps(answer).encode()

    async def submit(claims: dict[str, Any], invoice_id: str) -> tuple[int, bytes]:
        async with pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                "UPDATE invoices SET status = 'submitted', updated_at = now() WHERE id = $1 AND status = 'draft' "
                "AND supplier_id = ANY($2::uuid[]) RETURNING purchase_order_id, number, net_total",
                uuid.UUID(invoice_id),
                list(claims.get("supplier_ids", ())),
            )
            if row is None:
                return 409, b'{"title": "Conflict"}'
            po_id = str(row["purchase_order_id"])
            event = _event("InvoiceSubmitted", invoice_id, purchase_order_id=po_id, number=row["number"])
            event["net_total"] = str(row["net_total"])
            await _outbox(conn, invoice_topic, po_id, event)
        return 202, json.dumps({"id": invoice_id, "status": "submitted"}).encode()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        claims = verifier.claims(scope)
        if claims is None:
            await _respond(send, 401, b'{"title": "Unauthorized"}')
            return
        body = await _body(receive)
        parts = scope["path"].strip("/").split("/")
        if scope["method"] == "POST" and parts == ["invoices"]:
            status, answer = await draft(claims, body)
        elif scope["method"] == "POST" and len(parts) == 3 and parts[0] == "invoices" and parts[2] == "submit":
            status, answer = await submit(claims, parts[1])
        else:
            status, answer = 404, b'{"title": "Not found"}'
        await _respond(send, status, answer)

    async def on_verdict(conn: asyncpg.Connection, event: dict[str, Any]) -> None:
        status = "approved" if event["outcome"] == "approved" else "pending"
        row = await conn.fetchrow(
            "UPDATE invoices SET status = $2, updated_at = now() WHERE id = $1 RETURNING purchase_order_id, number",
            uuid.UUID(event["invoice_id"]),
            status,
        )
        po_id = str(row["purchase_order_id"])
        kind = "InvoiceApproved" if status == "approved" else "InvoiceApprovalRequested"
        await _outbox(
            conn, invoice_topic, po_id, _event(kind, event["invoice_id"], purchase_order_id=po_id, number=row["number"])
        )

    groups = [
        Group(config, "invoicing.verdicts", "verdict", pool, {"VerdictIssued": on_verdict}),
        Group(config, "invoicing.purchase-orders", "purchase_order", pool, {"PurchaseOrderChanged": _order_changed}),
    ]
    return [_serve(app, config.invoicing_port), *_consuming(groups), Relay(config.dsns["invoicing"], producer).run()]


async def matching(config: Config, pool: asyncpg.Pool, producer: AIOKafkaProducer) -> list[Awaitable[None]]:
    verdict_topic = config.topic("verdict")

    async def on_submitted(conn: asyncpg.Connection, event: dict[str, Any]) -> None:
        po_id = event["purchase_order_id"]
        ordered = await conn.fetchval("SELECT net_total FROM purchase_orders WHERE id = $1", uuid.UUID(po_id))
        net = Decimal(event["net_total"])
        await conn.execute(
            "INSERT INTO invoices (id, purchase_order_id, status, net_total) VALUES ($1, $2, 'submitted', $3)",
            uuid.UUID(event["invoice_id"]),
            uuid.UUID(po_id),
            net,
        )
        within = ordered is not None and abs(net - ordered) <= ordered * TOLERANCE
        outcome = "approved" if within else "needs_approval"
        await conn.execute(
            "INSERT INTO verdicts (id, invoice_id, outcome, issued_at) VALUES ($1, $2, $3, now())",
            uuid.uuid4(),
            uuid.UUID(event["invoice_id"]),
            outcome,
        )
        verdict = _event("VerdictIssued", event["invoice_id"], purchase_order_id=po_id, outcome=outcome)
        await _outbox(conn, verdict_topic, po_id, verdict)

    async def on_status(conn: asyncpg.Connection, event: dict[str, Any]) -> None:
        await conn.execute("UPDATE invoices SET status = 'approved' WHERE id = $1", uuid.UUID(event["invoice_id"]))

    groups = [
        Group(
            config,
            "matching.invoices",
            "invoice",
            pool,
            {"InvoiceSubmitted": on_submitted, "InvoiceApproved": on_status},
        ),
        Group(config, "matching.purchase-orders", "purchase_order", pool, {"PurchaseOrderChanged": _order_changed}),
    ]
    return [*_consuming(groups), Relay(config.dsns["matching"], producer).run()]


async def orders(config: Config, pool: asyncpg.Pool, producer: AIOKafkaProducer) -> list[Awaitable[None]]:
    po_topic = config.topic("purchase_order")

    async def on_submitted(conn: asyncpg.Connection, event: dict[str, Any]) -> None:
        await conn.execute(
            "INSERT INTO invoices (id, purchase_order_id, status, quantity) "
            "SELECT $1, id, 'submitted', quantity FROM purchase_orders WHERE id = $2",
            uuid.UUID(event["invoice_id"]),
            uuid.UUID(event["purchase_order_id"]),
        )

    async def on_approved(conn: asyncpg.Connection, event: dict[str, Any]) -> None:
        quantity = await conn.fetchval(
            "UPDATE invoices SET status = 'approved' WHERE id = $1 RETURNING quantity", uuid.UUID(event["invoice_id"])
        )
        po = await conn.fetchrow(
            "UPDATE purchase_orders SET invoiced_quantity = invoiced_quantity + $2, revision = revision + 1 "
            "WHERE id = $1 RETURNING id, invoiced_quantity, revision",
            uuid.UUID(event["purchase_order_id"]),
            quantity,
        )
        snapshot = _event(
            "PurchaseOrderChanged",
            event["invoice_id"],
            purchase_order_id=str(po["id"]),
            invoiced_quantity=str(po["invoiced_quantity"]),
            revision=po["revision"],
        )
        await _outbox(conn, po_topic, str(po["id"]), snapshot)

    groups = [
        Group(
            config,
            "orders.invoices",
            "invoice",
            pool,
            {"InvoiceSubmitted": on_submitted, "InvoiceApproved": on_approved},
        )
    ]
    return [*_consuming(groups), Relay(config.dsns["orders"], producer).run()]


async def notifier(config: Config, pool: asyncpg.Pool, producer: AIOKafkaProducer) -> list[Awaitable[None]]:
    email_topic = config.topic("email")

    async def on_approved(conn: asyncpg.Connection, event: dict[str, Any]) -> None:
        subject = f"Invoice {event['number']} approved"
        message = (
            f"From: portal@same-shape.example\r\nTo: {config.recipient}\r\nSubject: {subject}\r\n"
            f"Message-ID: <{event['id']}@same-shape.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            f"Invoice {event['number']} for purchase order {event['purchase_order_id']} is approved.\r\n"
        )
        await conn.execute(
            "INSERT INTO emails (id, recipient, subject, message, status) VALUES ($1, $2, $3, $4, 'queued')",
            uuid.UUID(event["id"]),
            config.recipient,
            subject,
            message.encode(),
        )

    async def remember(conn: asyncpg.Connection, event: dict[str, Any]) -> None:
        await conn.execute(
            "INSERT INTO reminder_invoices (invoice_id, number, status) VALUES ($1, $2, 'submitted')",
            uuid.UUID(event["invoice_id"]),
            event["number"],
        )

    async def forget(conn: asyncpg.Connection, event: dict[str, Any]) -> None:
        await conn.execute(
            "UPDATE reminder_invoices SET status = 'approved' WHERE invoice_id = $1", uuid.UUID(event["invoice_id"])
        )

    async def sender() -> None:
        wake = asyncio.Event()
        listener = await asyncpg.connect(config.dsns["notifier"])
        await listener.add_listener(EMAILS_CHANNEL, lambda *_: wake.set())
        smtp = aiosmtplib.SMTP(hostname=config.smtp_host, port=config.smtp_port, start_tls=False)
        await smtp.connect()
        while True:
            wake.clear()
            queued = await pool.fetch(
                "SELECT id, recipient, message FROM emails WHERE status = 'queued' ORDER BY id LIMIT 50"
            )
            for email in queued:
                await smtp.sendmail("portal@same-shape.example", [email["recipient"]], email["message"])
                async with pool.acquire() as conn, conn.transaction():
                    await conn.execute(
                        "UPDATE emails SET status = 'sent', attempts = attempts + 1, sent_at = now() WHERE id = $1",
                        email["id"],
                    )
                    await _outbox(conn, email_topic, str(email["id"]), _event("EmailSent", str(email["id"])))
            if not queued:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), 1.0)

    groups = [
        Group(config, "notifier.invoices", "invoice", pool, {"InvoiceApproved": on_approved}),
        Group(
            config,
            "notifier.reminder-invoices",
            "invoice",
            pool,
            {"InvoiceSubmitted": remember, "InvoiceApproved": forget},
        ),
        Group(config, "notifier.purchase-orders", "purchase_order", pool, {}),
    ]
    return [*_consuming(groups), sender(), Relay(config.dsns["notifier"], producer).run()]


_groups_of_process: list[Group] = []


def _consuming(groups: list[Group]) -> list[Awaitable[None]]:
    _groups_of_process.extend(groups)
    return [group.run() for group in groups]


async def run_process(role: str, config: Config) -> None:
    if role == "gateway":
        await gateway(config)
        return
    dsn = config.dsns[role]
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=config.pool_size)
    producer = AIOKafkaProducer(bootstrap_servers=config.bootstrap_servers, acks="all", enable_idempotence=False)
    await producer.start()
    build = {"invoicing": invoicing, "matching": matching, "orders": orders, "notifier": notifier}[role]
    parts = await build(config, pool, producer)
    for group in _groups_of_process:
        await group.consumer.start()
    tasks = [asyncio.ensure_future(part) for part in parts]

    async def assigned() -> None:
        while not all(len(g.consumer.assignment()) == PARTITIONS for g in _groups_of_process):
            await asyncio.sleep(0.05)
        (Path(config.ready_dir) / role).touch()

    tasks.append(asyncio.ensure_future(assigned()))
    done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    for task in done:
        task.result()


def main() -> None:
    role, config_file = sys.argv[1], Path(sys.argv[2])
    loop = asyncio.new_event_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    with contextlib.suppress(RuntimeError):
        loop.run_until_complete(run_process(role, Config.read(config_file)))


# -- what the bench drives ------------------------------------------------------------------------
@dataclass
class Processes:
    """The floor's five processes, started and stopped by the bench."""

    config: Config
    work_dir: Path
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self) -> None:
        Path(self.config.ready_dir).mkdir(parents=True, exist_ok=True)
        config_file = self.work_dir / "config.json"
        self.config.write(config_file)
        for role in ROLES:
            log = (self.work_dir / f"{role}.log").open("ab")
            self.running[role] = subprocess.Popen(
                [sys.executable, "-m", "bench.same_shape", role, str(config_file)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            log.close()

    def ready(self) -> bool:
        for role, process in self.running.items():
            if process.poll() is not None:
                log = (self.work_dir / f"{role}.log").read_text()[-2000:]
                raise RuntimeError(f"the same-shape floor's {role} process ended (exit {process.returncode}):\n{log}")
        return all((Path(self.config.ready_dir) / role).exists() for role in ROLES)

    def stop(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.running.clear()

    def pids(self) -> dict[str, int]:
        return {f"floor {role}": process.pid for role, process in self.running.items()}


async def create_topics(config: Config) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=config.bootstrap_servers)
    await admin.start()
    try:
        names = ("invoice", "verdict", "purchase_order", "email")
        await admin.create_topics([NewTopic(config.topic(n), PARTITIONS, 1) for n in names])
    finally:
        await admin.close()


async def prepare_databases(config: Config) -> None:
    for name in DATABASES:
        conn = await asyncpg.connect(config.dsns[name])
        try:
            await conn.execute(_COMMON + SCHEMAS[name])
        finally:
            await conn.close()


async def seed_orders(config: Config, supplier_id: uuid.UUID, count: int) -> list[str]:
    """``count`` sent one-line orders of the supplier, known to invoicing, matching and orders as
    the product's are once their events were consumed (ten at 12.50: an invoice of them matches)."""
    ids = [uuid.uuid4() for _ in range(count)]
    quantity, price = Decimal(10), Decimal("12.50")
    tables = {
        "invoicing": [
            (i, supplier_id, f"PO-{n:06d}", "sent", uuid.uuid4(), quantity, price, Decimal(0), 1)
            for n, i in enumerate(ids)
        ],
        "matching": [(i, quantity * price, Decimal(0), 1) for i in ids],
        "orders": [(i, supplier_id, f"PO-{n:06d}", quantity, price, Decimal(0), 1) for n, i in enumerate(ids)],
    }
    columns = {
        "invoicing": (
            "id", "supplier_id", "number", "status", "line_id", "quantity", "unit_price", "invoiced_quantity",
            "revision",
        ),
        "matching": ("id", "net_total", "invoiced_quantity", "revision"),
        "orders": ("id", "supplier_id", "number", "quantity", "unit_price", "invoiced_quantity", "revision"),
    }  # fmt: skip
    for name, rows in tables.items():
        conn = await asyncpg.connect(config.dsns[name])
        try:
            await conn.copy_records_to_table("purchase_orders", records=rows, columns=columns[name])
            await conn.execute("ANALYZE purchase_orders")
        finally:
            await conn.close()
    return [str(i) for i in ids]


@contextlib.asynccontextmanager
async def started(config: Config, work_dir: Path, *, timeout_s: float = 60) -> AsyncIterator[Processes]:
    """The topics, the schemas and the five processes, ready (every group assigned its partitions)."""
    await create_topics(config)
    await prepare_databases(config)
    processes = Processes(config, work_dir)
    processes.start()
    try:
        deadline = time.monotonic() + timeout_s
        while not processes.ready():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the same-shape floor was not ready within {timeout_s:g}s")
            await asyncio.sleep(0.1)
        yield processes
    finally:
        processes.stop()


def topic_partitions(config: Config, name: str) -> list[TopicPartition]:
    return [TopicPartition(config.topic(name), p) for p in range(PARTITIONS)]


# -- the bench's side: the same closed and open loops as the pipeline's -----------------------------
HOPS = (
    "http (gateway + invoicing commit)",
    "outbox relay (invoicing: submitted)",
    "broker + matching",
    "outbox relay (matching)",
    "broker + invoicing (status)",
)
FINAL_EVENTS = {"InvoiceApproved": "approved", "InvoiceApprovalRequested": "pending"}


@dataclass
class Trace:
    """One invoice's times (wall clock, seconds), as the pipeline's ``Trace`` up to the status."""

    scheduled: float = 0.0
    submitted_event: float | None = None
    submitted_published: float | None = None
    verdict_event: float | None = None
    verdict_published: float | None = None
    status_event: float | None = None
    status: str | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    def hops(self) -> list[float | None]:
        points = [
            self.scheduled,
            self.submitted_event,
            self.submitted_published,
            self.verdict_event,
            self.verdict_published,
            self.status_event,
        ]
        return stretches(points)


class Tail:
    """The floor's invoice and verdict topics from the moment it starts (no group): its events'
    times, as the pipeline's observer reads the product's topics."""

    def __init__(self, config: Config, traces: dict[str, Trace]) -> None:
        self._traces = traces
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=config.bootstrap_servers, enable_auto_commit=False, fetch_max_wait_ms=20
        )
        self._partitions = topic_partitions(config, "invoice") + topic_partitions(config, "verdict")
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._consumer.start()
        self._consumer.assign(self._partitions)
        await self._consumer.seek_to_end()
        for tp in self._partitions:
            await self._consumer.position(tp)
        self._task = asyncio.create_task(self._follow())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._consumer.stop()

    async def _follow(self) -> None:
        while True:
            for records in (await self._consumer.getmany(timeout_ms=50, max_records=2000)).values():
                for record in records:
                    event = json.loads(record.value)
                    trace = self._traces.setdefault(event["invoice_id"], Trace())
                    kind, published = event["type"], record.timestamp / 1000
                    if kind == "InvoiceSubmitted":
                        trace.submitted_event, trace.submitted_published = event["occurred_at"], published
                    elif kind == "VerdictIssued":
                        trace.verdict_event, trace.verdict_published = event["occurred_at"], published
                    elif kind in FINAL_EVENTS:
                        trace.status_event, trace.status = event["occurred_at"], FINAL_EVENTS[kind]
                        trace.done.set()


@dataclass
class SameShapeFloor:
    """The floor's processes on the stack's servers, and the loops that measure them."""

    stack: Any  # portal_dev.stack.Stack
    work_dir: Path
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    traces: dict[str, Trace] = field(default_factory=dict)
    errors: int = 0
    processes: Processes | None = None
    _orders: list[str] = field(default_factory=list)

    @contextlib.asynccontextmanager
    async def running(self, orders: int) -> AsyncIterator[SameShapeFloor]:
        """The floor started with ``orders`` purchase orders to invoice, one invoice each."""
        import httpx
        from httpx_aiohttp import AiohttpTransport

        from portal_dev.ports import free_port

        config = Config(
            run_id=self.run_id,
            bootstrap_servers=self.stack.bootstrap_servers,
            dsns=await self._databases(),
            gateway_port=free_port(),
            invoicing_port=free_port(),
            smtp_host="127.0.0.1",
            smtp_port=self.stack.config.smtp_port,
            public_key_file=str(self.stack.public_key),
            ready_dir=str(self.work_dir / "ready"),
            fetch_max_wait_ms=int(self.stack.service_env("invoicing").get("KAFKA_FETCH_MAX_WAIT_MS", "500")),
            batch_max_records=int(self.stack.service_env("invoicing").get("CONSUMER_BATCH_MAX_RECORDS", "100")),
        )
        self.config = config
        self.work_dir.mkdir(parents=True, exist_ok=True)
        supplier_id = uuid.uuid4()
        self._headers = {"Authorization": f"Bearer {self._token(supplier_id)}"}
        async with started(config, self.work_dir) as processes:
            self.processes = processes
            self._orders = await seed_orders(config, supplier_id, orders)
            limits = httpx.Limits(max_connections=64, keepalive_expiry=2.0)
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{config.gateway_port}/api/v1",
                timeout=60,
                limits=limits,
                transport=AiohttpTransport(limits=limits),
            ) as api:
                self.api = api
                tail = Tail(config, self.traces)
                await tail.start()
                try:
                    yield self
                finally:
                    await tail.stop()

    async def _databases(self) -> dict[str, str]:
        """The floor's four databases: on the embedded PostgreSQL, or on the server of
        ``BENCH_FLOOR_DATABASE_URL`` (created there when missing)."""
        from shared.settings import plain_database_url

        names = {name: f"bench_same_{name}" for name in DATABASES}
        if os.environ.get("BENCH_FLOOR_DATABASE_URL"):
            base = plain_database_url(os.environ["BENCH_FLOOR_DATABASE_URL"])
            conn = await asyncpg.connect(base)
            try:
                for database in names.values():
                    if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
                        await conn.execute(f'CREATE DATABASE "{database}"')
            finally:
                await conn.close()
            return {name: base.rsplit("/", 1)[0] + "/" + database for name, database in names.items()}
        if self.stack.postgres is None:
            raise RuntimeError("the services use external databases: set BENCH_FLOOR_DATABASE_URL for the floor")
        self.stack.postgres.create_databases(list(names.values()))
        return {name: plain_database_url(self.stack.postgres.url(database)) for name, database in names.items()}

    def _token(self, supplier_id: uuid.UUID) -> str:
        claims = {
            "sub": str(uuid.uuid4()),
            "role": "supplier",
            "supplier_ids": [str(supplier_id)],
            "iss": "supplier-portal",
            "aud": AUDIENCE,
            "exp": int(time.time()) + 3600,
        }
        return jwt.encode(claims, Path(self.stack.private_key).read_bytes(), algorithm=ALGORITHM)

    def pids(self) -> dict[str, int]:
        return self.processes.pids() if self.processes else {}

    def next_order(self) -> str:
        if not self._orders:
            raise RuntimeError("the same-shape floor ran out of purchase orders: seed more")
        return self._orders.pop()

    async def draft(self) -> str:
        answer = await self.api.post(
            "/invoices",
            headers=self._headers,
            json={
                "purchase_order_id": self.next_order(),
                "number": f"S-{uuid.uuid4().hex[:10]}",
                "issue_date": "2026-11-23",
            },
        )
        if answer.status_code != 201:
            self.errors += 1
            raise RuntimeError(f"the floor's draft answered {answer.status_code}: {answer.text[:200]}")
        invoice_id: str = answer.json()["id"]
        return invoice_id

    async def submit(self, invoice_id: str) -> None:
        answer = await self.api.post(f"/invoices/{invoice_id}/submit", headers=self._headers)
        if answer.status_code != 202:
            self.errors += 1
            raise RuntimeError(f"the floor's submit answered {answer.status_code}: {answer.text[:200]}")

    async def drafts(self, count: int, *, concurrency: int = 12) -> list[str]:
        gate = asyncio.Semaphore(concurrency)

        async def one() -> str:
            async with gate:
                return await self.draft()

        return list(await asyncio.gather(*(one() for _ in range(count))))

    def _trace(self, invoice_id: str) -> Trace:
        return self.traces.setdefault(invoice_id, Trace())

    async def settled(self, ids: list[str], timeout_s: float = 120) -> None:
        deadline = time.monotonic() + timeout_s
        for invoice_id in ids:
            left = deadline - time.monotonic()
            try:
                await asyncio.wait_for(self._trace(invoice_id).done.wait(), max(left, 0.01))
            except TimeoutError:
                raise TimeoutError(f"the floor's invoice {invoice_id} had no status within {timeout_s:g}s") from None

    async def saturation(self, duration_s: float, *, clients: int = 32, warmup_s: float = 1.5) -> dict[str, Any]:
        """As the pipeline's: ``clients`` each draft, submit and wait for the status, then the next."""
        from bench.cpu import CpuMeter

        scheduled: dict[str, float] = {}

        async def one(_: int) -> None:
            at = time.time()
            invoice_id = await self.draft()
            scheduled[invoice_id] = at
            self._trace(invoice_id).scheduled = at
            await self.submit(invoice_id)
            await asyncio.wait_for(self._trace(invoice_id).done.wait(), 120)

        cpu = CpuMeter(self.stack, extra=self.pids())
        with cpu.measuring():
            start, sending_end, ran_out = await closed_loop(list(range(len(self._orders))), duration_s, clients, one)
            await self.settled(list(scheduled))
        finished = [t.status_event for i in scheduled if (t := self.traces[i]).status_event is not None]
        return {
            "duration_s": round(sending_end - start, 2),
            "clients": clients,
            "submitted": len(scheduled),
            "ran_out_of_purchase_orders": ran_out,
            "throughput_per_s": round(rate_in_window(finished, start + warmup_s, sending_end), 1),
            "drained_after_s": round(max(finished) - sending_end, 2) if finished else None,
            "statuses": tally(self.traces[i].status for i in scheduled),
            "cpu_ms_per_invoice": cpu.per_item_ms(len(finished)),
            "cpu_cores_busy": cpu.cores_busy,
        }

    async def at_rate(self, drafts: list[str], rate_per_s: float, duration_s: float) -> dict[str, Any]:
        """Open loop, as the pipeline's: ``drafts`` submitted at their scheduled times; latency from
        the scheduled time to the status's commit."""

        sent: list[str] = []

        async def send(i: int, at: float) -> None:
            invoice_id = drafts[i]
            self._trace(invoice_id).scheduled = at
            sent.append(invoice_id)
            await self.submit(invoice_id)

        _, count = await open_loop(rate_per_s, duration_s, send)
        await self.settled(sent)
        traces = [self.traces[i] for i in sent]
        return {
            "rate_per_s": round(rate_per_s, 1),
            "sent": count,
            "to_status_ms": summary_ms(t.status_event - t.scheduled for t in traces if t.status_event is not None),
            "hops_ms": {
                name: summary_ms(h for t in traces if (h := t.hops()[i]) is not None) for i, name in enumerate(HOPS)
            },
        }


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
