"""The services behind the gateway: which one owns which part of ``/api/v1``, and an HTTP pool."""

from __future__ import annotations

import httpx

from shared import tracing

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
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_s, connect=3.0),
            # Idle connections are dropped before the services' own keep-alive (uvicorn: 5 s) ends:
            # reusing one the service is closing at that moment fails with "Server disconnected".
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50, keepalive_expiry=2.0),
        )
        tracing.instrument_client(self.client)  # the request's trace goes on to the service

    def url(self, service: str, path: str) -> str:
        return self.urls[service].rstrip("/") + path

    async def close(self) -> None:
        await self.client.aclose()
