"""A plain ASGI middleware of the services sees HTTP requests only."""

from __future__ import annotations

from typing import Any

from starlette.types import Receive, Scope, Send

from shared.asgi import HttpMiddleware


class Seen(HttpMiddleware):
    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.seen: list[str] = []

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.seen.append(scope["path"])
        await self.app(scope, receive, send)


async def test_the_lifespan_passes_untouched_and_a_request_goes_through_the_middleware() -> None:
    reached: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(scope["type"])

    async def receive() -> dict[str, Any]:
        return {}

    async def send(message: Any) -> None:
        return None

    middleware = Seen(app)
    await middleware({"type": "lifespan"}, receive, send)
    await middleware({"type": "http", "path": "/health"}, receive, send)
    assert reached == ["lifespan", "http"]
    assert middleware.seen == ["/health"]
