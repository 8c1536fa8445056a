"""FastStream subscribers with the portal's delivery guarantees.

Every subscriber: a consumer group, ``auto_offset_reset="earliest"``, manual acknowledgement
after the handler's transaction commits, events decoded against the topic's contracts, and a
dead-letter topic (``<topic>.dlq``) for messages that cannot be decoded or keep failing.
Transient failures (database or broker away, a read model not there yet) are retried without
being counted as poison.

A service declares its consumers with ``shared.consumer_groups.consumer_group``, which builds
an ``EventConsumer`` whose handlers run once per event in the service's unit of work.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, cast
from uuid import UUID

import structlog
from aiokafka import AIOKafkaProducer, ConsumerRecord
from aiokafka.errors import CommitFailedError, IllegalStateError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.message import AckStatus
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared import correlation, faults, tracing
from shared.contracts import TOPICS, Envelope, EventPayload, decode_event, dlq_topic
from shared.db import database_unavailable, shared_transaction
from shared.deliveries import Delivery, commit_offsets, rewind
from shared.errors import RetryLater
from shared.kafka import client_security
from shared.settings import ServiceSettings

if TYPE_CHECKING:
    from faststream import ContextRepo

    from shared.metrics import ServiceMetrics

log = structlog.get_logger(__name__)

# What the engine calls for one decoded event: its envelope and typed payload.
Handler = Callable[[Envelope, Any], Awaitable[None]]

# One record being handled: FastStream's message for the record it delivered, or a record
# fetched after it in the same poll; both are acknowledged on their own.
Received: TypeAlias = KafkaMessage | Delivery

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    ConnectionError,
    TimeoutError,
    OperationalError,
    InterfaceError,
    RetryLater,
)

# What every subscriber is given; the configuration guard test checks these.
SUBSCRIBER_ACK_POLICY = AckPolicy.MANUAL
SUBSCRIBER_OFFSET_RESET: Final = "earliest"


def broker_options(settings: ServiceSettings) -> dict[str, Any]:
    """What a service's FastStream broker is built with; the configuration guard test reads them.
    Its own producer publishes nothing (the relay has its own) but is kept as safe as the relay's.
    The security (TLS, SASL) reaches its producer, its admin client and every consumer it builds."""
    return {
        "client_id": settings.service_name,
        "acks": "all",
        "enable_idempotence": settings.kafka_enable_idempotence,
        "graceful_timeout": 30.0,
        "logger": None,
        "security": client_security(settings).broker_security(),
    }


def make_broker(settings: ServiceSettings) -> KafkaBroker:
    return KafkaBroker(settings.kafka_bootstrap_servers, **broker_options(settings))


async def _raw_body(message: Any, original: Any = None) -> bytes:
    return message.body


def _record(msg: Received) -> ConsumerRecord[Any, Any]:
    """The Kafka record of ``msg``. FastStream types a message's record as one record or a tuple
    of them; the subscribers here are not batch subscribers, so it is always one record."""
    return cast("ConsumerRecord[Any, Any]", msg.raw_message)


def _is_transient(exc: BaseException) -> bool:
    # A database down or restarting pauses the consumer on this message; it is never poison.
    return database_unavailable(exc) or isinstance(exc, TRANSIENT_ERRORS)


@dataclass
class EventConsumer:
    """One consumer group on one topic; handlers, called with the decoded envelope and payload,
    are chosen by event type. Services build it with ``shared.consumer_groups.consumer_group``."""

    topic: str
    group: str
    handlers: dict[type[EventPayload], Handler]
    settings: ServiceSettings
    dead_letters: Callable[[], AIOKafkaProducer]
    attempts: dict[tuple[int, int], int] = field(default_factory=dict)
    first_seen: dict[tuple[int, int], float] = field(default_factory=dict)
    handled: int = 0
    dead_lettered: int = 0
    commit_failures: int = 0  # offsets not committed because the group had moved on
    transient_failures: int = 0  # deliveries put back to retry (a database or read model away)
    metrics: ServiceMetrics | None = None
    subscriber: Any = None  # FastStream's subscriber; its ``consumer`` is the AIOKafkaConsumer
    # The broker's context, where FastStream keeps the message it is delivering (``register``).
    delivering: ContextRepo | None = None
    # The database the handlers' units of work use; with it, events already fetched are handled
    # in one transaction (``consume_fetched``). The runtime sets it.
    session_factory: async_sessionmaker[AsyncSession] | None = None
    batches: int = 0  # transactions that handled more than one event
    batches_broken: int = 0  # batches that stopped at an event left to be handled on its own
    # What a batch's transaction locks first, in one shared order, for each event: the thing its
    # handler locks rows of (``SharedTransaction.serialise``), when two consumers of the service
    # lock the same rows in batches; None for an event that locks none.
    serialise_by: Callable[[EventPayload], str | None] | None = None
    # Its handlers record their events in the inbox under ``group``, in units of work on
    # ``session_factory`` (as ``consumer_group``'s do): a batch then writes those records with
    # one statement before the handlers run, and each handler finds its own there.
    inbox_in_batches: bool = False

    def subscriber_options(self) -> dict[str, Any]:
        """What its FastStream subscriber is built with; the configuration guard test reads them.
        The manual acknowledgement turns Kafka's auto-commit off: offsets are committed after the effect."""
        return {
            "group_id": self.settings.on_cluster(self.group),
            "auto_offset_reset": SUBSCRIBER_OFFSET_RESET,
            "ack_policy": SUBSCRIBER_ACK_POLICY,
            "fetch_max_wait_ms": self.fetch_max_wait_ms,
            "max_poll_interval_ms": self.settings.kafka_max_poll_interval_ms,
            "session_timeout_ms": self.settings.kafka_session_timeout_ms,
            "heartbeat_interval_ms": max(100, self.settings.kafka_session_timeout_ms // 10),
            "decoder": _raw_body,
            "title": f"{self.group}:{self.topic}",
        }

    def register(self, broker: KafkaBroker) -> None:
        """Subscribe ``consume_fetched``. It finds the message in the broker's context itself: a
        parameter asking FastStream for it (``msg: KafkaMessage``) is resolved by a synchronous
        function that FastStream's dependency injection runs in a worker thread, a thread hop and
        a task group for every message delivered."""
        self.delivering = broker.context
        self.subscriber = broker.subscriber(self.settings.on_cluster(self.topic), **self.subscriber_options())
        self.subscriber(self.consume_fetched)

    @property
    def fetch_max_wait_ms(self) -> int:
        """The quiet wait for a topic no invoice waits on (a topic outside the catalogue is
        treated as a pipeline topic); the pipeline's wait for the others."""
        quiet = self.settings.kafka_quiet_fetch_max_wait_ms
        known = TOPICS.get(self.topic)
        if quiet is None or known is None or known.pipeline:
            return self.settings.kafka_fetch_max_wait_ms
        return quiet

    async def consume_fetched(self, body: bytes) -> None:
        """The record FastStream delivered and the records of this group already fetched after
        it, up to ``consumer_batch_max_records``: never waiting for more, so a lone event goes
        through at once and a busy consumer pays one transaction and one offset commit per batch."""
        assert self.delivering is not None, "consume_fetched runs as the subscriber ``register`` made"
        msg: KafkaMessage = self.delivering.get_local("message")
        kafka = getattr(self.subscriber, "consumer", None)
        limit = self.settings.consumer_batch_max_records
        if kafka is None or self.session_factory is None or limit < 2:
            await self.consume_observed(body, msg)
            return
        fetched = await kafka.getmany(timeout_ms=0, max_records=limit - 1)
        if not fetched:
            await self.consume_observed(body, msg)
            return
        records = [msg.raw_message, *chain.from_iterable(fetched.values())]
        await self.consume_batch([Delivery(kafka, record) for record in records])

    async def consume_batch(self, deliveries: Sequence[Delivery]) -> None:
        """Handle ``deliveries`` in one transaction that every handler's unit of work joins (the
        inbox included), then commit their offsets. An event that cannot be handled so (it does
        not decode, its handler fails, the commit fails) ends the batch there: the events before
        it are committed, it is handled on its own as usual (retried, dead-lettered), and the rest
        form the next batch. An event put back rewinds the partitions to it."""
        rest = deliveries
        while rest:
            done = await self._all_at_once(rest) if len(rest) > 1 else 0
            if done and rest[done - 1].committed is not AckStatus.ACKED:
                rewind(rest[done - 1].consumer, rest[done:])  # the group moved on
                return
            if done == len(rest):
                return
            alone = rest[done]
            try:
                await self.consume_observed(alone.raw_message.value or b"", alone)
            except BaseException:
                rewind(alone.consumer, rest[done:])
                raise
            if alone.committed is not AckStatus.ACKED:
                rewind(alone.consumer, rest[done:])
                return
            rest = rest[done + 1 :]

    async def _all_at_once(self, deliveries: Sequence[Delivery]) -> int:
        """How many of ``deliveries``, from the first, were handled and committed together."""
        assert self.session_factory is not None
        started = time.perf_counter()
        handled: list[tuple[Delivery, Envelope | None, float]] = []
        spoiled = False
        decoded = [self._decoded(delivery) for delivery in deliveries]
        recorded: list[UUID] = []
        unreached = False
        try:
            async with shared_transaction(self.session_factory) as transaction:
                if self.serialise_by is not None:
                    keys = (self.serialise_by(event[1]) for event in decoded if event is not None)
                    await transaction.serialise(key for key in keys if key is not None)
                recorded = self._recorded_together(decoded)
                if recorded:
                    await transaction.record_inbox(self.group, recorded)
                for delivery, event in zip(deliveries, decoded, strict=True):
                    event_started = time.perf_counter()
                    envelope = await self._handle_joined(delivery, event)
                    if envelope is False or transaction.spoiled:
                        spoiled = transaction.spoiled
                        break
                    handled.append((delivery, envelope, time.perf_counter() - event_started))
                if not handled:
                    return 0
                # Inbox records written for events it did not reach would say they were handled.
                unreached = bool(recorded) and len(handled) < len(deliveries)
                if not spoiled and not unreached:
                    await transaction.commit()
        except Exception as exc:
            log.warning("batch not committed; its events are handled one by one", error=repr(exc))
            return 0
        finally:
            correlation.unbind()
        if spoiled or unreached:
            # The event that stopped the batch left its unit of work without commit, in the shared
            # transaction: all of it was rolled back (as it is when the inbox records written
            # for the whole batch include events not handled). The events before it went through
            # and go through again, together (their inbox rows went with the rollback); it is
            # next, alone.
            self.batches_broken += 1
            return await self._all_at_once(deliveries[: len(handled)]) if len(handled) > 1 else 0
        if len(handled) < len(deliveries):
            self.batches_broken += 1
        if len(handled) > 1:
            self.batches += 1
        commit_share = (time.perf_counter() - started - sum(t for _, _, t in handled)) / len(handled)
        try:
            for delivery, handled_envelope, _ in handled:
                if handled_envelope is not None:
                    position = (delivery.raw_message.partition, delivery.raw_message.offset)
                    self.attempts.pop(position, None)
                    self.first_seen.pop(position, None)
                    self.handled += 1
                    self._bind(handled_envelope)  # what reaching the fault point logs, as on its own
                    await faults.reached("consumer.before_ack", self.group, self.topic, handled_envelope.type)
            failure = await commit_offsets([delivery for delivery, _, _ in handled])
            if failure is not None:
                for _, handled_envelope, _ in handled:
                    if handled_envelope is None:
                        correlation.unbind()  # an event no handler wanted: no fields of the one before
                    self._commit_failed(failure, handled_envelope)
        finally:
            correlation.unbind()
        if self.metrics is not None:
            for _, _, took in handled:
                self.metrics.observe_delivery(self.topic, self.group, "ok", took + commit_share)
        return len(handled)

    def _recorded_together(self, decoded: Sequence[tuple[Envelope, EventPayload] | None]) -> list[UUID]:
        """The events whose inbox records a batch writes at once: those a handler wants, up to
        the first that does not decode (the batch ends there); none for fewer than two."""
        if not self.inbox_in_batches:
            return []
        wanted = []
        for event in decoded:
            if event is None:
                break
            if self._handler_for(event[1]) is not None:
                wanted.append(event[0].id)
        return wanted if len(wanted) > 1 else []

    def _decoded(self, delivery: Delivery) -> tuple[Envelope, EventPayload] | None:
        """The event of a batch's record; None when it does not decode (dead-lettered on its own)."""
        try:
            return decode_event(delivery.raw_message.value or b"", self.topic)
        except Exception:
            return None

    async def _handle_joined(
        self, delivery: Delivery, event: tuple[Envelope, EventPayload] | None
    ) -> Envelope | Literal[False] | None:
        """One event of a batch, in the shared transaction: its envelope when it was handled,
        None when no handler wants it, False when it must be handled on its own (it does not
        decode; or its handler failed, and the transaction is then spoiled and rolled back)."""
        if event is None:
            return False
        record = delivery.raw_message
        envelope, payload = event
        handler = self._handler_for(payload)
        if handler is None:
            return None
        with tracing.consuming(self.topic, self.group, record):
            self._bind(envelope)
            try:
                await faults.reached("consumer.before_handler", self.group, self.topic, envelope.type)
                await handler(envelope, payload)
            except Exception as exc:
                # Its unit of work spoiled the shared transaction; on its own it is retried,
                # counted, or dead-lettered as usual.
                log.info("event left to be handled on its own", error=repr(exc))
                return False
        return envelope

    async def consume_observed(self, body: bytes, msg: Received) -> None:
        """``consume``, timed per outcome: ok (committed), retry (put back) or dead_lettered."""
        started, dead_lettered = time.perf_counter(), self.dead_lettered
        outcome = "retry"  # also when the delivery ends in an exception: the event comes again
        try:
            await self.consume(body, msg)
            if self.dead_lettered > dead_lettered:
                outcome = "dead_lettered"
            elif msg.committed is not AckStatus.NACKED:
                outcome = "ok"
        finally:
            if self.metrics is not None:
                self.metrics.observe_delivery(self.topic, self.group, outcome, time.perf_counter() - started)

    async def consume(self, body: bytes, msg: Received) -> None:
        """Handle one record: a unit of its own in the logs, a span continued from its headers."""
        correlation.bind(None, consumer=self.group, topic=self.topic)
        try:
            with tracing.consuming(self.topic, self.group, msg.raw_message):
                await self._consume(body, msg)
        finally:
            correlation.unbind()

    async def _consume(self, body: bytes, msg: Received) -> None:
        record = _record(msg)
        position = (record.partition, record.offset)
        try:
            envelope, payload = decode_event(body, self.topic)
        except Exception as exc:
            await self._dead_letter(msg, body, exc, attempts=1)
            await self._commit(msg)
            return
        self._bind(envelope)
        handler = self._handler_for(payload)
        if handler is None:
            await self._commit(msg)
            return
        scopes = (self.group, self.topic, envelope.type)
        try:
            await faults.reached("consumer.before_handler", *scopes)
            await handler(envelope, payload)
        except Exception as exc:
            tracing.record_failure(exc)
            await self._on_failure(msg, body, position, exc)
            return
        self.attempts.pop(position, None)
        self.first_seen.pop(position, None)
        self.handled += 1
        await faults.reached("consumer.before_ack", *scopes)
        await self._commit(msg)

    def _bind(self, envelope: Envelope) -> None:
        """The event's ids on every later log line of its handling and on its span."""
        correlation.bind(
            envelope.correlation_id,
            envelope.id,
            event_id=str(envelope.id),
            event_type=envelope.type,
            tenant_id=str(envelope.tenant_id),
            consumer=self.group,
        )
        tracing.annotate(**{"messaging.message.id": str(envelope.id), "event.type": envelope.type})

    async def _commit(self, msg: Received) -> None:
        """Commit the offset after the effect. When the group has moved on (this consumer was
        slower than ``max_poll_interval_ms``, or a rebalance revoked the partition) the commit
        fails; the event is then delivered again, here or to another member, and the inbox makes
        that a no-op. The next poll rejoins the group, so nothing else is to be done."""
        try:
            await msg.ack()
        except (CommitFailedError, IllegalStateError) as exc:
            self._commit_failed(exc)

    def _commit_failed(self, exc: BaseException, envelope: Envelope | None = None) -> None:
        """Counted and logged once per event (with the event's fields when it is given), whether
        its offset was committed alone or with a batch."""
        self.commit_failures += 1
        if envelope is not None:
            self._bind(envelope)
        log.warning("offset commit failed; the event will be delivered again", error=repr(exc))

    def _handler_for(self, payload: EventPayload) -> Handler | None:
        for event_type, handler in self.handlers.items():
            if isinstance(payload, event_type):
                return handler
        return None

    async def _on_failure(self, msg: Received, body: bytes, position: tuple[int, int], exc: Exception) -> None:
        now = time.monotonic()
        first = self.first_seen.setdefault(position, now)
        if _is_transient(exc):
            waited = now - first
            if not isinstance(exc, RetryLater) or waited < self.settings.consumer_wait_for_read_model_s:
                self.transient_failures += 1
                log.warning("transient failure; will retry", error=repr(exc), waited_s=round(waited, 1))
                await asyncio.sleep(min(self.settings.consumer_retry_backoff_s * 4, 2.0))
                await msg.nack()
                return
        attempts = self.attempts.get(position, 0) + 1
        self.attempts[position] = attempts
        if attempts < self.settings.consumer_max_attempts:
            log.warning("handler failed; will retry", error=repr(exc), attempt=attempts)
            await asyncio.sleep(self.settings.consumer_retry_backoff_s * attempts)
            await msg.nack()
            return
        log.error("handler keeps failing; dead-lettering", error=repr(exc), attempts=attempts)
        await self._dead_letter(msg, body, exc, attempts=attempts)
        self.attempts.pop(position, None)
        self.first_seen.pop(position, None)
        await self._commit(msg)

    async def _dead_letter(self, msg: Received, body: bytes, exc: BaseException, *, attempts: int) -> None:
        record = _record(msg)
        headers = [(k, v) for k, v in (record.headers or ())]
        error = (str(exc) or type(exc).__name__)[:2000]
        headers += [
            ("dlq.error", error.encode()),
            ("dlq.error_type", type(exc).__name__.encode()),
            ("dlq.topic", self.topic.encode()),
            ("dlq.partition", str(record.partition).encode()),
            ("dlq.offset", str(record.offset).encode()),
            ("dlq.consumer", self.group.encode()),
            ("dlq.attempts", str(attempts).encode()),
        ]
        producer = self.dead_letters()
        await producer.send_and_wait(
            self.settings.on_cluster(dlq_topic(self.topic)),
            value=body[:900_000],
            key=record.key,
            headers=headers,
        )
        self.dead_lettered += 1
        log.error("message dead-lettered", topic=self.topic, error=error)
