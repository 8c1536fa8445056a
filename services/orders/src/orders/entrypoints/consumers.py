"""Consumers of the orders service: supplier, organisation, user and invoice events into read
models and order state. Each handler translates the payload into a use case call."""

from __future__ import annotations

from orders.domain.read_models import InvoicedLine, InvoiceRecord, OrganisationRecord, SupplierRecord, UserRecord
from orders.service import read_models
from orders.service.unit_of_work import UnitOfWork
from shared.consumer_groups import consumer_group
from shared.contracts.identity import ORGANISATIONS_TOPIC, USERS_TOPIC, OrganisationSettingsChanged, UserSnapshot
from shared.contracts.invoicing import INVOICES_TOPIC, InvoiceSnapshot
from shared.contracts.suppliers import SUPPLIERS_TOPIC, SupplierSnapshot
from shared.fields import made_of
from shared.messaging import EventConsumer
from shared.runtime import ServiceRuntime

SUPPLIERS_CONSUMER = "orders.suppliers"
INVOICES_CONSUMER = "orders.invoices"
ORGANISATIONS_CONSUMER = "orders.organisations"
USERS_CONSUMER = "orders.users"


def supplier_record(payload: SupplierSnapshot) -> SupplierRecord:
    return made_of(SupplierRecord, payload)


def organisation_record(payload: OrganisationSettingsChanged) -> OrganisationRecord:
    return made_of(OrganisationRecord, payload)


def user_record(payload: UserSnapshot) -> UserRecord:
    return made_of(UserRecord, payload)


def invoice_record(payload: InvoiceSnapshot) -> InvoiceRecord:
    lines = tuple(InvoicedLine(line.purchase_order_line_id, line.quantity) for line in payload.lines)
    return made_of(InvoiceRecord, payload, lines=lines)


async def on_supplier(uow: UnitOfWork, payload: SupplierSnapshot) -> None:
    await read_models.record_supplier(uow, supplier_record(payload))


async def on_invoice(uow: UnitOfWork, payload: InvoiceSnapshot) -> None:
    await read_models.record_invoice(uow, invoice_record(payload))


async def on_organisation(uow: UnitOfWork, payload: OrganisationSettingsChanged) -> None:
    await read_models.record_organisation(uow, organisation_record(payload))


async def on_user(uow: UnitOfWork, payload: UserSnapshot) -> None:
    await read_models.record_user(uow, user_record(payload))


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
        consumer_group(runtime, USERS_TOPIC, USERS_CONSUMER, UnitOfWork, {UserSnapshot: on_user}),
    ]
