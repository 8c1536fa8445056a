"""A service's PostgreSQL server stopped and started again under a running ``ServiceRuntime``:
requests fail fast with 503 problem details while it is down, readiness says so, consumers
wait on their message instead of dead-lettering it, and nothing fails once it is back."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from fastapi import APIRouter
from sqlalchemy import Column, Integer, Table, Text, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from portal_dev.ports import free_port
from portal_dev.postgres import EmbeddedPostgres
from portal_dev.testing import Tokens, create_tables, on_cluster, poll_until, running
from shared.auth import TokenVerifier
from shared.contracts import Envelope
from shared.contracts.suppliers import SUPPLIERS_TOPIC, SupplierUpdated
from shared.db import SqlUnitOfWork, make_engine, new_metadata
from shared.idempotency import idempotency_table
from shared.inbox import inbox_table
from shared.messaging import EventConsumer
from shared.outbox import outbox_table
from shared.runtime import CurrentPrincipal, Runtime, ServiceRuntime
from shared.settings import ServiceSettings
from tests.shared.integration.test_outbox_relay import revision_event

# Well under the normal timeouts (30 s at the gateway and per statement): a request that meets
# a stopped database must answer long before either.
FAIL_FAST_S = 10.0
CONSUMER_GROUP = "restart.suppliers"

metadata = new_metadata()
things = Table("things", metadata, Column("id", Integer, primary_key=True), Column("name", Text, nullable=False))
idempotency_table(metadata)
inbox_table(metadata)
outbox_table(metadata)
router = APIRouter()


@router.get("/things")
async def count_things(caller: CurrentPrincipal, runtime: Runtime) -> dict[str, int]:
    async with runtime.engine.connect() as conn:
        return {"count": int((await conn.execute(select(func.count()).select_from(things))).scalar_one())}


@router.post("/things", status_code=201)
async def create_thing(body: dict[str, str], caller: CurrentPrincipal, runtime: Runtime) -> dict[str, Any]:
    async with runtime.engine.begin() as conn:
        new_id = (await conn.execute(insert(things).values(name=body["name"]).returning(things.c.id))).scalar_one()
    return {"id": new_id}


@pytest.fixture(scope="module")
def own_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    """A server of its own: this module stops and starts it."""
    server = EmbeddedPostgres(tmp_path_factory.mktemp("restarted-postgres") / "data", free_port())
    server.start()
    yield server
    server.stop()


async def new_database(server: EmbeddedPostgres) -> str:
    name = f"restart_{uuid.uuid4().hex[:10]}"
    await asyncio.to_thread(server.create_databases, [name])
    url = server.url(name)
    await create_tables(url, metadata)
    return url


async def restart(server: EmbeddedPostgres) -> None:
    await asyncio.to_thread(server.stop)  # pg_ctl stop -m fast
    await asyncio.to_thread(server.start)


async def backend_pids(engine: AsyncEngine, count: int) -> set[int]:
    """Check out ``count`` connections at once (filling the pool) and return their server pids."""
    connections = [await engine.connect() for _ in range(count)]
    try:
        return {int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()) for conn in connections}
    finally:
        for conn in connections:
            await conn.close()


async def test_pooled_connections_from_before_a_restart_are_replaced_instead_of_failing_requests(
    own_postgres: EmbeddedPostgres,
) -> None:
    url = await new_database(own_postgres)
    engine = make_engine(url, pool_size=4)
    without_ping = create_async_engine(url, pool_size=4)  # the control: the same pool, not pinged
    try:
        before = await backend_pids(engine, 4)
        await backend_pids(without_ping, 1)
        assert engine.pool.checkedin() == 4  # type: ignore[attr-defined]
        await restart(own_postgres)

        with pytest.raises(Exception) as stale:
            await backend_pids(without_ping, 1)
        assert "connection" in str(stale.value).lower()
        after = await asyncio.gather(*(backend_pids(engine, 1) for _ in range(8)))
        assert before.isdisjoint(set().union(*after))
    finally:
        await engine.dispose()
        await without_ping.dispose()


@pytest.fixture
async def service(
    own_postgres: EmbeddedPostgres, tokens: Tokens, broker: str
) -> AsyncIterator[tuple[ServiceRuntime, httpx.AsyncClient]]:
    url = await new_database(own_postgres)
    settings = ServiceSettings(
        service_name="restart",
        database_url=url,
        kafka_bootstrap_servers=broker,
        kafka_enable_idempotence=False,
        kafka_fetch_max_wait_ms=20,
        consumer_retry_backoff_s=0.05,
        log_format="console",
    )

    def consumers(runtime: ServiceRuntime) -> list[EventConsumer]:
        async def record(envelope: Envelope, payload: SupplierUpdated) -> None:
            async with SqlUnitOfWork(runtime.session_factory, "restart") as uow:
                if await uow.inbox.first_time(CONSUMER_GROUP, envelope.id):
                    await uow.session.execute(insert(things).values(name=payload.name))
                    await uow.commit()

        handlers: dict[Any, Any] = {SupplierUpdated: record}
        return [
            EventConsumer(SUPPLIERS_TOPIC, CONSUMER_GROUP, handlers, runtime.settings, runtime.kafka_producer),
        ]

    verifier = TokenVerifier(tokens.public_key_file.read_text())
    runtime = ServiceRuntime(settings, title="restart", routers=[router], consumers=consumers, verifier=verifier)
    async with running(runtime) as http:
        yield runtime, http
    # If a test failed while the server was down, the next one needs it up.
    if not own_postgres.running():
        await asyncio.to_thread(own_postgres.start)


async def publish(bootstrap: str, names: list[str]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for name in names:
            event = revision_event(uuid.uuid4(), 1).model_copy(update={"name": name})
            envelope = Envelope.wrap(event, tenant_id=event.tenant_id, producer="test")
            await producer.send_and_wait(
                on_cluster(SUPPLIERS_TOPIC), envelope.model_dump_json().encode(), key=event.key().encode()
            )
    finally:
        await producer.stop()


async def things_named(runtime: ServiceRuntime) -> list[str]:
    async with runtime.engine.connect() as conn:
        return sorted((await conn.execute(select(things.c.name))).scalars())


async def test_a_restarted_database_answers_503_meanwhile_and_loses_or_repeats_nothing(
    own_postgres: EmbeddedPostgres, service: tuple[ServiceRuntime, httpx.AsyncClient], tokens: Tokens, broker: str
) -> None:
    runtime, http = service
    [consumer] = runtime.consumers
    caller = tokens.headers(tokens.buyer(uuid.uuid4()))
    await publish(broker, ["before-1", "before-2"])
    await poll_until(lambda: consumer.handled == 2, timeout_s=30, what="the events before the restart")
    # Several pooled connections, all of which the restart leaves stale.
    warm = await asyncio.gather(*(http.get("/things", headers=caller) for _ in range(6)))
    assert [a.status_code for a in warm] == [200] * 6

    await asyncio.to_thread(own_postgres.stop)
    try:
        answers = {
            "list": await asyncio.wait_for(http.get("/things", headers=caller), FAIL_FAST_S),
            "create": await asyncio.wait_for(http.post("/things", json={"name": "x"}, headers=caller), FAIL_FAST_S),
            "create with a key": await asyncio.wait_for(
                http.post("/things", json={"name": "y"}, headers=caller | {"Idempotency-Key": "down-1"}), FAIL_FAST_S
            ),
        }
        for what, answer in answers.items():
            assert answer.status_code == 503, (what, answer.text)
            assert answer.headers["content-type"] == "application/problem+json", what
            assert answer.headers["retry-after"] == "5", what
        ready = await asyncio.wait_for(http.get("/health/ready"), FAIL_FAST_S)
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"] is False

        # Events arriving meanwhile wait on the consumer: retried, neither dead-lettered nor acknowledged.
        await publish(broker, ["during-1", "during-2", "during-3"])
        await poll_until(lambda: consumer.transient_failures >= 3, timeout_s=30, what="the consumer to meet the outage")
        assert consumer.handled == 2
    finally:
        await asyncio.to_thread(own_postgres.start)

    after = await asyncio.gather(*(http.get("/things", headers=caller) for _ in range(6)))
    assert [a.status_code for a in after] == [200] * 6
    assert (await http.get("/health/ready")).status_code == 200
    created = await http.post("/things", json={"name": "after"}, headers=caller | {"Idempotency-Key": "down-1"})
    assert created.status_code == 201, created.text
    await poll_until(lambda: consumer.handled == 5, timeout_s=30, what="the events held back by the outage")
    assert await things_named(runtime) == ["after", "before-1", "before-2", "during-1", "during-2", "during-3"]
    assert consumer.dead_lettered == 0
