"""An HTTP client for calls between the portal's own processes: httpx's API on aiohttp's
connection pool, keeping no cookies, with aiohttp's failures as the httpx errors callers tell apart.
The gateway reaches the services with it, the web portal the gateway."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from http.cookiejar import CookieJar, DefaultCookiePolicy

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport


@contextlib.contextmanager
def _as_httpx_errors(request: httpx.Request) -> Iterator[None]:
    """aiohttp's failures as the httpx errors the proxy tells apart: a timeout stays a timeout
    (504); a refused or dropped connection is a ``ConnectError`` or a ``RemoteProtocolError``
    (503). ``httpx_aiohttp`` alone maps every connection error to ``ConnectTimeout``."""
    try:
        yield
    except httpx.TransportError as exc:
        cause = exc.__cause__
        if not isinstance(cause, aiohttp.ClientConnectionError) or isinstance(cause, asyncio.TimeoutError):
            raise
        message = str(cause) or type(cause).__name__
        if isinstance(cause, aiohttp.ClientConnectorError):
            raise httpx.ConnectError(message, request=request) from cause
        raise httpx.RemoteProtocolError(message, request=request) from cause
    except aiohttp.ClientError as exc:  # one httpx_aiohttp does not map
        raise httpx.TransportError(str(exc) or type(exc).__name__, request=request) from exc


class _AnswerStream(httpx.AsyncByteStream):
    """The answer's body, read with the same error mapping (a service that drops the
    connection mid-answer is unavailable, not slow)."""

    def __init__(self, stream: httpx.AsyncByteStream, request: httpx.Request) -> None:
        self._stream = stream
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors(self._request):
            async for chunk in self._stream:
                yield chunk

    async def aclose(self) -> None:
        with _as_httpx_errors(self._request):
            await self._stream.aclose()


class UpstreamTransport(AiohttpTransport):
    """httpx's API on aiohttp's connection pool. httpcore's pool looks at every pooled
    connection on every request (a syscall each to see whether it is still open), so a request's
    cost grew with the connections kept: 0.6 ms of CPU with one, 2.2 ms with fifty, measured in
    process; aiohttp keeps idle connections per host and takes one in constant time (0.3 ms)."""

    def get_client(self) -> aiohttp.ClientSession:
        """aiohttp's session as ``AiohttpTransport`` makes it, but keeping no cookies (``no_cookies``)."""
        connector = aiohttp.TCPConnector(
            limit=self.limits.max_connections or 0,
            keepalive_timeout=self.limits.keepalive_expiry,
            ssl=self.ssl_context,
        )
        return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        with _as_httpx_errors(request):
            answer = await super().handle_async_request(request)
        assert isinstance(answer.stream, httpx.AsyncByteStream)
        return httpx.Response(
            status_code=answer.status_code,
            headers=answer.headers,
            stream=_AnswerStream(answer.stream, request),
            request=request,
            extensions=answer.extensions,
        )


def no_cookies() -> CookieJar:
    """A cookie jar that keeps nothing. Such a client is shared by every caller, and a client
    keeps the cookies of an answer to send them with every later request to that host: a cookie a
    service (or a sticky load balancer before it) set for one caller would go with everybody's
    requests after it."""
    # The jar itself, not an ``httpx.Cookies``: the client copies the cookies of one into a plain jar.
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


def pooled_session(timeout_s: float, *, connect_timeout_s: float = 3.0) -> aiohttp.ClientSession:
    """aiohttp itself, for a caller that does without httpx's API (the web portal's many small
    calls: httpx's own layers cost about a third of its calls' CPU): the same pool and no cookies."""
    connector = aiohttp.TCPConnector(limit=200, keepalive_timeout=2.0)
    timeout = aiohttp.ClientTimeout(total=timeout_s, connect=connect_timeout_s)
    return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(), timeout=timeout)


def pooled_client(timeout_s: float, *, base_url: str = "", connect_timeout_s: float = 3.0) -> httpx.AsyncClient:
    """One client for many callers (one pool): idle connections are dropped before the other
    side's keep-alive (uvicorn: 5 s) ends, as reusing one it is closing at that moment fails with
    "Server disconnected"."""
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=50, keepalive_expiry=2.0)
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s),
        limits=limits,
        transport=UpstreamTransport(limits=limits),
        cookies=no_cookies(),
    )
