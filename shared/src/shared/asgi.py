"""The one shape of the services' plain ASGI middlewares: each looks at HTTP requests only and lets
every other scope (the lifespan, a websocket) pass untouched. Plain ASGI rather than Starlette's
``BaseHTTPMiddleware``, which runs the rest of the app in a task of its own and streams the answer
through a queue, a cost on every request."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class HttpMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The middleware's work on one HTTP request."""
        raise NotImplementedError
