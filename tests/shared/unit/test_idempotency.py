"""Idempotency-Key decisions: replay, in progress, reused for another body; what is kept."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.types import Message

from shared.auth import Principal, TokenIssuer, TokenVerifier, ensure_keypair
from shared.idempotency import (
    ANONYMOUS,
    IdempotencyMiddleware,
    StoredRequest,
    decide,
    principal_of,
    request_hash,
    should_store,
    valid_key,
)


def test_same_body_done_is_replayed() -> None:
    assert decide(StoredRequest(request_hash(b"{}"), "done", 201, b"{}"), request_hash(b"{}")) == "replay"


def test_same_body_still_running_is_in_progress() -> None:
    assert decide(StoredRequest(request_hash(b"{}"), "in_progress"), request_hash(b"{}")) == "in_progress"


@pytest.mark.parametrize("state", ["done", "in_progress"])
def test_other_body_is_a_mismatch_whatever_the_state(state: str) -> None:
    assert decide(StoredRequest(request_hash(b'{"a":1}'), state), request_hash(b'{"a":2}')) == "mismatch"


@pytest.mark.parametrize(
    ("status", "kept"),
    [
        (200, True),
        (201, True),
        (204, True),
        (404, False),
        (422, False),
        (409, False),
        (500, False),
        (503, False),
        (302, False),
    ],
)
def test_only_2xx_answers_are_kept_a_refusal_runs_again_on_retry(status: int, kept: bool) -> None:
    assert should_store(status) is kept


def test_keys_are_1_to_200_characters() -> None:
    assert not valid_key("")
    assert valid_key("k")
    assert valid_key("k" * 200)
    assert not valid_key("k" * 201)


def test_the_principal_is_the_verified_sub_or_nil_without_a_token(tmp_path) -> None:  # type: ignore[no-untyped-def]
    private, public = ensure_keypair(tmp_path)
    issuer, verifier = TokenIssuer(private.read_text()), TokenVerifier(public.read_text())
    user = uuid4()
    token = issuer.issue(Principal(user_id=user, role="buyer_admin", tenant_id=uuid4()))
    assert principal_of({"authorization": f"Bearer {token}"}, verifier) == user
    assert principal_of({}, verifier) == ANONYMOUS
    assert principal_of({"authorization": "Bearer forged"}, verifier) is None


class MemoryStore:
    """The store's contract in memory, so the middleware's flow is tested without a database."""

    def __init__(self) -> None:
        self.rows: dict[tuple[UUID, str], StoredRequest] = {}

    async def claim(self, principal: UUID, key: str, method: str, path: str, hash_: str) -> StoredRequest | None:
        if (principal, key) in self.rows:
            return self.rows[(principal, key)]
        self.rows[(principal, key)] = StoredRequest(hash_, "in_progress")
        return None

    async def finish(self, principal: UUID, key: str, status: int, body: bytes, headers: dict[str, str]) -> None:
        old = self.rows[(principal, key)]
        self.rows[(principal, key)] = StoredRequest(old.request_hash, "done", status, body, headers)

    async def release(self, principal: UUID, key: str) -> None:
        del self.rows[(principal, key)]

    async def purge(self, older_than: timedelta = timedelta(hours=24)) -> int:
        return 0


def tiny_app(store: MemoryStore, gate: asyncio.Event | None = None) -> tuple[FastAPI, list[dict]]:
    effects: list[dict] = []
    app = FastAPI()

    @app.post("/things", status_code=201)
    async def create(body: dict) -> JSONResponse:
        if gate is not None:
            await gate.wait()
        effects.append(body)
        return JSONResponse({"n": len(effects)}, status_code=201, headers={"Location": f"/things/{len(effects)}"})

    @app.post("/fail")
    async def fail() -> JSONResponse:
        effects.append({})
        return JSONResponse({"error": "down"}, status_code=503)

    @app.post("/crash")
    async def crash() -> None:
        raise RuntimeError("boom")

    app.add_middleware(IdempotencyMiddleware, store=store, verifier=None)  # type: ignore[arg-type]
    return app, effects


def client(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_a_retry_replays_the_stored_answer_without_a_second_effect() -> None:
    app, effects = tiny_app(MemoryStore())
    async with client(app) as http:
        first = await http.post("/things", json={"a": 1}, headers={"Idempotency-Key": "k1"})
        again = await http.post("/things", json={"a": 1}, headers={"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 201
    assert first.content == again.content
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert len(effects) == 1


async def test_the_same_key_with_another_body_is_refused() -> None:
    app, effects = tiny_app(MemoryStore())
    async with client(app) as http:
        await http.post("/things", json={"a": 1}, headers={"Idempotency-Key": "k1"})
        other = await http.post("/things", json={"a": 2}, headers={"Idempotency-Key": "k1"})
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["detail"] == "the Idempotency-Key was used for a different request"
    assert len(effects) == 1


async def test_a_duplicate_while_the_first_runs_is_a_conflict() -> None:
    gate = asyncio.Event()
    app, effects = tiny_app(MemoryStore(), gate)
    async with client(app) as http:
        first = asyncio.create_task(http.post("/things", json={"a": 1}, headers={"Idempotency-Key": "k1"}))
        await asyncio.sleep(0.05)
        second = await http.post("/things", json={"a": 1}, headers={"Idempotency-Key": "k1"})
        gate.set()
        assert (await first).status_code == 201
    assert second.status_code == 409
    assert second.json()["detail"] == "a request with this Idempotency-Key is still in progress"
    assert len(effects) == 1


async def test_a_5xx_or_an_exception_frees_the_key_for_a_retry() -> None:
    store = MemoryStore()
    app, effects = tiny_app(store)
    async with client(app) as http:
        assert (await http.post("/fail", headers={"Idempotency-Key": "f"})).status_code == 503
        assert (await http.post("/fail", headers={"Idempotency-Key": "f"})).status_code == 503
        assert (await http.post("/crash", headers={"Idempotency-Key": "c"})).status_code == 500
    assert len(effects) == 2
    assert store.rows == {}


async def test_requests_without_a_key_or_other_methods_are_untouched() -> None:
    store = MemoryStore()
    app, effects = tiny_app(store)
    async with client(app) as http:
        await http.post("/things", json={"a": 1})
        await http.post("/things", json={"a": 1})
    assert len(effects) == 2
    assert store.rows == {}


async def test_an_overlong_key_is_invalid_input() -> None:
    app, effects = tiny_app(MemoryStore())
    async with client(app) as http:
        answer = await http.post("/things", json={"a": 1}, headers={"Idempotency-Key": "k" * 201})
    assert answer.status_code == 422 and json.loads(answer.content)["status"] == 422
    assert effects == []


@pytest.mark.parametrize(("path", "settled"), [("/things", "done"), ("/fail", None)])
async def test_the_answer_leaves_only_once_the_key_is_settled(path: str, settled: str | None) -> None:
    """A client that has the answer and retries at once finds it stored (or the key free after a
    refusal), never a claim still in progress."""
    store = MemoryStore()
    app, _ = tiny_app(store)
    seen: list[str | None] = []
    request = {"type": "http.request", "body": b'{"a": 1}', "more_body": False}

    async def receive() -> Message:
        return request

    async def send(message: Message) -> None:
        row = store.rows.get((ANONYMOUS, "k"))
        seen.append(row.state if row else None)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"idempotency-key", b"k"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1),
        "server": ("test", 80),
    }
    await app(scope, receive, send)
    assert seen and seen == [settled] * len(seen)
