"""The suppliers service on the real servers: a fresh database, migrated, and a fresh broker per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from portal_dev.testing import Servers, Tokens, running
from suppliers import migrate as suppliers_migrate
from suppliers.bootstrap import bootstrap
from suppliers.config import Settings


@pytest.fixture
async def service(
    servers: Servers, broker: str, tokens: Tokens, service_env_factory
) -> AsyncIterator[tuple[httpx.AsyncClient, object]]:  # type: ignore[no-untyped-def]
    database_url = await servers.migrated_database(
        "suppliers", suppliers_migrate.main, lambda url: service_env_factory("SUPPLIERS", url, broker)
    )
    settings = Settings(
        database_url=database_url,
        kafka_bootstrap_servers=broker,
        kafka_enable_idempotence=False,
        kafka_fetch_max_wait_ms=20,
        jwt_public_key_file=tokens.public_key_file,
        log_format="console",
    )
    runtime = bootstrap(settings)
    async with running(runtime) as client:
        yield client, runtime
