"""Event consumers of the invoicing service: purchase orders, supplier names and buyer
organisations (read models), and matching verdicts. Every event carries the whole record: one
handler per topic, run once per event by ``shared.consumer_groups.consumer_group``."""

from __future__ import annotations

from invoicing.adapters.arrivals import PurchaseOrderArrivals
from invoicing.service import handlers, read_models
from invoicing.service.unit_of_work import UnitOfWork
from shared.consumer_groups import consumer_group
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


def consumers(runtime: ServiceRuntime, arrivals: PurchaseOrderArrivals) -> list[EventConsumer]:
    """``arrivals`` hears of each purchase order stored, once its transaction commits."""

    async def record_purchase_order(uow: UnitOfWork, snapshot: PurchaseOrderSnapshot) -> None:
        await read_models.record_purchase_order(uow, snapshot)
        arrivals.announce_after_commit(uow.session, snapshot.purchase_order_id)

    return [
        consumer_group(
            runtime,
            PURCHASE_ORDERS_TOPIC,
            PURCHASE_ORDERS_CONSUMER,
            UnitOfWork,
            {PurchaseOrderSnapshot: record_purchase_order},
        ),
        consumer_group(
            runtime, VERDICTS_TOPIC, VERDICTS_CONSUMER, UnitOfWork, {MatchingVerdictIssued: handlers.record_verdict}
        ),
        consumer_group(
            runtime, SUPPLIERS_TOPIC, SUPPLIERS_CONSUMER, UnitOfWork, {SupplierSnapshot: read_models.record_supplier}
        ),
        consumer_group(
            runtime,
            ORGANISATIONS_TOPIC,
            ORGANISATIONS_CONSUMER,
            UnitOfWork,
            {OrganisationSettingsChanged: read_models.record_organisation_settings},
        ),
    ]
