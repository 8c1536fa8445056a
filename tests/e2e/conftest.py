"""The whole system: every service in its own process on the embedded servers, through the gateway."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from shared.devstack.stack import Stack, StackConfig
from shared.testing import Mailbox

ADMIN_EMAIL = "admin@buyer.example"
ADMIN_PASSWORD = "admin-password-for-tests"


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    config = StackConfig.for_tests(tmp_path_factory.mktemp("stack"))
    config.admin_email = ADMIN_EMAIL
    config.admin_password = ADMIN_PASSWORD
    config.extra_env = {"KAFKA_SESSION_TIMEOUT_MS": "3000", "CONSUMER_RETRY_BACKOFF_S": "0.05"}
    running = Stack(config)
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def mailbox(stack: Stack) -> Mailbox:
    return Mailbox(stack.config.mail_sink_dir)


@pytest.fixture
async def api(stack: Stack) -> httpx.AsyncClient:
    async with httpx.AsyncClient(base_url=stack.config.gateway_url + "/api/v1", timeout=30) as client:
        yield client  # type: ignore[misc]
