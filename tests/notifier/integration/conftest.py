"""Fixtures of the notifier integration tests: a real SMTP sink and the service on real servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from notifier import migrate as notifier_migrate
from notifier.bootstrap import bootstrap
from notifier.config import Settings
from notifier.entrypoints.reminder_scheduler import Clock, wall_clock
from portal_dev.ports import free_port
from portal_dev.testing import Servers, Tokens, running
from shared.db import make_engine
from shared.runtime import ServiceRuntime
from tests.notifier import samples
from tests.notifier.integration.mailbox import MailSink
from tests.notifier.integration.statements import StatementLog

Notifier = tuple[httpx.AsyncClient, ServiceRuntime]
StartNotifier = Callable[..., AbstractAsyncContextManager[Notifier]]


@pytest.fixture
async def mail_sink(tmp_path: Path) -> AsyncIterator[MailSink]:
    sink = MailSink(tmp_path / "mail", free_port())
    await sink.start()
    yield sink
    await sink.stop()


@pytest.fixture(scope="session")
def link_key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The key the sample events' links are sealed to (``samples.LINK_KEY_PEM``), as a file."""
    path = tmp_path_factory.mktemp("link-key") / "link-private.pem"
    path.write_bytes(samples.LINK_KEY_PEM)
    return path


@pytest.fixture
def start_notifier(
    servers: Servers, broker: str, tokens: Tokens, service_env_factory, link_key_file: Path
) -> StartNotifier:  # type: ignore[no-untyped-def]
    """Start the notifier on a fresh database; keyword arguments override its settings, ``clock``
    gives the reminder scheduler a clock the test moves."""

    @asynccontextmanager
    async def start(*, smtp_port: int, clock: Clock = wall_clock, **overrides: Any) -> AsyncIterator[Notifier]:
        database_url = await servers.migrated_database(
            "notifier", notifier_migrate.main, lambda url: service_env_factory("NOTIFIER", url, broker)
        )
        values: dict[str, Any] = {
            "database_url": database_url,
            "kafka_bootstrap_servers": broker,
            "kafka_enable_idempotence": not servers.embedded_broker,
            "kafka_fetch_max_wait_ms": 20,
            "consumer_retry_backoff_s": 0.05,
            "outbox_poll_interval_s": 0.2,
            "jwt_public_key_file": tokens.public_key_file,
            "link_private_key_file": link_key_file,
            "log_format": "console",
            "smtp_port": smtp_port,
            "email_retry_first_delay_s": 0.05,
            "email_retry_max_delay_s": 0.4,
            "sender_poll_interval_s": 0.5,
        }
        values.update(overrides)
        runtime = bootstrap(Settings(**values), clock=clock)
        async with running(runtime) as client:
            yield client, runtime

    return start


@pytest.fixture
async def statement_log(servers: Servers, service_env_factory) -> AsyncIterator[StatementLog]:  # type: ignore[no-untyped-def]
    """Sessions on a fresh notifier database (no service running), with what they say to it."""
    url = await servers.migrated_database(
        "notifier", notifier_migrate.main, lambda url: service_env_factory("NOTIFIER", url, "127.0.0.1:9")
    )
    engine = make_engine(url)
    try:
        yield StatementLog(engine)
    finally:
        await engine.dispose()
