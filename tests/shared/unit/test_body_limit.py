"""Bodies above the limit are refused with 413 problem details before the app reads them whole."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI, Request

from shared.body_limit import BodyLimitMiddleware


def limited_app(max_bytes: int) -> tuple[FastAPI, list[int]]:
    app = FastAPI()
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_bytes)
    seen: list[int] = []

    @app.post("/things")
    async def create(request: Request) -> dict[str, int]:
        seen.append(len(await request.body()))
        return {"size": seen[-1]}

    return app, seen


async def chunks(count: int, size: int) -> AsyncIterator[bytes]:
    for _ in range(count):
        yield b"x" * size


async def test_a_body_within_the_limit_reaches_the_app() -> None:
    app, seen = limited_app(1000)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        answer = await http.post("/things", content=b"x" * 1000)
        streamed = await http.post("/things", content=chunks(10, 100))
    assert (answer.status_code, answer.json(), streamed.status_code) == (200, {"size": 1000}, 200)
    assert seen == [1000, 1000]


async def test_a_declared_length_above_the_limit_is_refused_before_the_app_runs() -> None:
    app, seen = limited_app(1000)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        answer = await http.post("/things", content=b"x" * 1001)
    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["title"] == "Request too large" and "1000 bytes" in answer.json()["detail"]
    assert seen == []


async def test_a_body_without_a_length_is_refused_once_it_passes_the_limit() -> None:
    app, seen = limited_app(1000)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        answer = await http.post("/things", content=chunks(1000, 100))  # 100,000 bytes, no length
    assert answer.status_code == 413 and answer.json()["status"] == 413
    assert seen == []
