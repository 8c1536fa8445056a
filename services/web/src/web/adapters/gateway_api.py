"""The one way the pages reach the system: the gateway's public API, as the signed-in person.

Problem details become ``ApiProblem`` (with the per-field ``errors`` a form shows next to its
fields); a 401 means the person's token no longer works (``SessionLost``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from starlette.datastructures import Headers
from starlette.types import Receive, Scope, Send

from shared import tracing
from shared.asgi import HttpMiddleware
from shared.correlation import current_correlation_id
from shared.http_pool import pooled_session
from shared.networks import next_hop_headers

# The addresses of the page request being served (``X-Forwarded-For``, ``Forwarded``, the browser's
# or its proxy's appended), sent with every call it makes: the gateway's sign-in limits count the
# person's address, not the web portal's. Set per request by ``ForwardingMiddleware``.
FORWARDING: ContextVar[dict[str, str]] = ContextVar("forwarding", default={})  # noqa: B039 (never mutated)


@dataclass
class ApiProblem(Exception):
    status: int
    title: str
    detail: str
    errors: list[dict[str, Any]] = field(default_factory=list)
    retry_after: str | None = None

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail}"

    @property
    def about_the_input(self) -> bool:
        """A refusal of what the person entered (shown on the form), not a missing document,
        a lost session or a failure (which end the page)."""
        return 400 <= self.status < 500 and self.status not in (401, 404)

    def field_errors(self) -> dict[str, str]:
        """Messages by field name as the API spells it (``number``, ``lines.0.quantity``)."""
        found: dict[str, str] = {}
        for error in self.errors:
            name = str(error.get("field") or "")
            message = str(error.get("message") or error.get("detail") or "invalid")
            if name and name not in found:
                found[name] = message.removeprefix("Value error, ")
        return found


class ForwardingMiddleware(HttpMiddleware):
    """Keeps the chain of addresses of the request being served for the calls it makes."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        client = scope.get("client")
        chain = next_hop_headers(
            headers.getlist("x-forwarded-for"), headers.getlist("forwarded"), client[0] if client else None
        )
        token = FORWARDING.set(chain)
        try:
            await self.app(scope, receive, send)
        finally:
            FORWARDING.reset(token)


class SessionLost(Exception):
    """The API refused the person's token: expired, revoked, or the account was switched off."""


class Unreachable(Exception):
    """The gateway did not answer."""


@dataclass
class Download:
    content: bytes
    content_type: str
    content_disposition: str | None


@dataclass
class Answer:
    status: int
    reason: str
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class GatewayClient:
    """One pool for every person's calls to the gateway's API; it keeps no cookies (one person's
    would go with another's)."""

    def __init__(self, gateway_url: str, timeout_s: float) -> None:
        self.base_url = gateway_url.rstrip("/")
        self.session = pooled_session(timeout_s)

    async def request(self, method: str, path: str, headers: dict[str, str], **kwargs: Any) -> Answer:
        url = self.base_url + path if path.startswith("/health") else self.base_url + "/api/v1" + path
        # The page's trace goes on to the gateway (empty when tracing is off).
        headers |= tracing.context_headers()
        async with self.session.request(method, url, headers=headers, **kwargs) as answer:
            return Answer(answer.status, answer.reason or "", answer.headers, await answer.read())

    async def close(self) -> None:
        await self.session.close()


class GatewayApi:
    """The API as one person (``token``) or as nobody (sign-in, invitations)."""

    def __init__(self, client: GatewayClient, token: str | None = None) -> None:
        self._client = client
        self._token = token

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        if correlation_id := current_correlation_id():
            headers["X-Correlation-ID"] = correlation_id
        return headers | FORWARDING.get()

    async def _send(self, method: str, path: str, **kwargs: Any) -> Answer:
        try:
            answer = await self._client.request(method, path, self._headers(), **kwargs)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise Unreachable(f"{method} {path}: {type(exc).__name__}") from exc
        if answer.status == 401 and self._token:
            raise SessionLost()
        if answer.status >= 400:
            raise _problem(answer)
        return answer

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return (await self._send("GET", path, params=_given(params))).json()

    async def every_item(self, path: str, *, page_size: int, max_pages: int | None = None) -> list[dict[str, Any]]:
        """The items of a list, page after page (up to ``max_pages``), in the API's order."""
        found: list[dict[str, Any]] = []
        cursor = ""
        pages = 0
        while max_pages is None or pages < max_pages:
            page = await self.get(path, {"limit": page_size, "cursor": cursor})
            found += page["items"]
            pages += 1
            cursor = page.get("next_cursor") or ""
            if not cursor:
                break
        return found

    async def post(self, path: str, body: Any = None) -> Any:
        return (await self._send("POST", path, json=body)).json()

    async def patch(self, path: str, body: Any) -> Any:
        return (await self._send("PATCH", path, json=body)).json()

    async def put(self, path: str, body: Any) -> Any:
        return (await self._send("PUT", path, json=body)).json()

    async def upload(self, path: str, filename: str, content: bytes, content_type: str) -> Any:
        form = aiohttp.FormData()
        form.add_field("file", content, filename=filename, content_type=content_type)
        return (await self._send("POST", path, data=form)).json()

    async def download(self, path: str, params: dict[str, Any] | None = None) -> Download:
        answer = await self._send("GET", path, params=_given(params))
        return Download(
            content=answer.body,
            content_type=answer.headers.get("content-type", "application/octet-stream"),
            content_disposition=answer.headers.get("content-disposition"),
        )


def _given(params: dict[str, Any] | None) -> dict[str, str]:
    """The query parameters that have a value (a filter left empty is no filter), as text."""
    return {k: str(v) for k, v in (params or {}).items() if v not in (None, "")}


def _problem(answer: Answer) -> ApiProblem:
    try:
        body = answer.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    errors = body.get("errors")
    return ApiProblem(
        status=answer.status,
        title=str(body.get("title") or answer.reason or "Error"),
        detail=str(body.get("detail") or ""),
        errors=errors if isinstance(errors, list) else [],
        retry_after=answer.headers.get("retry-after"),
    )
