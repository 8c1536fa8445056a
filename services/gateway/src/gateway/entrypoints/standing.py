"""Every API request's token, restated by the gateway before anything answers it.

Tokens are signed and every service verifies them itself, so on their own they would stay good
until they expire. The gateway is the one way in for clients, so it checks each request's token
against what it knows now: signed out, a user switched off, a password changed since → 401 at
once. A supplier user's token is narrowed to the records whose portal is still active and marks
those whose buyer switched the supplier portal off (``restricted_supplier_ids``); when that
differs from the token's claims, the request goes on with a token restated for the same
session (same id and expiry), which the gateway's own routes and every service then read.
What it finds is kept a moment (``adapters.standing_cache``: emptied by every change this
process commits, at most ``GATEWAY_TOKEN_STANDING_TTL_S`` old otherwise).

Plain ASGI, like the correlation middleware: a ``BaseHTTPMiddleware`` would cost every request.
"""

from __future__ import annotations

import functools

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.adapters.standing_cache import STANDING
from gateway.service.accounts import TokenEnded, restated
from gateway.service.unit_of_work import UnitOfWork
from shared.auth import Principal, TokenIssuer, expiry_of
from shared.errors import Unauthorized
from shared.problems import problem
from shared.runtime import ServiceRuntime

API = "/api/v1/"
# Routes that take no token (a stale one sent along must not stand in the way of signing in).
PUBLIC_PREFIXES = (
    "/api/v1/auth/token",
    "/api/v1/auth/invitations/",
    "/api/v1/auth/password-reset",
    "/api/v1/auth/email-change/",
    "/api/v1/health",
)


class TokenStandingMiddleware:
    def __init__(self, app: ASGIApp, runtime: ServiceRuntime, issuer: TokenIssuer) -> None:
        self.app = app
        self._runtime = runtime
        self._issuer = issuer
        self._restate = functools.lru_cache(maxsize=4096)(self._restated_token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(API) or path.startswith(PUBLIC_PREFIXES):
            await self.app(scope, receive, send)
            return
        authorization = Headers(scope=scope).get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        verifier = self._runtime.verifier
        if scheme.lower() != "bearer" or not token.strip() or verifier is None:
            await self.app(scope, receive, send)
            return
        token = token.strip()
        try:
            presented = verifier.verify(token)
        except Unauthorized:
            # The route (or the service behind it) refuses it with its own reason.
            await self.app(scope, receive, send)
            return
        now = await self._standing(token, presented)
        if isinstance(now, TokenEnded):
            response = problem(401, now.title, now.detail, slug=now.type_slug, headers={"WWW-Authenticate": "Bearer"})
            await response(scope, receive, send)
            return
        if now != presented:
            headers = MutableHeaders(scope=scope)
            headers["authorization"] = f"Bearer {self._restate(token, now)}"
        await self.app(scope, receive, send)

    async def _standing(self, token: str, presented: Principal) -> Principal | TokenEnded:
        """The token's principal as it stands now, or why it ended: kept a moment, and looked up
        once for the concurrent requests that miss together (``STANDING``)."""
        found = await STANDING.find(token, functools.partial(self._restated, presented))
        assert isinstance(found, Principal | TokenEnded)
        return found

    async def _restated(self, presented: Principal) -> Principal | TokenEnded:
        try:
            return await restated(UnitOfWork(self._runtime.session_factory, "gateway"), presented)
        except TokenEnded as exc:
            return exc

    def _restated_token(self, token: str, principal: Principal) -> str:
        """The same session's token for what the caller may do now; a client sends one token
        many times, so each restatement is signed once."""
        return self._issuer.issue(principal, not_after=expiry_of(token))
