"""Fixtures every test layer shares: the real servers, test tokens, service settings."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from portal_dev.testing import Servers, Tokens
from shared import tracing

# Tests assert no timings (benchmarks do): an example slowed by a busy machine is no failure.
settings.register_profile("portal", deadline=None)
settings.load_profile("portal")


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    started = Servers.start(tmp_path_factory.mktemp("servers"))
    yield started
    started.stop()


@pytest.fixture(scope="session")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> Tokens:
    return Tokens(tmp_path_factory.mktemp("keys"))


@pytest.fixture
def broker(servers: Servers, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Bootstrap servers of the session's broker, where the test's topics and consumer groups are
    its own: named with a prefix of the test's, in ``KAFKA_TOPIC_PREFIX`` for the settings the test
    builds (``portal_dev.testing.on_cluster`` names a topic the same way). Deleted after the test."""
    prefix = f"t{uuid.uuid4().hex[:12]}."
    monkeypatch.setenv("KAFKA_TOPIC_PREFIX", prefix)
    yield servers.new_topics(prefix)
    servers.drop_topics(prefix)


def service_env(prefix: str, database_url: str, bootstrap: str, tokens: Tokens, servers: Servers) -> dict[str, str]:
    """The environment a service process gets in the embedded stack."""
    return {
        f"{prefix}_DATABASE_URL": database_url,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_TOPIC_PREFIX": os.environ.get("KAFKA_TOPIC_PREFIX", ""),
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


# Cheap layers first; the whole-system layers last, so their stacks (every service polling its
# topics) do not load the machine while the rest of the suite runs.
LAYER_ORDER = {"unit": 0, "integration": 1, "e2e": 2, "chaos": 3}


def _layer(item: pytest.Item) -> int:
    parts = Path(str(item.fspath)).parts
    return max((rank for layer, rank in LAYER_ORDER.items() if layer in parts), default=0)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_layer)  # stable: the order within a layer is kept
    for item in items:
        path = Path(str(item.fspath))
        if "integration" in path.parts:
            item.add_marker(pytest.mark.integration)
        if "e2e" in path.parts:
            item.add_marker(pytest.mark.e2e)
        if "chaos" in path.parts:
            item.add_marker(pytest.mark.chaos)


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Tracing on, into memory, for the test (before a runtime is built: it instruments its app then)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use(provider)
    yield exporter
    tracing.use(None)
    provider.shutdown()
