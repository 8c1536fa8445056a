"""A service process: FastAPI for HTTP, FastStream consumers, the outbox relay, the pruning of the
outbox and the inbox, health checks.

Each service's ``bootstrap.py`` builds one ``ServiceRuntime`` (its composition root) and its
``main.py`` serves ``runtime.app``. Tests build the same runtime with other settings.
"""

from __future__ import annotations

import asyncio
import functools
import gc
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any
from uuid import uuid4

import structlog
from aiokafka import AIOKafkaProducer
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import Message, Receive, Scope, Send

from shared import correlation, faults, tracing
from shared.asgi import HttpMiddleware
from shared.asyncapi import asyncapi_router
from shared.auth import Principal, TokenVerifier
from shared.db import make_engine, make_session_factory
from shared.errors import Unauthorized
from shared.idempotency import IdempotencyMiddleware, IdempotencyStore, purge_expired
from shared.internal_access import internal_caller
from shared.kafka import make_producer
from shared.logs import configure_logging
from shared.messaging import EventConsumer, make_broker
from shared.metrics import RequestMetricsMiddleware, ServiceMetrics, metrics_router
from shared.networks import Networks
from shared.openapi import install_problem_documentation
from shared.problems import install_problem_handlers
from shared.pruning import Pruner
from shared.relay import OutboxRelay, ask_cluster_id
from shared.settings import ServiceSettings
from shared.stalls import StallCheck, stalled_report
from shared.text_input import StorableTextMiddleware

log = structlog.get_logger(__name__)

BackgroundTask = Callable[["ServiceRuntime"], Coroutine[Any, Any, None]]


class ServiceRuntime:
    def __init__(
        self,
        settings: ServiceSettings,
        *,
        title: str,
        routers: Sequence[APIRouter] = (),
        consumers: Callable[[ServiceRuntime], list[EventConsumer]] = lambda _: [],
        background: Sequence[BackgroundTask] = (),
        on_stop: Sequence[BackgroundTask] = (),
        verifier: TokenVerifier | None = None,
        stall_checks: Sequence[StallCheck] = (),
    ) -> None:
        self.settings = settings
        configure_logging(settings.service_name, fmt=settings.log_format, level=settings.log_level)
        tracing.configure(settings.service_name, settings.otel_exporter_otlp_endpoint)
        faults.arm(settings.fault_points, environment=settings.environment)
        self.engine: AsyncEngine = make_engine(
            settings.database_url, pool_size=settings.database_pool_size, max_overflow=settings.database_pool_overflow
        )
        self.session_factory: async_sessionmaker[AsyncSession] = make_session_factory(self.engine)
        self.producer: AIOKafkaProducer | None = None
        self.broker = make_broker(settings)
        self.verifier = verifier
        self.internal_networks = Networks.parse(settings.internal_networks)
        self.metrics = ServiceMetrics()
        for check in stall_checks:
            self.metrics.watch_stall(check)
        self.consumers = consumers(self)
        for consumer in self.consumers:
            consumer.register(self.broker)
            consumer.metrics = self.metrics
            consumer.session_factory = self.session_factory
            self.metrics.watch_consumer(consumer.topic, consumer.group)
        self.relay: OutboxRelay | None = None
        self.pruner = Pruner(
            self.engine,
            outbox_retention_s=settings.outbox_retention_s,
            inbox_retention_s=settings.inbox_retention_s,
            batch_size=settings.prune_batch_size,
            pruned_rows=self.metrics.pruned_rows,
        )
        self.idempotency = IdempotencyStore(self.engine)
        self._background = background
        self._on_stop = on_stop
        self._tasks: list[asyncio.Task[None]] = []
        self._relay_task: asyncio.Task[None] | None = None
        self.app = self._build_app(title, routers)

    def kafka_producer(self) -> AIOKafkaProducer:
        assert self.producer is not None, "the runtime has not started"
        return self.producer

    def _build_app(self, title: str, routers: Sequence[APIRouter]) -> FastAPI:
        app = FastAPI(title=title, lifespan=self._lifespan, version="1.0.0")
        app.state.runtime = self
        install_problem_handlers(app)
        install_problem_documentation(app)
        # Inside the error middleware: an unhandled exception passes through it (and frees the key).
        app.add_middleware(IdempotencyMiddleware, store=self.idempotency, verifier=self.verifier)
        # Outside it: text no database can store is refused before a key is claimed.
        app.add_middleware(StorableTextMiddleware)

        app.add_middleware(CorrelationMiddleware)
        app.add_middleware(RequestMetricsMiddleware, metrics=self.metrics)  # times the whole answer
        tracing.instrument_app(app)  # outermost: the server span covers the whole request
        app.include_router(self._health_router())
        # No token: Prometheus scrapes it from the internal networks (others get 404).
        app.include_router(metrics_router(self.metrics, self.internal_networks, self.engine, lambda: self.consumers))
        app.include_router(asyncapi_router(self))
        for router in routers:
            app.include_router(router)
        return app

    def _health_router(self) -> APIRouter:
        router = APIRouter(prefix="/health", tags=["health"])

        @router.get("/live")
        async def live() -> dict[str, str]:
            return {"status": "ok", "service": self.settings.service_name}

        @router.get(
            "/ready",
            responses={503: {"description": "Not ready", "content": {"application/json": {"schema": {}}}}},
        )
        async def ready(request: Request) -> JSONResponse:
            """Ready when the database and the broker answer; what was checked (and the stalls)
            only for an internal caller (``shared.internal_access``), the status for anyone."""
            checks = {"database": await self._database_ok(), "broker": await self._broker_ok()}
            ok = all(checks.values())
            if not internal_caller(request, self.internal_networks):
                return JSONResponse({"status": "ok" if ok else "unavailable"}, status_code=200 if ok else 503)
            body: dict[str, Any] = {
                "status": "ok" if ok else "unavailable",
                "service": self.settings.service_name,
                "checks": checks,
            }
            if self.metrics.stall_checks:
                # Documents waiting too long are reported but leave the service ready: a restart
                # or a load balancer taking it out would not move them on.
                if checks["database"]:
                    await self.metrics.refresh_stalls(self.engine)
                body["stalled"] = stalled_report(self.metrics.stalls.values())
            return JSONResponse(body, status_code=200 if ok else 503)

        return router

    async def _database_ok(self) -> bool:
        try:
            async with asyncio.timeout(3):
                async with self.engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def _broker_ok(self) -> bool:
        if self.producer is None:
            return False
        try:
            async with asyncio.timeout(3):
                await self.producer.client.fetch_all_metadata()
            return True
        except Exception:
            return False

    @asynccontextmanager
    async def _lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        await self.start()
        settle_garbage_collector()
        try:
            yield
        finally:
            await self.stop()

    async def start(self) -> None:
        self.producer = make_producer(self.settings)
        await self.producer.start()
        self.relay = OutboxRelay(
            self.producer,
            database_url=self.settings.database_url,
            batch_size=self.settings.outbox_batch_size,
            poll_interval_s=self.settings.outbox_poll_interval_s,
            ask_cluster_id=functools.partial(ask_cluster_id, self.producer),
            broker_check_interval_s=self.settings.outbox_broker_check_interval_s,
            republish_window_s=self.settings.outbox_republish_window_s,
            on_republished=self.metrics.outbox_republished.inc,
            topic_prefix=self.settings.kafka_topic_prefix,
        )
        self._relay_task = asyncio.create_task(self.relay.run(), name="outbox-relay")
        self._tasks.append(asyncio.create_task(purge_expired(self.idempotency), name="idempotency-purge"))
        pruning = self.pruner.run(self.settings.prune_interval_s)
        self._tasks.append(asyncio.create_task(pruning, name="outbox-inbox-pruning"))
        for task in self._background:
            self._tasks.append(asyncio.create_task(task(self), name=getattr(task, "__name__", "task")))
        if self.consumers:
            await self._start_consumers()
        log.info("service started", consumers=[c.group + ":" + c.topic for c in self.consumers])

    async def _start_consumers(self) -> None:
        """``broker.start()``, but every subscriber joins its group at once: a join waits on the
        group coordinator, and one after the other they add up (seconds each on the embedded broker)."""
        await self.broker.connect()
        await asyncio.gather(*(subscriber.start() for subscriber in self.broker.subscribers))
        for publisher in self.broker.publishers:
            await publisher.start()
        self.broker.running = True

    async def stop(self) -> None:
        # Consumers first: a handler in flight finishes and commits its offset.
        if self.consumers:
            await self.broker.stop()
        await cancel_all(self._tasks)  # background work (the email sender finishes its email)
        self._tasks.clear()
        if self.relay is not None and self._relay_task is not None:
            await self.relay.stop()  # the events of the last commits go out now, not at the next start
            await cancel_all([self._relay_task])
            await self.relay.close()
        self._relay_task = None
        for hook in self._on_stop:
            await hook(self)
        if self.producer is not None:
            await self.producer.stop()
        await self.engine.dispose()
        log.info("service stopped")
        tracing.shutdown()


# Young collections every 7,000 allocations instead of 700, a full one every 100 of the middle
# generation's instead of 10: with the start-up heap frozen, CPython would otherwise run a full
# collection at every tenth, since it waits for a quarter of a long-lived heap that is now empty.
GC_THRESHOLDS = (7_000, 10, 100)


def settle_garbage_collector() -> None:
    """Take what start-up built (modules, the app and its schemas, pools, clients: all of it lives
    as long as the process) out of the cyclic garbage collector's reach. Otherwise each full
    collection walks all of it again: pauses of 60-260 ms every few seconds under load, a latency
    spike for every request and event in flight. Only service processes do this (tests build many
    runtimes in one process, whose frozen objects would never be collected)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


async def cancel_all(tasks: Sequence[asyncio.Task[None]], *, give_up_after_s: float = 20.0) -> None:
    """Cancel the tasks and wait for them to end. A task that carries on is cancelled again:
    on Python 3.11 ``asyncio.wait_for`` (used by aiosmtplib and asyncpg) loses a cancellation that
    arrives as the awaited operation completes, and a background loop would then never end.
    A task may finish what it is doing first (the email sender its email in flight)."""
    pending = {task for task in tasks if not task.done()}
    deadline = asyncio.get_running_loop().time() + give_up_after_s
    while pending and asyncio.get_running_loop().time() < deadline:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=0.5)
    if pending:
        log.error("background tasks did not stop", tasks=[task.get_name() for task in pending])
    for task in tasks:
        if task.done() and not task.cancelled():
            task.exception()  # retrieved: a task that failed was already logged by its own loop


class CorrelationMiddleware(HttpMiddleware):
    """Binds the request's correlation id (``X-Correlation-ID`` or a new one) for its logs and
    events and answers it. Plain ASGI: a ``BaseHTTPMiddleware`` runs the rest of the app in a task
    of its own and streams the response through a queue, which costs every request."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        correlation_id = Headers(scope=scope).get("x-correlation-id") or str(uuid4())
        correlation.bind(correlation_id, None, method=scope["method"], path=scope["path"])

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Correlation-ID"] = correlation_id
            await send(message)

        await self.app(scope, receive, send_with_id)


_bearer = HTTPBearer(auto_error=False)


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The verified caller; every service checks the token itself."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("a bearer token is required")
    runtime: ServiceRuntime = request.app.state.runtime
    if runtime.verifier is None:
        raise Unauthorized("this service cannot verify tokens")
    principal = runtime.verifier.verify(credentials.credentials)
    correlation.annotate(
        user_id=str(principal.user_id), tenant_id=str(principal.tenant_id) if principal.tenant_id else None
    )
    return principal


async def runtime_of(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
Runtime = Annotated[ServiceRuntime, Depends(runtime_of)]
