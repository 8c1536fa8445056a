"""What a consumer is: ``consumer_group(runtime, topic, group, UnitOfWork, {EventType: handler})``.

``handler(uow, payload)`` does the business effect and nothing else. Around each handler the
engine (``shared.messaging.EventConsumer``) opens the service's unit of work, records the event in
the inbox (a redelivery stops there, acknowledged), and commits effect and inbox record together;
decoding, retries, dead letters and offsets are the engine's.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts import Envelope, EventPayload
from shared.inbox import InboxUnitOfWork
from shared.messaging import EventConsumer, Handler

if TYPE_CHECKING:
    from shared.runtime import ServiceRuntime

UnitOfWorkT = TypeVar("UnitOfWorkT", bound=InboxUnitOfWork)
# What a service registers per event type: the effect, in the unit of work the engine opened.
EventHandler = Callable[[UnitOfWorkT, Any], Awaitable[None]]
# The same for effects named after the event itself (an email's id comes from the event's id).
EnvelopeHandler = Callable[[UnitOfWorkT, Any, Envelope], Awaitable[None]]


@overload
def consumer_group(
    runtime: ServiceRuntime,
    topic: str,
    group: str,
    unit_of_work: Callable[[async_sessionmaker[AsyncSession], str], UnitOfWorkT],
    handlers: Mapping[type[EventPayload], EventHandler[UnitOfWorkT]],
    *,
    needs_envelope: Literal[False] = False,
    serialise_by: Callable[[EventPayload], str | None] | None = None,
) -> EventConsumer: ...


@overload
def consumer_group(
    runtime: ServiceRuntime,
    topic: str,
    group: str,
    unit_of_work: Callable[[async_sessionmaker[AsyncSession], str], UnitOfWorkT],
    handlers: Mapping[type[EventPayload], EnvelopeHandler[UnitOfWorkT]],
    *,
    needs_envelope: Literal[True],
    serialise_by: Callable[[EventPayload], str | None] | None = None,
) -> EventConsumer: ...


def consumer_group(
    runtime: ServiceRuntime,
    topic: str,
    group: str,
    unit_of_work: Callable[[async_sessionmaker[AsyncSession], str], UnitOfWorkT],
    handlers: Mapping[type[EventPayload], Callable[..., Awaitable[None]]],
    *,
    needs_envelope: bool = False,
    serialise_by: Callable[[EventPayload], str | None] | None = None,
) -> EventConsumer:
    """The consumer group ``group`` on ``topic``: each event of a type in ``handlers`` (the first
    type it is an instance of) runs its handler once, in a ``unit_of_work`` of the runtime's
    database, with the inbox record of ``group``; events of other types are acknowledged unread.
    With ``needs_envelope`` the handlers also get the event's envelope, last. ``serialise_by``
    names what an event's handler locks rows of, when another consumer of the service locks the
    same rows: a batch takes those locks first, in one order (``EventConsumer.serialise_by``)."""

    def new_unit() -> UnitOfWorkT:
        return unit_of_work(runtime.session_factory, runtime.settings.service_name)

    return EventConsumer(
        topic=topic,
        group=group,
        handlers={
            event_type: _once_per_event(group, new_unit, handler, needs_envelope)
            for event_type, handler in handlers.items()
        },
        settings=runtime.settings,
        dead_letters=runtime.kafka_producer,
        serialise_by=serialise_by,
        inbox_in_batches=True,
    )


def _once_per_event(
    group: str,
    unit_of_work: Callable[[], InboxUnitOfWork],
    handler: Callable[..., Awaitable[None]],
    needs_envelope: bool,
) -> Handler:
    """``handler`` in a unit of work of its own, after the inbox record of ``(group, event id)``,
    committed with it. A redelivered event finds its record and leaves without effect; a failing
    handler takes the record down with its rollback, so the event is retried or dead-lettered.
    In a batch the unit of work joins the batch's transaction: the same statements. A redelivery
    commits its unit of work with nothing in it, so that it leaves a batch's transaction usable."""

    @functools.wraps(handler)
    async def handle(envelope: Envelope, payload: Any) -> None:
        uow = unit_of_work()
        async with uow:
            if not await uow.inbox.first_time(group, envelope.id):
                await uow.commit()
                return
            if needs_envelope:
                await handler(uow, payload, envelope)
            else:
                await handler(uow, payload)
            await uow.commit()

    return handle
