"""The whole system: every service in its own process on the embedded servers, through the gateway."""

from __future__ import annotations

import asyncio
import json
import re
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from portal_dev.stack import SERVICES, Stack, StackConfig
from portal_dev.testing import CLIENT_LIMITS, TEST_STACK_ENV, Mailbox, poll_until
from tests.otlp_receiver import OtlpReceiver

ADMIN_EMAIL = "admin@buyer.example"
ADMIN_PASSWORD = "admin-password-for-tests"
SUPPLIER_PASSWORD = "supplier-password"
DATABASE_PASSWORD = "database-password-for-tests"


@pytest.fixture(scope="package")
def traces() -> Iterator[OtlpReceiver]:
    """Where the services export their spans: the whole system runs with tracing on."""
    receiver = OtlpReceiver()
    yield receiver
    receiver.close()


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory, traces: OtlpReceiver) -> Iterator[Stack]:
    config = StackConfig.for_tests(tmp_path_factory.mktemp("stack"))
    config.admin_email = ADMIN_EMAIL
    config.admin_password = ADMIN_PASSWORD
    config.extra_env = dict(TEST_STACK_ENV)
    config.extra_env |= {"OTEL_EXPORTER_OTLP_ENDPOINT": traces.url, "OTEL_BSP_SCHEDULE_DELAY": "200"}
    # The embedded PostgreSQL trusts local connections, so a password in the services' URLs is
    # not checked; it is there so that the log scan (test_secrets_in_logs.py) can look for it.
    config.extra_env |= {
        f"{service.upper()}_DATABASE_URL": (
            f"postgresql+asyncpg://postgres:{DATABASE_PASSWORD}@127.0.0.1:{config.postgres_port}/portal_{service}"
        )
        for service in SERVICES
    }
    running = Stack(config)
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="package")
def mailbox(stack: Stack) -> Mailbox:
    return Mailbox(stack.config.mail_sink_dir)


@pytest.fixture
async def api(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=stack.config.gateway_url + "/api/v1", timeout=30, limits=CLIENT_LIMITS
    ) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Portal:
    """What a person does through the gateway, step by step, waiting where the system is eventual."""

    def __init__(self, api: httpx.AsyncClient, mailbox: Mailbox) -> None:
        self.api = api
        self.mailbox = mailbox

    async def sign_in(self, email: str, password: str) -> dict[str, str]:
        answer = await self.api.post("/auth/token", json={"email": email, "password": password})
        assert answer.status_code == 200, answer.text
        return bearer(answer.json()["access_token"])

    async def admin(self) -> dict[str, str]:
        return await self.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)

    async def email(self, *, to: str, subject: str, count: int = 1) -> list[Any]:
        return await poll_until(
            lambda: (found := self.mailbox.find(to=to, subject_contains=subject)) and len(found) >= count and found,
            timeout_s=30,
            what=f"{count} email(s) to {to} about {subject!r}",
        )

    async def onboard_supplier(
        self, buyer: dict[str, str], *, name: str, email: str, tolerance: str = "5", **extra: Any
    ) -> tuple[str, dict[str, str]]:
        """The buyer creates the supplier and switches its portal on; the supplier accepts by email."""
        body = {"name": name, "email": email, "currency": "EUR", "tolerance_rate": tolerance, **extra}
        created = await self.api.post("/suppliers", json=body, headers=buyer)
        assert created.status_code == 201, created.text
        supplier_id = created.json()["id"]
        activated = await self.api.post(f"/suppliers/{supplier_id}/portal/activate", headers=buyer)
        assert activated.status_code == 200, activated.text
        [invitation] = await self.email(to=email, subject="invit")
        text = invitation.get_body(preferencelist=("plain",)).get_content()
        token = re.search(r"/invitations/([A-Za-z0-9_\-]+)", text).group(1)  # type: ignore[union-attr]
        accepted = await self.api.post(f"/auth/invitations/{token}/accept", json={"password": SUPPLIER_PASSWORD})
        assert accepted.status_code == 201, accepted.text
        return supplier_id, bearer(accepted.json()["access_token"])

    async def until_created(self, path: str, body: dict[str, Any], who: dict[str, str], *, retry_on: int) -> dict:
        """POST until the owning service has heard of what the body refers to (its read model lags)."""

        async def created() -> httpx.Response | None:
            answer = await self.api.post(path, json=body, headers=who)
            return answer if answer.status_code != retry_on else None

        answer = await poll_until(created, timeout_s=30, what=f"POST {path} to be accepted")
        assert answer.status_code == 201, answer.text
        result: dict = answer.json()
        return result

    async def create_po(
        self, buyer: dict[str, str], supplier_id: str, lines: list[dict[str, Any]], *, delivery_date: str = "2027-06-15"
    ) -> dict:
        body = {"supplier_id": supplier_id, "currency": "EUR", "delivery_date": delivery_date, "lines": lines}
        return await self.until_created("/purchase-orders", body, buyer, retry_on=422)

    async def submit_po(self, buyer: dict[str, str], po_id: str) -> dict:
        submitted = await self.api.post(f"/purchase-orders/{po_id}/submit", headers=buyer)
        assert submitted.status_code == 200, submitted.text
        result: dict = submitted.json()
        return result

    async def create_invoice(self, who: dict[str, str], body: dict[str, Any]) -> dict:
        return await self.until_created("/invoices", body, who, retry_on=404)

    async def invoice_in(self, who: dict[str, str], invoice_id: str, *wanted: str) -> dict:
        async def reached() -> dict | None:
            invoice: dict = (await self.api.get(f"/invoices/{invoice_id}", headers=who)).json()
            return invoice if invoice["status"] in wanted else None

        result: dict = await poll_until(reached, timeout_s=30, what=f"invoice {invoice_id} to be {wanted}")
        return result


@pytest.fixture
def portal(api: httpx.AsyncClient, mailbox: Mailbox) -> Portal:
    return Portal(api, mailbox)


@pytest.fixture
async def browser_people(stack: Stack, tmp_path: Any) -> AsyncIterator[Any]:
    """Real Chromium at the portal's address; each call gives a new person (own cookies)."""
    from playwright.async_api import expect

    from tests.e2e.browser import people, screenshot_dir

    expect.set_options(timeout=15_000)
    async with people(stack.config.gateway_url, screenshot_dir(tmp_path)) as new_person:
        yield new_person


def link_in(message: Any, path: str) -> str:
    """The absolute link to ``path...`` in an email's plain text."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    found = re.search(rf"https?://\S+{re.escape(path)}[^\s<>\"]*", text)
    assert found, f"no link to {path} in:\n{text}"
    return found.group(0)


async def admin_command(stack: Stack, *args: str) -> dict[str, Any]:
    """The operator's ``python -m gateway.admin ARGS --json`` against the stack's gateway database."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "gateway.admin",
        *args,
        "--json",
        env=stack.service_env("gateway"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    result: dict[str, Any] = json.loads(out)
    return result


@dataclass
class Organisation:
    """A buyer organisation of its own (its settings changed without touching the other tests')."""

    id: str
    name: str
    admin_email: str
    admin_password: str


@pytest.fixture
async def new_organisation(stack: Stack, tmp_path: Path) -> Callable[[], Awaitable[Organisation]]:
    """Each call: a new buyer organisation and its admin, made by the operator's command."""

    async def create() -> Organisation:
        tag = uuid.uuid4().hex[:8]
        password_file = tmp_path / f"admin-password-{tag}"
        password_file.write_text(ADMIN_PASSWORD + "\n")
        email = f"admin-{tag}@buyer-{tag}.example"
        created = await admin_command(
            stack,
            "organisations",
            "create",
            "--name",
            f"Buyer {tag}",
            "--admin-email",
            email,
            "--admin-password-file",
            str(password_file),
        )
        return Organisation(id=created["id"], name=created["name"], admin_email=email, admin_password=ADMIN_PASSWORD)

    return create
