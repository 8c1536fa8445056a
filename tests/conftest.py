"""Fixtures every test layer shares: the real servers, test tokens, service settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.testing import Servers, Tokens


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    started = Servers.start(tmp_path_factory.mktemp("servers"))
    yield started
    started.stop()


@pytest.fixture(scope="session")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> Tokens:
    return Tokens(tmp_path_factory.mktemp("keys"))


@pytest.fixture
def broker(servers: Servers) -> str:
    """Bootstrap servers of a broker with fresh topics (a new embedded broker per test)."""
    return servers.new_broker()


def service_env(prefix: str, database_url: str, bootstrap: str, tokens: Tokens, servers: Servers) -> dict[str, str]:
    """The environment a service process gets in the embedded stack."""
    return {
        f"{prefix}_DATABASE_URL": database_url,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_ENABLE_IDEMPOTENCE": "false" if servers.embedded_broker else "true",
        "KAFKA_FETCH_MAX_WAIT_MS": "20",
        "KAFKA_SESSION_TIMEOUT_MS": "3000" if servers.embedded_broker else "6000",
        "PORTAL_JWT_PUBLIC_KEY_FILE": str(tokens.public_key_file),
        "PORTAL_LOG_FORMAT": "console",
        "CONSUMER_RETRY_BACKOFF_S": "0.05",
    }


@pytest.fixture
def service_env_factory(servers: Servers, tokens: Tokens):  # type: ignore[no-untyped-def]
    def _make(prefix: str, database_url: str, bootstrap: str) -> dict[str, str]:
        return service_env(prefix, database_url, bootstrap, tokens, servers)

    return _make


def pytest_configure(config: pytest.Config) -> None:
    # The embedded broker completes a group join after about half the session timeout.
    if not os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        os.environ.setdefault("KAFKA_SESSION_TIMEOUT_MS", "3000")
    os.environ.setdefault("CONSUMER_RETRY_BACKOFF_S", "0.05")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.fspath))
        if "integration" in path.parts:
            item.add_marker(pytest.mark.integration)
        if "e2e" in path.parts:
            item.add_marker(pytest.mark.e2e)
        if "chaos" in path.parts:
            item.add_marker(pytest.mark.chaos)
