"""Event consumers of the matching service: thin translators from events to use cases.

One consumer group per consumed topic; the group name is also the inbox's consumer name.
"""

from __future__ import annotations

from matching.domain.model import Invoice, PurchaseOrder, SupplierTolerance
from matching.service import handlers
from matching.service.unit_of_work import UnitOfWork
from shared.contracts import Envelope, EventPayload
from shared.contracts.invoicing import INVOICES_TOPIC, InvoiceSnapshot, InvoiceSubmitted
from shared.contracts.orders import PURCHASE_ORDERS_TOPIC, PurchaseOrderSnapshot
from shared.contracts.suppliers import SUPPLIERS_TOPIC, SupplierSnapshot
from shared.messaging import EventConsumer, Handler
from shared.runtime import ServiceRuntime

PURCHASE_ORDERS_GROUP = "matching.purchase-orders"
SUPPLIERS_GROUP = "matching.suppliers"
INVOICES_GROUP = "matching.invoices"


def consumers(runtime: ServiceRuntime) -> list[EventConsumer]:
    def uow() -> UnitOfWork:
        return UnitOfWork(runtime.session_factory, runtime.settings.service_name)

    async def on_purchase_order(envelope: Envelope, payload: PurchaseOrderSnapshot) -> None:
        await handlers.record_purchase_order(uow(), PURCHASE_ORDERS_GROUP, envelope.id, PurchaseOrder.of(payload))

    async def on_supplier(envelope: Envelope, payload: SupplierSnapshot) -> None:
        await handlers.record_supplier(uow(), SUPPLIERS_GROUP, envelope.id, SupplierTolerance.of(payload))

    async def on_invoice_submitted(envelope: Envelope, payload: InvoiceSubmitted) -> None:
        await handlers.match_submitted_invoice(uow(), INVOICES_GROUP, envelope.id, Invoice.of(payload))

    async def on_invoice_changed(envelope: Envelope, payload: InvoiceSnapshot) -> None:
        await handlers.record_invoice(uow(), INVOICES_GROUP, envelope.id, Invoice.of(payload))

    def consumer(topic: str, group: str, by_type: dict[type[EventPayload], Handler]) -> EventConsumer:
        return EventConsumer(
            topic=topic,
            group=group,
            handlers=by_type,
            settings=runtime.settings,
            dead_letters=runtime.kafka_producer,
        )

    return [
        consumer(PURCHASE_ORDERS_TOPIC, PURCHASE_ORDERS_GROUP, {PurchaseOrderSnapshot: on_purchase_order}),
        consumer(SUPPLIERS_TOPIC, SUPPLIERS_GROUP, {SupplierSnapshot: on_supplier}),
        # The first matching type wins, and InvoiceSubmitted is also an InvoiceSnapshot.
        consumer(
            INVOICES_TOPIC,
            INVOICES_GROUP,
            {InvoiceSubmitted: on_invoice_submitted, InvoiceSnapshot: on_invoice_changed},
        ),
    ]
