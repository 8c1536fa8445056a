"""Test support: the real servers (external, testcontainers or embedded), polling with a
deadline, tokens, and a service runtime started in-process against those servers.

Which server a test run gets: an external one when its URL is set (``PORTAL_TEST_POSTGRES_URL``,
``KAFKA_BOOTSTRAP_SERVERS``), testcontainers when a Docker engine answers, otherwise the
embedded ones. Never mocks.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
from sqlalchemy import MetaData, event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from portal_dev.broker import EmbeddedBroker
from portal_dev.ports import free_port
from portal_dev.postgres import EmbeddedPostgres
from shared.auth import Principal, TokenIssuer, ensure_keypair
from shared.db import make_engine
from shared.kafka import PLAINTEXT, ensure_topics
from shared.outbox import NOTIFY_TRIGGER_SQL
from shared.runtime import ServiceRuntime
from shared.sealed_links import LinkOpener, LinkSealer, ensure_link_keys, new_link_keys
from shared.settings import plain_database_url

# The services' settings in the whole-system test stacks: quick group joins and retries, and idle
# consumers of the topics an invoice waits on that ask the embedded broker less often than
# `portal up`'s (50 ms against 20 ms; the others wait 250 ms, against 500 ms there, so that a
# changed setting reaches the other services sooner), so that two stacks and a browser share two
# cores: an idle stack kept 0.43 of a core busy at `portal up`'s waits of 2026-11-24 (20 / 100 ms),
# 0.25 at these. A hop costs up to 30 ms more.
TEST_STACK_ENV = {
    "KAFKA_SESSION_TIMEOUT_MS": "3000",
    "CONSUMER_RETRY_BACKOFF_S": "0.05",
    "KAFKA_FETCH_MAX_WAIT_MS": "50",
    "KAFKA_QUIET_FETCH_MAX_WAIT_MS": "250",
}

# The test clients of a running system drop an idle connection after 2 s, before the services'
# server (uvicorn, 5 s keep-alive) closes it: a request after a pause never goes out on a
# connection the server is closing (an ``httpx.ReadError``), as the services' own pools do.
CLIENT_LIMITS = httpx.Limits(keepalive_expiry=2.0)

T = TypeVar("T")


async def poll_until(
    probe: Callable[[], Any],
    *,
    timeout_s: float = 20.0,
    interval_s: float = 0.05,
    what: str = "condition",
) -> Any:
    """Call ``probe`` until it returns something truthy; fail with ``what`` after the deadline."""
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while True:
        result = probe()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        last = result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what} (last: {last!r})")
        await asyncio.sleep(interval_s)


# The outbox relay's statements, which run beside a consumer's on the same engine.
_RELAY_STATEMENTS = re.compile(r"FROM outbox WHERE sent_at IS NULL|UPDATE outbox SET sent_at")


@contextmanager
def statements_sent(engine: AsyncEngine) -> Iterator[list[str]]:
    """The statements ``engine`` sends while the block runs (the relay's left out): what a
    consumer's handling of an event costs the database, counted. ``BEGIN`` and ``COMMIT`` are the
    driver's and are not among them."""
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if not _RELAY_STATEMENTS.search(statement):
            sent.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def create_tables(url: str, metadata: MetaData) -> None:
    """``metadata``'s tables in the database at ``url``, with the outbox's NOTIFY trigger that
    wakes the relay: what a service's migrations give, for tests that define tables of their own."""
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            for statement in NOTIFY_TRIGGER_SQL:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


def docker_available() -> bool:
    if not shutil.which("docker"):
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def on_cluster(name: str) -> str:
    """A catalogue topic's or consumer group's name on the test's broker: with the test's prefix
    (``KAFKA_TOPIC_PREFIX``, which the ``broker`` fixture sets, as the services' settings read it)."""
    return os.environ.get("KAFKA_TOPIC_PREFIX", "") + name


@dataclass
class Servers:
    """One PostgreSQL server (a fresh database per user) and one broker (topics per user)."""

    postgres_url: str
    work_dir: Path
    broker_bootstrap: str | None = None
    _embedded_broker: EmbeddedBroker | None = None
    _stop: list[Callable[[], None]] = field(default_factory=list)
    _templates: dict[str, str] = field(default_factory=dict)

    async def create_database(self, prefix: str) -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        conn = await asyncpg.connect(plain_database_url(self.postgres_url))
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        base, _, _ = self.postgres_url.rpartition("/")
        return f"{base}/{name}"

    async def migrated_database(
        self, prefix: str, migrate_main: Callable[[], None], env: Callable[[str], dict[str, str]]
    ) -> str:
        """A fresh database with ``migrate_main`` applied. The migrations run once per server into a
        template database; each caller gets a copy of it (``CREATE DATABASE ... TEMPLATE`` copies
        files, far quicker than running every migration again)."""
        template = self._templates.get(prefix)
        if template is None:
            url = await self.create_database(f"{prefix}_template")
            await migrate(migrate_main, env(url))
            template = url.rpartition("/")[2]
            self._templates[prefix] = template
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        conn = await asyncpg.connect(plain_database_url(self.postgres_url))
        try:
            # A copy needs the template to itself: drop what the migrations left connected.
            await conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", template)
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        finally:
            await conn.close()
        base, _, _ = self.postgres_url.rpartition("/")
        return f"{base}/{name}"

    def new_topics(self, prefix: str) -> str:
        """Every topic of the catalogue named with ``prefix`` before, created on the broker (the
        configured one, else an embedded Tansu started on first use); returns its bootstrap servers."""
        bootstrap = self.bootstrap_servers
        asyncio.run(ensure_topics(bootstrap, security=PLAINTEXT, prefix=prefix))
        return bootstrap

    def drop_topics(self, prefix: str) -> None:
        """Delete the topics named with ``prefix``."""
        asyncio.run(delete_topics(self.bootstrap_servers, prefix))

    @property
    def bootstrap_servers(self) -> str:
        if self.broker_bootstrap:
            return self.broker_bootstrap
        if self._embedded_broker is None:
            self._embedded_broker = EmbeddedBroker(free_port(), self.work_dir / "broker.log")
            self._embedded_broker.start()
        return self._embedded_broker.bootstrap_servers

    def stop(self) -> None:
        if self._embedded_broker is not None:
            self._embedded_broker.stop()
        for stop in reversed(self._stop):
            stop()

    @property
    def embedded_broker(self) -> bool:
        return self.broker_bootstrap is None

    @classmethod
    def start(cls, work_dir: Path) -> Servers:
        work_dir.mkdir(parents=True, exist_ok=True)
        stops: list[Callable[[], None]] = []
        postgres_url = os.environ.get("PORTAL_TEST_POSTGRES_URL")
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        use_docker = (not postgres_url or not bootstrap) and docker_available()
        if not postgres_url:
            if use_docker:  # pragma: no cover - no Docker engine on the CI machine
                try:
                    from testcontainers.community.postgres import PostgresContainer
                except ImportError:
                    from testcontainers.postgres import PostgresContainer

                container = PostgresContainer("postgres:16-alpine").start()
                stops.append(container.stop)
                postgres_url = container.get_connection_url().replace("psycopg2", "asyncpg")
            else:
                pg = EmbeddedPostgres(work_dir / "postgres" / "data", free_port())
                pg.start()
                stops.append(pg.stop)
                postgres_url = pg.url()
        if not bootstrap and use_docker:  # pragma: no cover
            try:
                from testcontainers.community.kafka import KafkaContainer
            except ImportError:
                from testcontainers.kafka import KafkaContainer

            kafka = KafkaContainer().with_kraft().start()
            stops.append(kafka.stop)
            bootstrap = kafka.get_bootstrap_server()
        servers = cls(postgres_url=postgres_url, work_dir=work_dir, broker_bootstrap=bootstrap)
        servers._stop = stops
        return servers


async def delete_topics(bootstrap_servers: str, prefix: str) -> None:
    """Delete every topic whose name starts with ``prefix`` (a test's, when it is done)."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="portal-tests")
    await admin.start()
    try:
        names = [name for name in await admin.list_topics() if name.startswith(prefix)]
        if names:
            await admin.delete_topics(names)
    finally:
        await admin.close()


def service_keys(directory: Path) -> tuple[Path, Path]:
    """The keys a service built for a test looks for in ``directory``: the JWT pair and, beside
    it, the single-use links' pair. Returns the JWT's (private, public)."""
    ensure_link_keys(directory)
    return ensure_keypair(directory)


def link_keys(public_url: str) -> tuple[LinkSealer, LinkOpener]:
    """A sealer of links to ``public_url`` and the opener of what it seals, on a new key pair."""
    private, public = new_link_keys()
    return LinkSealer(public_url, public), LinkOpener(private)


class Tokens:
    """Signs tokens the way the gateway does, for tests that talk to one service directly."""

    def __init__(self, key_dir: Path) -> None:
        private, public = service_keys(key_dir)
        self.public_key_file = public
        self.private_key_file = private
        self._issuer = TokenIssuer(private.read_text())

    def buyer(self, tenant_id: uuid.UUID, *, admin: bool = True, user_id: uuid.UUID | None = None) -> str:
        return self._issuer.issue(
            Principal(
                user_id=user_id or uuid.uuid4(), role="buyer_admin" if admin else "buyer_user", tenant_id=tenant_id
            )
        )

    def supplier(self, *supplier_ids: uuid.UUID, user_id: uuid.UUID | None = None) -> str:
        return self._issuer.issue(
            Principal(user_id=user_id or uuid.uuid4(), role="supplier", supplier_ids=frozenset(supplier_ids))
        )

    def headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


async def migrate(migrate_main: Callable[[], None], env: dict[str, str]) -> None:
    """Run a service's ``migrate.main`` with ``env`` set, in a thread (Alembic runs its own loop)."""

    def _run() -> None:
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            migrate_main()
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    await asyncio.to_thread(_run)


@asynccontextmanager
async def running(runtime: ServiceRuntime) -> AsyncIterator[httpx.AsyncClient]:
    """Start the runtime in this event loop and give an HTTP client on its app."""
    await runtime.start()
    try:
        transport = httpx.ASGITransport(app=runtime.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield client
    finally:
        await runtime.stop()


async def read_topic(bootstrap_servers: str, topic: str, count: int, *, timeout_s: float = 20.0) -> list[Any]:
    """Read at least ``count`` messages of ``topic`` from the beginning, without a consumer group
    (no group join to wait for). Returns aiokafka ``ConsumerRecord`` objects."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    topic = on_cluster(topic)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False, fetch_max_wait_ms=20)
    await consumer.start()
    found: list[Any] = []
    try:

        async def partitions_known() -> set[int] | None:
            await consumer.topics()
            return consumer.partitions_for_topic(topic)

        partitions = await poll_until(partitions_known, what=f"metadata of {topic}")
        consumer.assign([TopicPartition(topic, p) for p in partitions])
        await consumer.seek_to_beginning()

        async def enough() -> bool:
            for records in (await consumer.getmany(timeout_ms=100)).values():
                found.extend(records)
            return len(found) >= count

        await poll_until(enough, timeout_s=timeout_s, what=f"{count} messages on {topic}")
    finally:
        await consumer.stop()
    return found


class Mailbox:
    """The SMTP sink's ``.eml`` files, parsed, for tests that read what was sent.

    The sink writes each message once, under a name of its own, and never changes it: each file is
    parsed once, the first time it is seen, with its recipients and subject, so that polling a
    mailbox of hundreds of messages costs a directory listing and the new files."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._parsed: dict[str, Received] = {}

    def received(self) -> list[Received]:
        """Every message in the sink, in the order it was received."""
        import email
        import email.policy

        if not self.directory.exists():
            return []
        found = []
        for path in sorted(self.directory.glob("*.eml")):
            entry = self._parsed.get(path.name)
            if entry is None:
                message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                entry = Received(path, message, str(message["To"]).lower(), str(message["Subject"]))
                self._parsed[path.name] = entry
            found.append(entry)
        return found

    def messages(self) -> list[Any]:
        return [entry.message for entry in self.received()]

    def texts(self) -> list[str]:
        """Every text part of every message, decoded."""
        return [
            part.get_content()
            for message in self.messages()
            for part in message.walk()
            if part.get_content_maintype() == "text"
        ]

    def find(self, *, to: str, subject_contains: str) -> list[Any]:
        return [entry.message for entry in self.received() if entry.to_me(to) and entry.about(subject_contains)]


@dataclass(frozen=True)
class Received:
    """One message the sink wrote: its file, the message parsed, and the headers tests look for."""

    path: Path
    message: Any
    to: str  # the To header, lower case
    subject: str

    def to_me(self, address: str) -> bool:
        return address.lower() in self.to

    def about(self, subject_contains: str) -> bool:
        return subject_contains.lower() in self.subject.lower()


def key_order(document: Any) -> Any:
    """Every object's keys in their order, nested objects included: what ``==`` on decoded JSON ignores."""
    if isinstance(document, dict):
        return [(key, key_order(value)) for key, value in document.items()]
    if isinstance(document, list):
        return [key_order(value) for value in document]
    return None


async def all_pages(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> list[Any]:
    """The items of every page of a list, from ``url`` (its query, ``limit`` included) on through
    each ``next_cursor``; every page must answer 200 with JSON."""
    items: list[Any] = []
    cursor = None
    while True:
        answer = await client.get(url + (f"&cursor={cursor}" if cursor else ""), headers=headers)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/json"
        items += answer.json()["items"]
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            return items
