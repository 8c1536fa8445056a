"""The orders service on real PostgreSQL and a real broker, started in-process per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from orders import migrate as orders_migrate
from orders.bootstrap import bootstrap
from orders.config import Settings
from portal_dev.testing import Servers, Tokens, running
from tests.orders.integration.support import OrdersService


@pytest.fixture
async def orders(servers: Servers, broker: str, tokens: Tokens, service_env_factory) -> AsyncIterator[OrdersService]:  # type: ignore[no-untyped-def]
    database_url = await servers.migrated_database(
        "orders", orders_migrate.main, lambda url: service_env_factory("ORDERS", url, broker)
    )
    settings = Settings(
        database_url=database_url,
        kafka_bootstrap_servers=broker,
        kafka_enable_idempotence=not servers.embedded_broker,
        kafka_fetch_max_wait_ms=20,
        consumer_retry_backoff_s=0.05,
        jwt_public_key_file=tokens.public_key_file,
        log_format="console",
    )
    runtime = bootstrap(settings)
    async with running(runtime) as client:
        yield OrdersService(client=client, runtime=runtime, broker=broker, tokens=tokens)
