"""Event consumers of the invoicing service: purchase orders, supplier names and buyer
organisations (read models), and matching verdicts.

Each handler records the event in the inbox first, in the same transaction as its effect,
so a redelivered event is acknowledged and does nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from invoicing.adapters.arrivals import PurchaseOrderArrivals
from invoicing.service import handlers, read_models
from invoicing.service.unit_of_work import UnitOfWork
from shared.contracts import Envelope, EventPayload
from shared.contracts.identity import ORGANISATIONS_TOPIC, OrganisationSettingsChanged
from shared.contracts.matching import VERDICTS_TOPIC, MatchingVerdictIssued
from shared.contracts.orders import PURCHASE_ORDERS_TOPIC, PurchaseOrderSnapshot
from shared.contracts.suppliers import SUPPLIERS_TOPIC, SupplierSnapshot
from shared.messaging import EventConsumer
from shared.runtime import ServiceRuntime

PURCHASE_ORDERS_CONSUMER = "invoicing.purchase-orders"
VERDICTS_CONSUMER = "invoicing.verdicts"
SUPPLIERS_CONSUMER = "invoicing.suppliers"
ORGANISATIONS_CONSUMER = "invoicing.organisations"

UseCase = Callable[[UnitOfWork, Any], Awaitable[None]]


def consumers(runtime: ServiceRuntime, arrivals: PurchaseOrderArrivals) -> list[EventConsumer]:
    """``arrivals`` hears of each purchase order stored, once its transaction commits."""

    def once(consumer: str, use_case: UseCase) -> Callable[[Envelope, Any], Awaitable[None]]:
        """The use case in one transaction with the inbox record of ``consumer``."""

        async def handle(envelope: Envelope, payload: Any) -> None:
            async with UnitOfWork(runtime.session_factory, runtime.settings.service_name) as uow:
                if not await uow.inbox.first_time(consumer, envelope.id):
                    return
                await use_case(uow, payload)
                await uow.commit()

        return handle

    def consumer(topic: str, group: str, event: type[EventPayload], use_case: UseCase) -> EventConsumer:
        return EventConsumer(
            topic=topic,
            group=group,
            handlers={event: once(group, use_case)},
            settings=runtime.settings,
            dead_letters=runtime.kafka_producer,
        )

    async def record_purchase_order(uow: UnitOfWork, snapshot: PurchaseOrderSnapshot) -> None:
        await read_models.record_purchase_order(uow, snapshot)
        arrivals.announce_after_commit(uow.session, snapshot.purchase_order_id)

    return [
        # Every purchase order and supplier event carries the whole record: one handler each.
        consumer(PURCHASE_ORDERS_TOPIC, PURCHASE_ORDERS_CONSUMER, PurchaseOrderSnapshot, record_purchase_order),
        consumer(VERDICTS_TOPIC, VERDICTS_CONSUMER, MatchingVerdictIssued, handlers.record_verdict),
        consumer(SUPPLIERS_TOPIC, SUPPLIERS_CONSUMER, SupplierSnapshot, read_models.record_supplier),
        consumer(
            ORGANISATIONS_TOPIC,
            ORGANISATIONS_CONSUMER,
            OrganisationSettingsChanged,
            read_models.record_organisation_settings,
        ),
    ]
