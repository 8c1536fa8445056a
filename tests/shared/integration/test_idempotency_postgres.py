"""Idempotency-Key on a tiny service built on ``ServiceRuntime``, real PostgreSQL and broker:
one effect per key and caller, the same answer on a retry, concurrent duplicates refused."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import Column, Integer, Table, Text, func, insert, select, update

from portal_dev.testing import Servers, Tokens, running
from shared.auth import TokenVerifier
from shared.db import make_engine, new_metadata
from shared.idempotency import ANONYMOUS, idempotency_table
from shared.runtime import CurrentPrincipal, Runtime, ServiceRuntime
from shared.settings import ServiceSettings

metadata = new_metadata()
things = Table("things", metadata, Column("id", Integer, primary_key=True), Column("name", Text, nullable=False))
idempotency = idempotency_table(metadata)
router = APIRouter()


@router.post("/things", status_code=201)
async def create_thing(body: dict, caller: CurrentPrincipal, runtime: Runtime) -> JSONResponse:
    await asyncio.sleep(float(body.get("slow", 0)))
    async with runtime.engine.begin() as conn:
        new_id = (await conn.execute(insert(things).values(name=body["name"]).returning(things.c.id))).scalar_one()
    return JSONResponse(
        {"id": new_id, "name": body["name"]}, status_code=201, headers={"Location": f"/things/{new_id}"}
    )


@router.post("/anonymous")
async def anonymous(body: dict, runtime: Runtime) -> dict:
    async with runtime.engine.begin() as conn:
        await conn.execute(insert(things).values(name=body["name"]))
    return {"ok": True}


@router.post("/unavailable")
async def unavailable(runtime: Runtime) -> JSONResponse:
    async with runtime.engine.begin() as conn:
        await conn.execute(insert(things).values(name="unavailable"))
    return JSONResponse({"detail": "down"}, status_code=503)


async def tiny_service(servers: Servers, tokens: Tokens, broker: str) -> tuple[ServiceRuntime, str]:
    url = await servers.create_database("idem")
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await engine.dispose()
    settings = ServiceSettings(
        service_name="idem",
        database_url=url,
        kafka_bootstrap_servers=broker,
        kafka_enable_idempotence=not servers.embedded_broker,
        log_format="console",
    )
    verifier = TokenVerifier(tokens.public_key_file.read_text())
    return ServiceRuntime(settings, title="idem", routers=[router], verifier=verifier), url


async def count(runtime: ServiceRuntime, name: str) -> int:
    async with runtime.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).where(things.c.name == name))).scalar_one())


async def test_a_retried_post_has_one_effect_and_the_same_answer(servers: Servers, tokens: Tokens, broker: str) -> None:
    runtime, _ = await tiny_service(servers, tokens, broker)
    user = uuid.uuid4()
    headers = tokens.headers(tokens.buyer(uuid.uuid4(), user_id=user)) | {"Idempotency-Key": "create-1"}
    async with running(runtime) as http:
        first = await http.post("/things", json={"name": "a"}, headers=headers)
        # A new token of the same user: the key belongs to the user, not to the token.
        again_headers = tokens.headers(tokens.buyer(uuid.uuid4(), user_id=user)) | {"Idempotency-Key": "create-1"}
        again = await http.post("/things", json={"name": "a"}, headers=again_headers)
        assert first.status_code == again.status_code == 201
        assert again.content == first.content and again.headers["location"] == first.headers["location"]
        assert again.headers["idempotent-replayed"] == "true"
        assert await count(runtime, "a") == 1

        reused = await http.post("/things", json={"name": "b"}, headers=headers)
        assert reused.status_code == 422
        assert reused.json()["detail"] == "the Idempotency-Key was used for a different request"
        assert await count(runtime, "b") == 0

        async with runtime.engine.connect() as conn:
            row = (await conn.execute(select(idempotency))).one()
        assert (row.principal, row.key, row.state, row.status_code) == (user, "create-1", "done", 201)
        assert row.method == "POST" and row.path == "/things"
        assert row.response_headers == {"content-type": "application/json", "location": first.headers["location"]}


async def test_keys_are_per_caller_and_requests_without_one_are_unaffected(
    servers: Servers, tokens: Tokens, broker: str
) -> None:
    runtime, _ = await tiny_service(servers, tokens, broker)
    async with running(runtime) as http:
        for _ in range(2):
            one = tokens.headers(tokens.buyer(uuid.uuid4())) | {"Idempotency-Key": "same"}
            assert (await http.post("/things", json={"name": "c"}, headers=one)).status_code == 201
        plain = tokens.headers(tokens.buyer(uuid.uuid4()))
        await http.post("/things", json={"name": "d"}, headers=plain)
        await http.post("/things", json={"name": "d"}, headers=plain)
        assert await count(runtime, "c") == 2
        assert await count(runtime, "d") == 2


async def test_concurrent_duplicates_give_one_effect(servers: Servers, tokens: Tokens, broker: str) -> None:
    runtime, _ = await tiny_service(servers, tokens, broker)
    headers = tokens.headers(tokens.buyer(uuid.uuid4())) | {"Idempotency-Key": "race"}
    async with running(runtime) as http:
        answers = await asyncio.gather(
            *(http.post("/things", json={"name": "e", "slow": 0.3}, headers=headers) for _ in range(4))
        )
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [201, 409, 409, 409]
        [conflict, *_] = [a for a in answers if a.status_code == 409]
        assert conflict.json()["detail"] == "a request with this Idempotency-Key is still in progress"
        assert await count(runtime, "e") == 1
        after = await http.post("/things", json={"name": "e", "slow": 0.3}, headers=headers)
        assert after.status_code == 201 and after.headers["idempotent-replayed"] == "true"


async def test_anonymous_callers_use_the_nil_uuid_and_a_5xx_frees_the_key(
    servers: Servers, tokens: Tokens, broker: str
) -> None:
    runtime, _ = await tiny_service(servers, tokens, broker)
    async with running(runtime) as http:
        for _ in range(2):
            answer = await http.post("/anonymous", json={"name": "f"}, headers={"Idempotency-Key": "anon"})
            assert answer.status_code == 200
        assert await count(runtime, "f") == 1
        for _ in range(2):
            answer = await http.post("/unavailable", headers={"Idempotency-Key": "down"})
            assert answer.status_code == 503
        assert await count(runtime, "unavailable") == 2
        async with runtime.engine.connect() as conn:
            rows = (await conn.execute(select(idempotency.c.principal, idempotency.c.key))).all()
        assert [(r.principal, r.key) for r in rows] == [(ANONYMOUS, "anon")]


async def test_keys_older_than_a_day_are_purged(servers: Servers, tokens: Tokens, broker: str) -> None:
    runtime, _ = await tiny_service(servers, tokens, broker)
    async with running(runtime) as http:
        for key in ("old", "new"):
            await http.post("/anonymous", json={"name": "g"}, headers={"Idempotency-Key": key})
        async with runtime.engine.begin() as conn:
            await conn.execute(
                update(idempotency)
                .where(idempotency.c.key == "old")
                .values(created_at=datetime.now(UTC) - timedelta(hours=25))
            )
        assert await runtime.idempotency.purge() == 1
        async with runtime.engine.connect() as conn:
            assert (await conn.execute(select(idempotency.c.key))).scalars().all() == ["new"]
