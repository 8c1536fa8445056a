"""Every log line of a request or of a handled event carries ``service``, ``correlation_id``,
``tenant_id`` and ``event_id`` (null where not known), the lines of libraries too, whichever task
or thread they are written from."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import structlog
from fastapi import APIRouter

from portal_dev.testing import Tokens
from shared import correlation, logs
from shared.auth import TokenVerifier
from shared.contracts import Envelope
from shared.contracts.identity import ORGANISATIONS_TOPIC, OrganisationSettingsChanged
from shared.logs import KEY_FIELDS, configure_logging
from shared.messaging import EventConsumer
from shared.runtime import CurrentPrincipal, ServiceRuntime
from shared.settings import ServiceSettings

log = structlog.get_logger("tests.log_fields")
router = APIRouter()


@router.get("/work")
async def work(caller: CurrentPrincipal) -> dict[str, str]:
    log.info("the service's own line")
    logging.getLogger("some.library").warning("a library's line")
    await asyncio.to_thread(logging.getLogger("some.library.worker").warning, "a line from a worker thread")
    return {"ok": "yes"}


@router.get("/sync-work")
def sync_work(caller: CurrentPrincipal) -> dict[str, str]:
    log.info("a line from a synchronous endpoint")
    return {"ok": "yes"}


@router.get("/boom")
async def boom(caller: CurrentPrincipal) -> None:
    log.info("about to fail")
    raise RuntimeError("boom")


@router.get("/anonymous")
async def anonymous() -> dict[str, str]:
    log.info("an anonymous request")
    return {"ok": "yes"}


class Output:
    """What the services write to stderr, as pytest captures it."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys

    def text(self) -> str:
        return self._capsys.readouterr().err

    def lines(self) -> list[dict[str, Any]]:
        """The JSON lines written since the last look, without the test client's own."""
        found = [json.loads(line) for line in self.text().splitlines() if line.strip()]
        return [line for line in found if not line["event"].startswith("HTTP Request:")]


@pytest.fixture
def output(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[Output]:
    """The logging configuration is put back afterwards."""
    for name in ("service", "renderer", "keep_nulls"):
        monkeypatch.setattr(logs._Output, name, getattr(logs._Output, name))
    saved_config, saved_handlers, saved_level = (
        structlog.get_config(),
        logging.getLogger().handlers[:],
        logging.getLogger().level,
    )
    yield Output(capsys)
    correlation.unbind()
    structlog.configure(**saved_config)
    logging.getLogger().handlers[:] = saved_handlers
    logging.getLogger().setLevel(saved_level)


@pytest.fixture
async def service(output: Output, tokens: Tokens) -> AsyncIterator[httpx.AsyncClient]:
    settings = ServiceSettings(service_name="orders", log_format="json")
    runtime = ServiceRuntime(
        settings, title="orders", routers=[router], verifier=TokenVerifier(tokens.public_key_file.read_text())
    )
    transport = httpx.ASGITransport(app=runtime.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        yield client
    await runtime.engine.dispose()


async def test_every_line_of_a_request_carries_the_service_correlation_and_tenant(
    service: httpx.AsyncClient, output: Output, tokens: Tokens
) -> None:
    tenant = uuid.uuid4()
    headers = tokens.headers(tokens.buyer(tenant)) | {"X-Correlation-ID": "req-42"}
    assert (await service.get("/work", headers=headers)).status_code == 200
    assert (await service.get("/sync-work", headers=headers)).status_code == 200
    assert (await service.get("/boom", headers=headers)).status_code == 500

    written = output.lines()
    assert [line["event"] for line in written] == [
        "the service's own line",
        "a library's line",
        "a line from a worker thread",
        "a line from a synchronous endpoint",
        "about to fail",
        "unhandled error",
    ]
    for line in written:
        assert {key: line[key] for key in KEY_FIELDS} == {
            "service": "orders",
            "correlation_id": "req-42",
            "tenant_id": str(tenant),
            "event_id": None,
        }, line
        assert line["path"] in ("/work", "/sync-work", "/boom")


async def test_an_anonymous_request_has_the_keys_with_a_null_tenant_and_a_fresh_correlation_id(
    service: httpx.AsyncClient, output: Output
) -> None:
    answer = await service.get("/anonymous")
    [line] = output.lines()
    assert {key: line[key] for key in KEY_FIELDS} == {
        "service": "orders",
        "correlation_id": answer.headers["x-correlation-id"],
        "tenant_id": None,
        "event_id": None,
    }


class Message:
    def __init__(self, offset: int) -> None:
        self.raw_message = SimpleNamespace(partition=0, offset=offset, key=b"k", headers=[])

    async def ack(self) -> None:
        pass

    async def nack(self) -> None:
        pass


class DeadLetters:
    def __init__(self) -> None:
        self.sent = 0

    async def send_and_wait(self, *_: object, **__: object) -> None:
        self.sent += 1


def organisation_event() -> Envelope:
    tenant = uuid.uuid4()
    payload = OrganisationSettingsChanged(
        tenant_id=tenant,
        name="Buyer",
        invoice_issue_date_required=False,
        supplier_portal_enabled=True,
        revision=1,
        updated_at=datetime.now(UTC),
    )
    return Envelope.wrap(payload, tenant_id=tenant, producer="gateway", correlation_id="flow-7")


async def test_every_line_of_a_handled_event_carries_its_event_tenant_and_correlation(output: Output) -> None:
    configure_logging("invoicing", fmt="json")

    async def handler(envelope: Envelope, payload: Any) -> None:
        log.info("handling")
        logging.getLogger("some.library").warning("a library's line while handling")
        await asyncio.to_thread(logging.getLogger("some.library.worker").warning, "a line from a worker thread")

    dead_letters = DeadLetters()
    consumer = EventConsumer(
        topic=ORGANISATIONS_TOPIC,
        group="invoicing.organisations",
        handlers={OrganisationSettingsChanged: handler},
        settings=ServiceSettings(),
        dead_letters=lambda: dead_letters,  # type: ignore[arg-type,return-value]
    )
    envelope = organisation_event()
    await consumer.consume(envelope.model_dump_json().encode(), Message(1))  # type: ignore[arg-type]
    handled = output.lines()
    assert [line["event"] for line in handled] == [
        "handling",
        "a library's line while handling",
        "a line from a worker thread",
    ]
    for line in handled:
        assert {key: line[key] for key in KEY_FIELDS} == {
            "service": "invoicing",
            "correlation_id": "flow-7",
            "tenant_id": str(envelope.tenant_id),
            "event_id": str(envelope.id),
        }, line

    # A message that is not an event: its lines have the keys, nothing from the event before.
    await consumer.consume(b"not an event", Message(2))  # type: ignore[arg-type]
    assert dead_letters.sent == 1
    [dead_lettered] = output.lines()
    assert dead_lettered["event"] == "message dead-lettered"
    assert {key: dead_lettered[key] for key in KEY_FIELDS} == {
        "service": "invoicing",
        "correlation_id": None,
        "tenant_id": None,
        "event_id": None,
    }

    # After the event, the consumer's task belongs to no unit.
    log.info("between events")
    [between] = output.lines()
    assert (between["correlation_id"], between["tenant_id"], between["event_id"]) == (None, None, None)


def test_a_terminal_shows_what_is_known_and_leaves_out_the_null_fields(output: Output) -> None:
    configure_logging("matching", fmt="console")
    log.info("outside any unit")
    correlation.bind("flow-9", None, tenant_id="t-1")
    log.info("inside a unit")
    outside, inside = output.text().splitlines()
    assert "service=matching" in outside and "correlation_id" not in outside and "tenant_id" not in outside
    assert "correlation_id=flow-9" in inside and "tenant_id=t-1" in inside and "event_id" not in inside
