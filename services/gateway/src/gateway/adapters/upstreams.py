"""The services behind the gateway: which one owns which part of ``/api/v1``, and an HTTP pool."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
from starlette.requests import Request

from shared import tracing
from shared.http_pool import pooled_client, pooled_session

# First path segment after /api/v1 -> owning service. Order matters for multi-segment prefixes.
ROUTES: list[tuple[str, str]] = [
    ("portal/profiles", "suppliers"),
    ("suppliers", "suppliers"),
    ("supplier-custom-fields", "suppliers"),
    ("purchase-orders", "orders"),
    ("rfps", "orders"),
    ("invoices", "invoicing"),
    ("matching", "matching"),
    ("emails", "notifier"),
]

# The web portal's pages: everything the gateway does not answer itself and that is not /api/v1.
WEB = "web"

FORWARDED_REQUEST_HEADERS = (
    "authorization",
    "content-type",
    "accept",
    "x-correlation-id",
    "idempotency-key",
    "if-match",
)
FORWARDED_RESPONSE_HEADERS = (
    "content-type",
    "content-disposition",
    "location",
    "retry-after",
    "x-correlation-id",
    "etag",
    "www-authenticate",
    "x-content-type-options",
    "allow",
)


def owner_of(path: str) -> str | None:
    """The service that owns ``path`` (relative to /api/v1), or None."""
    for prefix, service in ROUTES:
        if path == prefix or path.startswith(prefix + "/"):
            return service
    return None


class Upstreams:
    def __init__(self, urls: dict[str, str], timeout_s: float) -> None:
        self.urls = urls
        self.timeout_s = timeout_s
        self.client = pooled_client(timeout_s)
        tracing.instrument_client(self.client)  # the request's trace goes on to the service
        self._pages: aiohttp.ClientSession | None = None
        self._api: aiohttp.ClientSession | None = None
        # The forward's limits as httpx's were: 3 s to connect, ``timeout_s`` to wait for a
        # connection of the pool and between two reads of the answer, none on the whole exchange
        # (an upload or a download may take longer than that while it keeps moving).
        self.api_timeout = aiohttp.ClientTimeout(total=None, connect=timeout_s, sock_connect=3.0, sock_read=timeout_s)

    @property
    def pages(self) -> aiohttp.ClientSession:
        """The web portal's pages go through aiohttp itself: a page passes as it is, and httpx's
        own layers would add a third to the forward's CPU. Made in the running loop, on first use."""
        if self._pages is None:
            self._pages = pooled_session(self.timeout_s)
        return self._pages

    @property
    def api(self) -> aiohttp.ClientSession:
        """The API's forward goes through aiohttp itself too, on a pool of its own (the web
        portal's pages do not take its connections). Made in the running loop, on first use."""
        if self._api is None:
            self._api = pooled_session(self.timeout_s)
        return self._api

    @property
    def api_services(self) -> list[str]:
        """The services behind /api/v1 (with events and API documents): all but the web portal."""
        return [name for name in self.urls if name != WEB]

    def url(self, service: str, path: str) -> str:
        return self.urls[service].rstrip("/") + path

    async def close(self) -> None:
        await self.client.aclose()
        for session in (self._pages, self._api):
            if session is not None:
                await session.close()


class ClientBody:
    """A request's body as it arrives, for the call that forwards it: an upload is never held
    whole. What went wrong reading it (the client gone, the body past the gateway's limit) is kept
    in ``failure``: the HTTP client reports it as a failed call, and it is the client's, not the
    service's."""

    def __init__(self, request: Request) -> None:
        self._request = request
        self.failure: Exception | None = None

    @classmethod
    def of(cls, request: Request, headers: dict[str, str]) -> ClientBody | None:
        """The body of ``request`` if it has one (its length, when given, added to ``headers``)."""
        if "content-length" not in request.headers and "transfer-encoding" not in request.headers:
            return None
        if length := request.headers.get("content-length"):
            headers["content-length"] = length
        return cls(request)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._request.stream():
                yield chunk
        except Exception as exc:
            self.failure = exc
            raise
