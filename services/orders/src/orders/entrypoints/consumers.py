"""Consumers of the orders service: supplier, organisation and invoice events into read models and
order state. Each handler translates the payload into a use case call."""

from __future__ import annotations

from orders.domain.read_models import InvoicedLine, InvoiceRecord, OrganisationRecord, SupplierRecord
from orders.service import read_models
from orders.service.unit_of_work import UnitOfWork
from shared.consumer_groups import consumer_group
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


async def on_supplier(uow: UnitOfWork, payload: SupplierSnapshot) -> None:
    await read_models.record_supplier(uow, supplier_record(payload))


async def on_invoice(uow: UnitOfWork, payload: InvoiceSnapshot) -> None:
    await read_models.record_invoice(uow, invoice_record(payload))


async def on_organisation(uow: UnitOfWork, payload: OrganisationSettingsChanged) -> None:
    await read_models.record_organisation(uow, organisation_record(payload))


def consumers(runtime: ServiceRuntime) -> list[EventConsumer]:
    return [
        consumer_group(runtime, SUPPLIERS_TOPIC, SUPPLIERS_CONSUMER, UnitOfWork, {SupplierSnapshot: on_supplier}),
        consumer_group(runtime, INVOICES_TOPIC, INVOICES_CONSUMER, UnitOfWork, {InvoiceSnapshot: on_invoice}),
        consumer_group(
            runtime,
            ORGANISATIONS_TOPIC,
            ORGANISATIONS_CONSUMER,
            UnitOfWork,
            {OrganisationSettingsChanged: on_organisation},
        ),
    ]
