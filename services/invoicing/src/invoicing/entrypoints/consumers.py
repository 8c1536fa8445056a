"""Event consumers of the invoicing service: purchase orders (read model) and matching verdicts.

Each handler records the event in the inbox first, in the same transaction as its effect,
so a redelivered event is acknowledged and does nothing.
"""

from __future__ import annotations

from invoicing.service import handlers
from invoicing.service.unit_of_work import UnitOfWork
from shared.contracts import Envelope
from shared.contracts.matching import VERDICTS_TOPIC, MatchingVerdictIssued
from shared.contracts.orders import PURCHASE_ORDERS_TOPIC, PurchaseOrderSnapshot
from shared.messaging import EventConsumer
from shared.runtime import ServiceRuntime

PURCHASE_ORDERS_CONSUMER = "invoicing.purchase-orders"
VERDICTS_CONSUMER = "invoicing.verdicts"


def consumers(runtime: ServiceRuntime) -> list[EventConsumer]:
    def new_uow() -> UnitOfWork:
        return UnitOfWork(runtime.session_factory, runtime.settings.service_name)

    async def on_purchase_order(envelope: Envelope, payload: PurchaseOrderSnapshot) -> None:
        async with new_uow() as uow:
            if not await uow.inbox.first_time(PURCHASE_ORDERS_CONSUMER, envelope.id):
                return
            await handlers.record_purchase_order(uow, payload)
            await uow.commit()

    async def on_verdict(envelope: Envelope, payload: MatchingVerdictIssued) -> None:
        async with new_uow() as uow:
            if not await uow.inbox.first_time(VERDICTS_CONSUMER, envelope.id):
                return
            await handlers.record_verdict(uow, payload)
            await uow.commit()

    return [
        EventConsumer(
            topic=PURCHASE_ORDERS_TOPIC,
            group=PURCHASE_ORDERS_CONSUMER,
            # Every purchase order event carries the whole order: one handler for all of them.
            handlers={PurchaseOrderSnapshot: on_purchase_order},
            settings=runtime.settings,
            dead_letters=runtime.kafka_producer,
        ),
        EventConsumer(
            topic=VERDICTS_TOPIC,
            group=VERDICTS_CONSUMER,
            handlers={MatchingVerdictIssued: on_verdict},
            settings=runtime.settings,
            dead_letters=runtime.kafka_producer,
        ),
    ]
