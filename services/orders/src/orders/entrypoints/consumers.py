"""Consumers of the orders service: supplier, organisation and invoice events into read models and
order state.

Each handler opens a unit of work, records the event in the inbox first (a redelivery stops
there), translates the payload into a use case call and commits: effect and inbox together.
"""

from __future__ import annotations

from orders.domain.read_models import InvoicedLine, InvoiceRecord, OrganisationRecord, SupplierRecord
from orders.service import handlers
from orders.service.unit_of_work import UnitOfWork
from shared.contracts import Envelope
from shared.contracts.identity import ORGANISATIONS_TOPIC, OrganisationSettingsChanged
from shared.contracts.invoicing import INVOICES_TOPIC, InvoiceSnapshot
from shared.contracts.suppliers import SUPPLIERS_TOPIC, SupplierSnapshot
from shared.messaging import EventConsumer
from shared.runtime import ServiceRuntime

SUPPLIERS_CONSUMER = "orders.suppliers"
INVOICES_CONSUMER = "orders.invoices"
ORGANISATIONS_CONSUMER = "orders.organisations"


def supplier_record(payload: SupplierSnapshot) -> SupplierRecord:
    return SupplierRecord(
        supplier_id=payload.supplier_id,
        tenant_id=payload.tenant_id,
        name=payload.name,
        currency=payload.currency,
        portal_status=payload.portal_status,
        revision=payload.revision,
        minimum_order_amount=payload.minimum_order_amount,
        lead_time_days=payload.lead_time_days,
    )


def organisation_record(payload: OrganisationSettingsChanged) -> OrganisationRecord:
    return OrganisationRecord(
        tenant_id=payload.tenant_id,
        name=payload.name,
        supplier_portal_enabled=payload.supplier_portal_enabled,
        revision=payload.revision,
    )


def invoice_record(payload: InvoiceSnapshot) -> InvoiceRecord:
    return InvoiceRecord(
        invoice_id=payload.invoice_id,
        tenant_id=payload.tenant_id,
        purchase_order_id=payload.purchase_order_id,
        status=payload.status,
        revision=payload.revision,
        lines=tuple(InvoicedLine(line.purchase_order_line_id, line.quantity) for line in payload.lines),
    )


def consumers(runtime: ServiceRuntime) -> list[EventConsumer]:
    def unit_of_work() -> UnitOfWork:
        return UnitOfWork(runtime.session_factory, runtime.settings.service_name)

    async def on_supplier(envelope: Envelope, payload: SupplierSnapshot) -> None:
        async with unit_of_work() as uow:
            if not await uow.inbox.first_time(SUPPLIERS_CONSUMER, envelope.id):
                return
            await handlers.record_supplier(uow, supplier_record(payload))
            await uow.commit()

    async def on_invoice(envelope: Envelope, payload: InvoiceSnapshot) -> None:
        async with unit_of_work() as uow:
            if not await uow.inbox.first_time(INVOICES_CONSUMER, envelope.id):
                return
            await handlers.record_invoice(uow, invoice_record(payload))
            await uow.commit()

    async def on_organisation(envelope: Envelope, payload: OrganisationSettingsChanged) -> None:
        async with unit_of_work() as uow:
            if not await uow.inbox.first_time(ORGANISATIONS_CONSUMER, envelope.id):
                return
            await handlers.record_organisation(uow, organisation_record(payload))
            await uow.commit()

    return [
        EventConsumer(
            topic=SUPPLIERS_TOPIC,
            group=SUPPLIERS_CONSUMER,
            handlers={SupplierSnapshot: on_supplier},
            settings=runtime.settings,
            dead_letters=runtime.kafka_producer,
        ),
        EventConsumer(
            topic=INVOICES_TOPIC,
            group=INVOICES_CONSUMER,
            handlers={InvoiceSnapshot: on_invoice},
            settings=runtime.settings,
            dead_letters=runtime.kafka_producer,
        ),
        EventConsumer(
            topic=ORGANISATIONS_TOPIC,
            group=ORGANISATIONS_CONSUMER,
            handlers={OrganisationSettingsChanged: on_organisation},
            settings=runtime.settings,
            dead_letters=runtime.kafka_producer,
        ),
    ]
