"""A database that is away (down, restarting, out of connections) answers 503 problem details
with Retry-After, never a 500, and a consumer retries the message instead of dead-lettering it."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import exc as sa_exc

from shared.db import database_unavailable
from shared.errors import NotFound
from shared.idempotency import IdempotencyMiddleware, StoredRequest
from shared.messaging import _is_transient
from shared.problems import install_problem_handlers


def wrapped(driver_error: BaseException) -> sa_exc.DBAPIError:
    """How SQLAlchemy hands on a driver error raised on a live connection: not invalidated, the
    driver's error as the cause."""
    error = sa_exc.DBAPIError("SELECT 1", {}, Exception(str(driver_error)))
    error.__cause__ = driver_error
    return error


UNAVAILABLE = {
    "operational error": sa_exc.OperationalError("SELECT 1", {}, Exception("server closed the connection")),
    "interface error": sa_exc.InterfaceError("SELECT 1", {}, Exception("connection is closed")),
    "invalidated connection": sa_exc.DBAPIError("SELECT 1", {}, Exception("lost"), connection_invalidated=True),
    "pool timeout": sa_exc.TimeoutError("QueuePool limit of size 10 overflow 10 reached"),
    "starting up": asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
    "shutting down": wrapped(asyncpg.exceptions.AdminShutdownError("terminating connection")),
    "connection gone": asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
    "too many connections": asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"),
    "refused": ConnectionRefusedError(111, "Connect call failed"),
    "connect timeout": TimeoutError(),
    "socket error": OSError(113, "No route to host"),
}
NOT_UNAVAILABLE = {
    "unique violation": sa_exc.IntegrityError("INSERT", {}, Exception("duplicate key")),
    "wrapped unique violation": wrapped(asyncpg.exceptions.UniqueViolationError("duplicate key")),
    "syntax error": wrapped(asyncpg.exceptions.PostgresSyntaxError("syntax error")),
    "programming error": ValueError("not a database problem"),
    "domain error": NotFound("no such invoice"),
}


@pytest.mark.parametrize("error", UNAVAILABLE.values(), ids=UNAVAILABLE.keys())
def test_errors_of_a_database_that_is_away_say_unavailable(error: BaseException) -> None:
    assert database_unavailable(error)
    assert _is_transient(error)  # a consumer retries the message, it never becomes poison


@pytest.mark.parametrize("error", NOT_UNAVAILABLE.values(), ids=NOT_UNAVAILABLE.keys())
def test_errors_of_the_request_or_the_code_do_not(error: BaseException) -> None:
    assert not database_unavailable(error)
    assert not _is_transient(error)


def test_the_cause_is_searched_through_every_wrapper() -> None:
    outer = RuntimeError("unit of work failed")
    outer.__cause__ = wrapped(asyncpg.exceptions.CannotConnectNowError("the database system is shutting down"))
    assert database_unavailable(outer)


def raising_app(error: BaseException) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/invoices")
    async def invoices() -> None:
        raise error

    return app


def client(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://service")


def assert_unavailable(answer: httpx.Response) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["retry-after"] == "5"
    assert answer.json() == {
        "type": "https://supplier-portal.dev/problems/unavailable",
        "title": "Service unavailable",
        "status": 503,
        "detail": "the service's database is unreachable; try again shortly",
    }


@pytest.mark.parametrize("error", UNAVAILABLE.values(), ids=UNAVAILABLE.keys())
async def test_a_request_that_meets_an_unavailable_database_gets_503_problem_details(error: BaseException) -> None:
    async with client(raising_app(error)) as http:
        assert_unavailable(await http.get("/invoices"))


@pytest.mark.parametrize(
    "error", [NOT_UNAVAILABLE["wrapped unique violation"], ValueError("bug")], ids=["database error", "bug"]
)
async def test_any_other_failure_is_a_500_problem_without_retry_after(error: BaseException) -> None:
    async with client(raising_app(error)) as http:
        answer = await http.get("/invoices")
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert "retry-after" not in answer.headers
    assert answer.json()["detail"] == "the request could not be completed"


class UnreachableKeys:
    """An idempotency store whose database refuses connections."""

    async def claim(self, principal: UUID, key: str, method: str, path: str, hash_: str) -> StoredRequest | None:
        raise ConnectionRefusedError(111, "Connect call failed")

    async def finish(self, principal: UUID, key: str, status: int, body: bytes, headers: dict[str, str]) -> None:
        raise AssertionError("nothing to finish")

    async def release(self, principal: UUID, key: str) -> None:
        raise AssertionError("nothing to release")

    async def purge(self, older_than: timedelta = timedelta(hours=24)) -> int:
        return 0


async def test_a_keyed_post_while_the_key_store_is_unreachable_gets_503_and_does_not_run() -> None:
    app = FastAPI()
    install_problem_handlers(app)
    effects: list[dict] = []

    @app.post("/payments", status_code=201)
    async def pay(body: dict) -> dict:
        effects.append(body)
        return body

    app.add_middleware(IdempotencyMiddleware, store=UnreachableKeys(), verifier=None)  # type: ignore[arg-type]
    async with client(app) as http:
        assert_unavailable(await http.post("/payments", json={"amount": "1"}, headers={"Idempotency-Key": "p1"}))
        unkeyed = await http.post("/payments", json={"amount": "1"})
    assert unkeyed.status_code == 201
    assert effects == [{"amount": "1"}]
