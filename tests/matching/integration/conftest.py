"""Fixtures of the matching integration tests: the service on real servers, and the test's broker side."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import text

from matching import migrate as matching_migrate
from matching.bootstrap import bootstrap
from matching.config import Settings
from portal_dev.testing import Servers, Tokens, running
from shared.runtime import ServiceRuntime
from tests.matching.integration.wire import Wire


@dataclass
class Matching:
    client: httpx.AsyncClient
    runtime: ServiceRuntime

    async def scalar(self, sql: str, **params: object) -> object:
        """One value from the service's own database."""
        async with self.runtime.engine.connect() as conn:
            return (await conn.execute(text(sql), params)).scalar()


@pytest.fixture
async def matching(servers: Servers, broker: str, tokens: Tokens, service_env_factory) -> AsyncIterator[Matching]:  # type: ignore[no-untyped-def]
    database_url = await servers.migrated_database(
        "matching", matching_migrate.main, lambda url: service_env_factory("MATCHING", url, broker)
    )
    settings = Settings(
        database_url=database_url,
        kafka_bootstrap_servers=broker,
        kafka_enable_idempotence=not servers.embedded_broker,
        kafka_fetch_max_wait_ms=20,
        jwt_public_key_file=tokens.public_key_file,
        log_format="console",
        consumer_retry_backoff_s=0.05,
        # Long enough for a PO that arrives after its invoice; a missing read model is retried.
        consumer_wait_for_read_model_s=60,
    )
    runtime = bootstrap(settings)
    async with running(runtime) as client:
        yield Matching(client, runtime)


@pytest.fixture
async def wire(broker: str) -> AsyncIterator[Wire]:
    connection = Wire(broker)
    await connection.start()
    yield connection
    await connection.stop()
