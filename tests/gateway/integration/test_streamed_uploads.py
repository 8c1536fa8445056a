"""The gateway streams a request's body to the service as it arrives, never holding it whole: the
service behind it reads the first bytes of an upload while the client is still sending the rest."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from gateway.bootstrap import bootstrap
from gateway.config import Settings
from portal_dev.testing import running
from tests.gateway.integration.conftest import served

CHUNK = b"%PDF" + b"0" * (64 * 1024 - 4)


class Upstream:
    """A service that notes when the first bytes of a body arrive, and answers with what it got."""

    def __init__(self) -> None:
        self.first_bytes = asyncio.Event()
        self.app = FastAPI()

        @self.app.post("/api/v1/{path:path}")
        async def receive(path: str, request: Request) -> Response:
            size = 0
            async for chunk in request.stream():
                if chunk:
                    self.first_bytes.set()
                size += len(chunk)
            length = request.headers.get("content-length", "")
            return Response(f"{size} {length}", status_code=201, media_type="text/plain")


@pytest.fixture
async def upstream() -> AsyncIterator[tuple[Upstream, str]]:
    service = Upstream()
    async with served(service.app) as url:
        yield service, url


@pytest.fixture
async def gateway(
    gateway_settings: Callable[..., Settings], upstream: tuple[Upstream, str]
) -> AsyncIterator[httpx.AsyncClient]:
    async with running(bootstrap(gateway_settings(invoicing_url=upstream[1]))) as client:
        yield client


async def test_the_service_reads_an_upload_while_the_client_still_sends_it(
    gateway: httpx.AsyncClient, upstream: tuple[Upstream, str]
) -> None:
    service, _ = upstream

    async def body() -> AsyncIterator[bytes]:
        yield CHUNK
        # The rest only once the service has the first part: a gateway that read the whole body
        # before forwarding it would never let this happen.
        await asyncio.wait_for(service.first_bytes.wait(), timeout=10)
        for _ in range(15):
            yield CHUNK

    answer = await gateway.post(
        "/api/v1/invoices/00000000-0000-4000-8000-000000000001/attachments",
        content=body(),
        headers={"content-type": "application/pdf"},
    )
    assert answer.status_code == 201, answer.text
    assert answer.text == f"{16 * len(CHUNK)} "


async def test_a_body_with_a_length_reaches_the_service_with_that_length(
    gateway: httpx.AsyncClient,
) -> None:
    answer = await gateway.post(
        "/api/v1/invoices/00000000-0000-4000-8000-000000000001/attachments",
        content=CHUNK,
        headers={"content-type": "application/pdf"},
    )
    assert (answer.status_code, answer.text) == (201, f"{len(CHUNK)} {len(CHUNK)}")
