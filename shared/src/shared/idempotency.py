"""``Idempotency-Key`` on POST: a retried request has one effect and gets the same answer.

The first request with a key claims a row ``in_progress`` (committed before the handler runs,
so a concurrent duplicate sees it); its answer is stored when it is a 2xx, before it is sent. A later
request with the same key and body replays that answer; with another body it is refused. A
4xx, a 5xx or an exception deletes the claim so that a retry runs for real. Keys are per caller
(the JWT ``sub``; anonymous callers share the nil UUID).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from uuid import UUID

import structlog
from sqlalchemy import Column, DateTime, Integer, LargeBinary, MetaData, String, Table, Text, Uuid, delete, select
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import TokenVerifier
from shared.db import database_unavailable
from shared.errors import Unauthorized
from shared.problems import PROBLEM_BASE, PROBLEM_JSON, unavailable

log = structlog.get_logger(__name__)

HEADER = "idempotency-key"
MAX_KEY_LENGTH = 200
ANONYMOUS = UUID(int=0)
UNGUARDED_PREFIX = "/api/v1/auth/"
RETENTION = timedelta(hours=24)
STORED_HEADERS = ("content-type", "location")


def idempotency_table(metadata: MetaData) -> Table:
    """The table of idempotency keys in a service's metadata; a migration creates it."""
    return Table(
        "idempotency_keys",
        metadata,
        Column("key", Text, primary_key=True),
        Column("principal", Uuid, primary_key=True),
        Column("method", String(10), nullable=False),
        Column("path", Text, nullable=False),
        Column("request_hash", String(64), nullable=False),
        Column("status_code", Integer, nullable=True),
        Column("response_body", LargeBinary, nullable=True),
        Column("response_headers", JSONB, nullable=True),
        Column("state", String(20), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    )


_table = idempotency_table(MetaData())


@dataclass(frozen=True)
class StoredRequest:
    request_hash: str
    state: str
    status_code: int | None = None
    body: bytes | None = None
    headers: dict[str, str] | None = None


Decision = Literal["replay", "in_progress", "mismatch"]


def decide(stored: StoredRequest, request_hash: str) -> Decision:
    """What a request whose key is already taken gets."""
    if stored.request_hash != request_hash:
        return "mismatch"
    return "replay" if stored.state == "done" else "in_progress"


def should_store(status_code: int) -> bool:
    """Only a 2xx had an effect to protect. A refused request (4xx) changed nothing, and often
    only because a read model had not caught up yet: its retry must run again, not replay the
    refusal. A 5xx may go differently on a retry too."""
    return 200 <= status_code < 300


def valid_key(key: str) -> bool:
    return 1 <= len(key) <= MAX_KEY_LENGTH


def request_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _problem(status: int, title: str, detail: str, slug: str) -> tuple[int, bytes, dict[str, str]]:
    body = {"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail}
    return status, json.dumps(body).encode(), {"content-type": PROBLEM_JSON}


IN_PROGRESS = _problem(
    409, "Conflict", "a request with this Idempotency-Key is still in progress", "idempotency-in-progress"
)
MISMATCH = _problem(
    422, "Invalid input", "the Idempotency-Key was used for a different request", "idempotency-key-reused"
)
INVALID_KEY = _problem(
    422, "Invalid input", f"the Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters", "invalid-input"
)


class IdempotencyStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def claim(self, principal: UUID, key: str, method: str, path: str, hash_: str) -> StoredRequest | None:
        """Take the key (None) or return what holds it."""
        for _ in range(3):  # the holder may be deleted between our insert and our select
            async with self._engine.begin() as conn:
                inserted = await conn.execute(
                    insert(_table)
                    .values(
                        key=key,
                        principal=principal,
                        method=method,
                        path=path,
                        request_hash=hash_,
                        state="in_progress",
                        created_at=datetime.now(UTC),
                    )
                    .on_conflict_do_nothing()
                    .returning(_table.c.key)
                )
                if inserted.first() is not None:
                    return None
            async with self._engine.connect() as conn:
                row = (
                    await conn.execute(select(_table).where(_table.c.principal == principal, _table.c.key == key))
                ).first()
            if row is not None:
                return StoredRequest(
                    row.request_hash, row.state, row.status_code, row.response_body, row.response_headers
                )
        return StoredRequest(hash_, "in_progress")

    async def finish(self, principal: UUID, key: str, status: int, body: bytes, headers: dict[str, str]) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                _table.update()
                .where(_table.c.principal == principal, _table.c.key == key)
                .values(state="done", status_code=status, response_body=body, response_headers=headers)
            )

    async def release(self, principal: UUID, key: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(_table).where(_table.c.principal == principal, _table.c.key == key))

    async def purge(self, older_than: timedelta = RETENTION) -> int:
        async with self._engine.begin() as conn:
            result = await conn.execute(delete(_table).where(_table.c.created_at < datetime.now(UTC) - older_than))
            return int(result.rowcount or 0)


def principal_of(headers: dict[str, str], verifier: TokenVerifier | None) -> UUID | None:
    """The caller's user id; the nil UUID without a token; None when the token is not valid
    (the handler answers 401 itself, and nothing is stored for it)."""
    authorization = headers.get("authorization")
    if not authorization:
        return ANONYMOUS
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or verifier is None:
        return None
    try:
        return verifier.verify(token.strip()).user_id
    except Unauthorized:
        return None


class IdempotencyMiddleware:
    """Pure ASGI middleware (the body must be read before, and the answer kept after, the app)."""

    def __init__(self, app: ASGIApp, *, store: IdempotencyStore, verifier: TokenVerifier | None) -> None:
        self.app = app
        self.store = store
        self.verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Sign-in answers carry credentials: they are never kept, and signing in has no effect to protect.
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"].startswith(UNGUARDED_PREFIX):
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        key = headers.get(HEADER)
        if key is None:
            return await self.app(scope, receive, send)
        if not valid_key(key):
            return await _send(send, *INVALID_KEY)
        principal = principal_of(headers, self.verifier)
        if principal is None:
            return await self.app(scope, receive, send)
        body, more = await _read_body(receive)
        try:
            stored = await self.store.claim(principal, key, "POST", scope["path"], request_hash(body))
        except Exception as exc:
            if not database_unavailable(exc):
                raise
            # The key cannot be claimed while the database is away; the request has not run.
            log.warning("idempotency keys unavailable", error=repr(exc))
            return await unavailable()(scope, receive, send)
        if stored is not None:
            return await self._answer_taken(send, stored, request_hash(body))
        await self._run(scope, _replaying(body, more, receive), send, principal, key)

    async def _answer_taken(self, send: Send, stored: StoredRequest, hash_: str) -> None:
        decision = decide(stored, hash_)
        if decision == "mismatch":
            return await _send(send, *MISMATCH)
        if decision == "in_progress":
            return await _send(send, *IN_PROGRESS)
        assert stored.status_code is not None
        headers = dict(stored.headers or {}) | {"idempotent-replayed": "true"}
        await _send(send, stored.status_code, stored.body or b"", headers)

    async def _run(self, scope: Scope, receive: Receive, send: Send, principal: UUID, key: str) -> None:
        """Runs the app with its answer held back until the key is settled: a client that has
        the answer and retries at once must find it stored (or the key free), never in progress."""
        status = 500
        headers: dict[str, str] = {}
        held: list[Message] = []

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    name_s = name.decode("latin-1").lower()
                    if name_s in STORED_HEADERS:
                        headers[name_s] = value.decode("latin-1")
            held.append(message)

        try:
            await self.app(scope, receive, capture)
        except BaseException:
            await asyncio.shield(self.store.release(principal, key))
            raise
        if should_store(status):
            body = b"".join(m.get("body", b"") for m in held if m["type"] == "http.response.body")
            await self.store.finish(principal, key, status, body, headers)
        else:
            await self.store.release(principal, key)
        for message in held:
            await send(message)


async def _read_body(receive: Receive) -> tuple[bytes, list[Message]]:
    """The whole body; messages other than body chunks (a disconnect) are kept to hand on."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), [message]
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), []


def _replaying(body: bytes, pending: list[Message], receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


async def _send(send: Send, status: int, body: bytes, headers: dict[str, str]) -> None:
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def purge_expired(store: IdempotencyStore, *, every_s: float = 3600.0) -> None:
    """Background loop: forget keys older than 24 h."""
    while True:
        try:
            purged = await store.purge()
            if purged:
                log.info("idempotency keys purged", count=purged)
        except Exception as exc:  # a database without the table (tests' tiny apps) or one that is down
            log.debug("idempotency purge skipped", error=str(exc))
        await asyncio.sleep(every_s)
