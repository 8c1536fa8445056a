"""The same-shape floor (``bench.same_shape``) does per invoice what the product does: on a small
run of each, one invoice at a time, the writing commits in each database, the events each consumer
group consumed and the emails handed to SMTP are counted, and they are equal per invoice.

Writing commits are read from PostgreSQL's own log: for the run, the server logs every statement
(``log_statement = 'all'``) with its database, its virtual transaction id and its transaction id
(0 until the transaction first writes). A transaction wrote when one of its statements was logged
with a transaction id (its ``COMMIT`` at least, whatever statement wrote: a write inside a
``WITH`` under a ``SELECT`` too), or when it is a single data-modifying statement on its own (an
autocommitted ``UPDATE``, logged before it took an id); the distinct such transactions per
database are the commits that wrote. Events consumed are the moves of each group's committed
offsets; emails are the files of the SMTP sink.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bench.pipeline import Observer, Pipeline
from bench.same_shape import GROUPS, SameShapeFloor
from portal_dev.stack import Stack
from portal_dev.testing import CLIENT_LIMITS, poll_until
from shared.settings import plain_database_url

pytestmark = pytest.mark.e2e

INVOICES = 8
# The product's databases on an invoice's way, and the floor's that stand for them.
PRODUCT_DATABASES = {name: f"portal_{name}" for name in ("invoicing", "matching", "orders", "notifier")}
FLOOR_DATABASES = {name: f"bench_same_{name}" for name in PRODUCT_DATABASES}
_LOGGED = re.compile(r"^SHAPE (\S+) (\S+) (\d+) LOG:\s+(?:statement|execute [^:]*):\s*(.*)")
_MODIFYING = re.compile(r"(?i)(?:INSERT|UPDATE|DELETE|MERGE)\b")


class StatementLog:
    """PostgreSQL logs every statement, with its database and transaction, while open."""

    def __init__(self, stack: Stack) -> None:
        assert stack.postgres is not None
        self._url = plain_database_url(stack.database_url("gateway"))
        self._file: Path = stack.postgres.log_file
        self._start = 0

    async def _set(self, *statements: str) -> None:
        conn = await asyncpg.connect(self._url)
        try:
            for statement in statements:
                await conn.execute(statement)
            await conn.execute("SELECT pg_reload_conf()")
        finally:
            await conn.close()

    async def __aenter__(self) -> StatementLog:
        await self._set(
            "ALTER SYSTEM SET log_statement = 'all'", "ALTER SYSTEM SET log_line_prefix = 'SHAPE %d %v %x '"
        )
        await asyncio.sleep(0.5)  # the reload reaches every backend at its next statement
        self._start = self._file.stat().st_size
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._set("ALTER SYSTEM RESET log_statement", "ALTER SYSTEM RESET log_line_prefix")

    def writing_transactions(self) -> Counter[str]:
        """Per database, the distinct transactions that wrote since the log was opened."""
        with self._file.open("rb") as log:
            log.seek(self._start)
            text = log.read().decode("utf-8", "replace")
        seen = {
            (database, transaction)
            for line in text.splitlines()
            if (match := _LOGGED.match(line))
            for database, transaction, xid, statement in [match.groups()]
            if xid != "0" or _MODIFYING.match(statement)
        }
        return Counter(database for database, _ in seen)


async def _group_offsets(stack: Stack, groups: dict[str, list[str]]) -> dict[str, int]:
    """Per consumer group, the sum of its committed offsets on its topics."""
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.bootstrap_servers)
    await consumer.start()
    try:
        await consumer.topics()
        partitions = {
            group: [TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()]
            for group, topics in groups.items()
        }
    finally:
        await consumer.stop()
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.bootstrap_servers)
    await admin.start()
    try:
        found = {}
        for group, tps in partitions.items():
            offsets = await admin.list_consumer_group_offsets(group, partitions=tps)
            found[group] = sum(max(meta.offset, 0) for meta in offsets.values())
        return found
    finally:
        await admin.close()


async def _unsent_outbox_rows(urls: list[str]) -> int:
    unsent = 0
    for url in urls:
        conn = await asyncpg.connect(url)
        try:
            unsent += await conn.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
        finally:
            await conn.close()
    return unsent


async def _topic_ends(stack: Stack, topics: list[str]) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.bootstrap_servers)
    await consumer.start()
    try:
        await consumer.topics()
        tps = [TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()]
        return sum((await consumer.end_offsets(tps)).values())
    finally:
        await consumer.stop()


async def _quiet(stack: Stack, groups: dict[str, list[str]], database_urls: list[str]) -> dict[str, int]:
    """Wait until every outbox row is published and every group has consumed every record of its
    topics; then the counts no longer move. Returns the groups' offsets."""
    last: dict[str, Any] = {}

    async def settled() -> bool:
        if await _unsent_outbox_rows(database_urls):
            return False
        offsets = await _group_offsets(stack, groups)
        ends = {group: await _topic_ends(stack, topics) for group, topics in groups.items()}
        last["offsets"] = offsets
        last["behind"] = {group: ends[group] - offsets[group] for group in groups if offsets[group] != ends[group]}
        return offsets == ends

    # The groups first read what the tests before this one left on the stack: once more than a
    # minute on a slow machine. A failure names the groups still behind.
    try:
        await poll_until(settled, timeout_s=120, interval_s=0.2, what="every event published and consumed")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; records each group is behind: {last.get('behind')}") from None
    return dict(last["offsets"])


def _emails(stack: Stack) -> int:
    return len(list(stack.config.mail_sink_dir.glob("*.eml")))


async def _next_email(stack: Stack, before: int) -> int:
    """Wait for the sink to hold more than ``before`` emails; how many it holds."""
    await poll_until(lambda: _emails(stack) > before, timeout_s=30, what="the approval email")
    return _emails(stack)


def _per_invoice(before: dict[str, int], after: dict[str, int]) -> dict[str, float]:
    return {key: (after[key] - before.get(key, 0)) / INVOICES for key in after}


def _product_groups(stack: Stack) -> dict[str, list[str]]:
    prefix = stack.config.kafka_topic_prefix
    topics = {
        "invoice": "invoicing.invoice.v1",
        "verdict": "matching.verdict.v1",
        "purchase_order": "orders.purchase-order.v1",
    }
    return {prefix + group: [prefix + topics[topic]] for members in GROUPS.values() for group, topic in members.items()}


async def _product_run(stack: Stack, api: httpx.AsyncClient) -> dict[str, Any]:
    pipeline = Pipeline(stack, api)
    await pipeline.prepare()
    orders = await pipeline.purchase_orders(INVOICES)
    groups = _product_groups(stack)
    urls = [plain_database_url(stack.database_url(name)) for name in PRODUCT_DATABASES]
    offsets = await _quiet(stack, groups, urls)
    emails = first = _emails(stack)
    async with StatementLog(stack) as log:
        for po_id in orders:
            invoice = await pipeline.draft(po_id)
            scheduled = {invoice["id"]: time.time()}
            async with Observer(pipeline, scheduled, {invoice["id"]: invoice["number"]}, emails=False) as seen:
                await pipeline.submit(invoice["id"])
                await seen.observe()
            emails = await _next_email(stack, emails)
        after = await _quiet(stack, groups, urls)
        commits = log.writing_transactions()
    return {
        "emails": (_emails(stack) - first) / INVOICES,
        "commits": {name: commits[db] / INVOICES for name, db in PRODUCT_DATABASES.items()},
        "consumed": {
            g.removeprefix(stack.config.kafka_topic_prefix): n for g, n in _per_invoice(offsets, after).items()
        },
    }


async def _floor_run(stack: Stack, work_dir: Path) -> dict[str, Any]:
    floor = SameShapeFloor(stack, work_dir)
    async with floor.running(INVOICES):
        config = floor.config
        groups = {
            config.group(group): [config.topic(topic)]
            for members in GROUPS.values()
            for group, topic in members.items()
        }
        urls = list(config.dsns.values())
        offsets = await _quiet(stack, groups, urls)
        emails = first = _emails(stack)
        async with StatementLog(stack) as log:
            for _ in range(INVOICES):
                invoice_id = await floor.draft()
                await floor.submit(invoice_id)
                await floor.settled([invoice_id])
                emails = await _next_email(stack, emails)
            after = await _quiet(stack, groups, urls)
            commits = log.writing_transactions()
    prefix = f"bench-same-{floor.run_id}-"
    return {
        "emails": (_emails(stack) - first) / INVOICES,
        "commits": {name: commits[db] / INVOICES for name, db in FLOOR_DATABASES.items()},
        "consumed": {g.removeprefix(prefix): n for g, n in _per_invoice(offsets, after).items()},
    }


async def test_the_same_shape_floor_commits_consumes_and_mails_per_invoice_what_the_product_does(
    stack: Stack, tmp_path: Path
) -> None:
    if stack.postgres is None:
        pytest.fail("the count reads the embedded PostgreSQL's log; this stack has none")
    async with httpx.AsyncClient(
        base_url=stack.config.gateway_url + "/api/v1", timeout=60, limits=CLIENT_LIMITS
    ) as api:
        product = await _product_run(stack, api)
    floor = await _floor_run(stack, tmp_path / f"same-{uuid.uuid4().hex[:6]}")

    # Rounded per invoice: a commit of the system's own (a schedule, a check) may fall in the run.
    assert {k: round(v) for k, v in floor["commits"].items()} == {k: round(v) for k, v in product["commits"].items()}
    assert sum(round(v) for v in product["commits"].values()) == 18
    assert floor["consumed"] == product["consumed"]
    assert sum(product["consumed"].values()) == 12
    assert floor["emails"] == product["emails"] == 1
