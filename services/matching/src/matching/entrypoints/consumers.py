"""Event consumers of the matching service: thin translators from events to use cases.

One consumer group per consumed topic; the group name is also the inbox's consumer name.
"""

from __future__ import annotations

from matching.domain.model import Invoice, OrganisationTolerance, PurchaseOrder, SupplierTolerance
from matching.service import handlers, read_models
from matching.service.unit_of_work import UnitOfWork
from shared.consumer_groups import consumer_group
from shared.contracts import EventPayload
from shared.contracts.identity import ORGANISATIONS_TOPIC, OrganisationSettingsChanged
from shared.contracts.invoicing import INVOICES_TOPIC, InvoiceSnapshot, InvoiceSubmitted
from shared.contracts.orders import PURCHASE_ORDERS_TOPIC, PurchaseOrderSnapshot
from shared.contracts.suppliers import SUPPLIERS_TOPIC, SupplierSnapshot
from shared.messaging import EventConsumer
from shared.runtime import ServiceRuntime

PURCHASE_ORDERS_GROUP = "matching.purchase-orders"
SUPPLIERS_GROUP = "matching.suppliers"
ORGANISATIONS_GROUP = "matching.organisations"
INVOICES_GROUP = "matching.invoices"
GROUPS = (PURCHASE_ORDERS_GROUP, SUPPLIERS_GROUP, ORGANISATIONS_GROUP, INVOICES_GROUP)


def purchase_order_of(payload: EventPayload) -> str | None:
    """The order whose row an event's handler locks: the orders' consumer stores its snapshot and
    the invoices' consumer matches against it, each a batch of orders at a time (see
    ``EventConsumer.serialise_by``)."""
    purchase_order_id = getattr(payload, "purchase_order_id", None)
    return None if purchase_order_id is None else f"purchase_order:{purchase_order_id}"


async def on_purchase_order(uow: UnitOfWork, payload: PurchaseOrderSnapshot) -> None:
    await read_models.record_purchase_order(uow, PurchaseOrder.of(payload))


async def on_supplier(uow: UnitOfWork, payload: SupplierSnapshot) -> None:
    await read_models.record_supplier(uow, SupplierTolerance.of(payload))


async def on_organisation(uow: UnitOfWork, payload: OrganisationSettingsChanged) -> None:
    await read_models.record_organisation(uow, OrganisationTolerance.of(payload))


async def on_invoice_submitted(uow: UnitOfWork, payload: InvoiceSubmitted) -> None:
    await handlers.match_submitted_invoice(uow, Invoice.of(payload))


async def on_invoice_changed(uow: UnitOfWork, payload: InvoiceSnapshot) -> None:
    await read_models.record_invoice(uow, Invoice.of(payload))


def consumers(runtime: ServiceRuntime) -> list[EventConsumer]:
    return [
        consumer_group(
            runtime,
            PURCHASE_ORDERS_TOPIC,
            PURCHASE_ORDERS_GROUP,
            UnitOfWork,
            {PurchaseOrderSnapshot: on_purchase_order},
            serialise_by=purchase_order_of,
        ),
        consumer_group(runtime, SUPPLIERS_TOPIC, SUPPLIERS_GROUP, UnitOfWork, {SupplierSnapshot: on_supplier}),
        consumer_group(
            runtime,
            ORGANISATIONS_TOPIC,
            ORGANISATIONS_GROUP,
            UnitOfWork,
            {OrganisationSettingsChanged: on_organisation},
        ),
        # The first matching type wins, and InvoiceSubmitted is also an InvoiceSnapshot.
        consumer_group(
            runtime,
            INVOICES_TOPIC,
            INVOICES_GROUP,
            UnitOfWork,
            {InvoiceSubmitted: on_invoice_submitted, InvoiceSnapshot: on_invoice_changed},
            serialise_by=purchase_order_of,
        ),
    ]
