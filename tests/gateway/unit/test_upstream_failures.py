"""How the gateway answers when the service behind it fails at the socket: a timeout is a 504,
a connection refused, dropped before the answer or in the middle of it is a 503; a good answer
passes through whole, on connections the pool keeps."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest

from gateway.bootstrap import bootstrap
from gateway.config import Settings
from portal_dev.testing import Tokens

Behaviour = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
BODY = b'{"items": []}'


async def _request_read(reader: asyncio.StreamReader) -> None:
    await reader.readuntil(b"\r\n\r\n")


async def answers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while True:  # keep-alive: one answer per request on the same connection
        try:
            await _request_read(reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            break
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(BODY)}\r\n\r\n"
        writer.write(head.encode() + BODY)
        await writer.drain()
    writer.close()


async def hangs_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _request_read(reader)
    writer.close()


async def hangs_up_mid_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _request_read(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n" + BODY)
    await writer.drain()
    writer.close()


async def never_answers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _request_read(reader)
    await asyncio.sleep(30)
    writer.close()


@asynccontextmanager
async def gateway_before(
    behaviour: Behaviour | None, tokens: Tokens, *, host: str = "127.0.0.1", upstream_timeout_s: float = 20.0
) -> AsyncIterator[tuple[httpx.AsyncClient, list[int]]]:
    """The gateway app with the orders service played by ``behaviour`` (None: nothing listens) at
    ``host``; yields a client and the ports the service saw connections from. The timeout is long
    enough by default that a busy machine never turns another failure into one."""
    peers: list[int] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peers.append(writer.get_extra_info("peername")[1])
        assert behaviour is not None
        await behaviour(reader, writer)

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    if behaviour is None:
        server.close()
        await server.wait_closed()
    settings = Settings(
        jwt_private_key_file=tokens.private_key_file,
        jwt_public_key_file=tokens.public_key_file,
        orders_url=f"http://{host}:{port}",
        upstream_timeout_s=upstream_timeout_s,
        log_format="console",
    )
    runtime = bootstrap(settings)
    try:
        transport = httpx.ASGITransport(app=runtime.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            yield http, peers
    finally:
        await runtime.app.state.upstreams.close()
        await runtime.engine.dispose()
        if behaviour is not None:
            server.close()


@pytest.mark.parametrize(
    ("behaviour", "status"),
    [(None, 503), (hangs_up, 503), (hangs_up_mid_answer, 503), (never_answers, 504)],
    ids=["refused", "dropped-before-answering", "dropped-mid-answer", "too-slow"],
)
async def test_a_failing_service_is_unavailable_and_only_a_slow_one_a_timeout(
    behaviour: Behaviour | None, status: int, tokens: Tokens
) -> None:
    # Short only where the service never answers (it would for 30 s).
    async with gateway_before(behaviour, tokens, upstream_timeout_s=0.5 if status == 504 else 20.0) as (http, _):
        answer = await http.get("/api/v1/purchase-orders")
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == status
    if status == 503:
        assert answer.headers["retry-after"] == "5"


async def test_answers_pass_through_whole_on_one_kept_connection(tokens: Tokens) -> None:
    async with gateway_before(answers, tokens) as (http, peers):
        for _ in range(5):
            answer = await http.get("/api/v1/purchase-orders")
            assert answer.status_code == 200 and answer.content == BODY
    assert len(peers) == 1, "the five requests went over one kept connection"


# By name too: aiohttp keeps no cookie of a server known by its IP address only.
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_a_cookie_a_service_sets_is_never_sent_on_a_later_request(host: str, tokens: Tokens) -> None:
    """The gateway's client is shared by every caller: a cookie kept from one answer (a sticky
    load balancer's, say) would go upstream with everybody's requests after it."""
    heads: list[bytes] = []

    async def sets_a_cookie(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                heads.append(await reader.readuntil(b"\r\n\r\n"))
            except (asyncio.IncompleteReadError, ConnectionError):
                break
            head = (
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                f"Set-Cookie: route=replica-1; Path=/\r\nContent-Length: {len(BODY)}\r\n\r\n"
            )
            writer.write(head.encode() + BODY)
            await writer.drain()
        writer.close()

    async with gateway_before(sets_a_cookie, tokens, host=host) as (http, _):
        for _ in range(3):
            assert (await http.get("/api/v1/purchase-orders")).status_code == 200
    assert len(heads) == 3
    assert not [head for head in heads if b"cookie:" in head.lower()]


async def test_the_query_goes_on_as_the_gateway_read_it_and_repeated_answer_headers_as_one(tokens: Tokens) -> None:
    heads: list[bytes] = []

    async def records(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heads.append(await reader.readuntil(b"\r\n\r\n"))
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nAllow: GET\r\nAllow: POST\r\n"
            f"Set-Cookie: route=replica-1\r\nContent-Length: {len(BODY)}\r\n\r\n"
        )
        writer.write(head.encode() + BODY)
        await writer.drain()
        writer.close()

    async with gateway_before(records, tokens) as (http, _):
        answer = await http.get("/api/v1/purchase-orders?status=sent&q=a+b%20c&q=%C3%A9%26&empty=")
    assert answer.status_code == 200 and answer.content == BODY
    assert answer.headers["allow"] == "GET, POST"
    assert "set-cookie" not in answer.headers
    request_line = heads[0].split(b"\r\n")[0]
    assert request_line == b"GET /api/v1/purchase-orders?status=sent&q=a+b+c&q=%C3%A9%26&empty= HTTP/1.1"
