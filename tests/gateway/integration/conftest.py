"""The gateway on real PostgreSQL and a real broker: a migrated database with its first admin,
and settings for a gateway in this process (the services behind it are not running)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from gateway import migrate as gateway_migrate
from gateway.config import Settings
from portal_dev.ports import free_port
from portal_dev.testing import Servers, Tokens, migrate
from shared.sealed_links import LinkOpener, new_link_keys

ADMIN_EMAIL = "admin@buyer.example"
ADMIN_PASSWORD = "correct horse battery"
# The notifier's key for single-use links: the gateways of these tests seal links to its public
# half (``link_public_key_file``), and ``link_token`` opens them as the notifier would.
_LINK_PRIVATE_KEY, _LINK_PUBLIC_KEY = new_link_keys()
_LINKS = LinkOpener(_LINK_PRIVATE_KEY)


def link_token(data: dict[str, Any], name: str) -> str:
    """The token of the single-use link ``name`` in an event's ``data``, from its sealed form."""
    return _LINKS.open(data[f"{name}_sealed"]).rsplit("/", 1)[1]


@pytest.fixture(scope="session")
def link_public_key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("link-key") / "link-public.pem"
    path.write_bytes(_LINK_PUBLIC_KEY)
    return path


@dataclass
class GatewayDatabase:
    url: str
    env: dict[str, str]  # the gateway's settings as its processes (migrations, commands) get them


@pytest.fixture
async def gateway_database(servers: Servers, broker: str, tokens: Tokens, service_env_factory) -> GatewayDatabase:  # type: ignore[no-untyped-def]
    url = await servers.create_database("gateway")
    env = service_env_factory("GATEWAY", url, broker) | {
        "GATEWAY_JWT_PRIVATE_KEY_FILE": str(tokens.private_key_file),
        "PORTAL_ADMIN_EMAIL": ADMIN_EMAIL,
        "PORTAL_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }
    await migrate(gateway_migrate.main, env)
    return GatewayDatabase(url, env)


@pytest.fixture
def gateway_settings(
    gateway_database: GatewayDatabase, broker: str, tokens: Tokens, link_public_key_file: Path
) -> Callable[..., Settings]:
    """Settings of a gateway on that database; keyword arguments override them."""
    unused = f"http://127.0.0.1:{free_port()}"

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": gateway_database.url,
            "kafka_bootstrap_servers": broker,
            "kafka_enable_idempotence": False,
            "kafka_fetch_max_wait_ms": 20,
            "jwt_private_key_file": tokens.private_key_file,
            "link_public_key_file": link_public_key_file,
            "log_format": "console",
            "suppliers_url": unused,
            "orders_url": unused,
            "invoicing_url": unused,
            "matching_url": unused,
            "notifier_url": unused,
            "web_url": unused,
            "kafka_session_timeout_ms": 3000,
        }
        return Settings(**(values | overrides))

    return make


@asynccontextmanager
async def served(app: Any, **config: Any) -> AsyncIterator[str]:
    """``app`` served over real HTTP on a free local port, for the gateway to route to; its URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, **config))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
