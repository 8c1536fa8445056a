"""Event consumers of the notifier: read models of suppliers and users, and the events people
must hear of (documents, comments on them, RFPs). Each handler records the event in the inbox
first, then queues its effect, and commits both together: a redelivered event queues nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from notifier.adapters.rendering import EmailRenderer
from notifier.config import Settings
from notifier.service import comment_emails, handlers, rfp_emails
from notifier.service.unit_of_work import UnitOfWork
from shared.contracts import Envelope
from shared.contracts.identity import INVITATIONS_TOPIC, USERS_TOPIC, SupplierInvitationIssued, UserSnapshot
from shared.contracts.invoicing import (
    INVOICES_TOPIC,
    InvoiceApprovalRequested,
    InvoiceApproved,
    InvoiceCommentAdded,
    InvoicePaymentRecorded,
    InvoiceRejected,
)
from shared.contracts.orders import (
    PURCHASE_ORDERS_TOPIC,
    PurchaseOrderChanged,
    PurchaseOrderCommentAdded,
    PurchaseOrderSubmitted,
)
from shared.contracts.rfps import RFPS_TOPIC, RfpAwarded, RfpPublished
from shared.contracts.suppliers import SUPPLIERS_TOPIC, SupplierSnapshot
from shared.messaging import EventConsumer
from shared.runtime import ServiceRuntime

SUPPLIERS = "notifier.suppliers"
USERS = "notifier.users"
INVITATIONS = "notifier.invitations"
PURCHASE_ORDERS = "notifier.purchase-orders"
INVOICES = "notifier.invoices"
RFPS = "notifier.rfps"


def consumers(runtime: ServiceRuntime) -> list[EventConsumer]:
    settings = runtime.settings
    assert isinstance(settings, Settings)
    renderer = EmailRenderer(settings.smtp_from, settings.portal_public_url)

    def uow() -> UnitOfWork:
        return UnitOfWork(runtime.session_factory, settings.service_name)

    def once(consumer: str, effect: Callable[[UnitOfWork, Envelope, Any], Any]) -> Callable[[Envelope, Any], Any]:
        async def handle(envelope: Envelope, payload: Any) -> None:
            async with uow() as unit:
                if not await unit.inbox.first_time(consumer, envelope.id):
                    return
                await effect(unit, envelope, payload)
                await unit.commit()

        return handle

    async def on_supplier(unit: UnitOfWork, _: Envelope, snapshot: SupplierSnapshot) -> None:
        await handlers.remember_supplier(unit, snapshot)

    async def on_user(unit: UnitOfWork, _: Envelope, snapshot: UserSnapshot) -> None:
        await handlers.remember_user(unit, snapshot)

    async def on_invitation(unit: UnitOfWork, envelope: Envelope, event: SupplierInvitationIssued) -> None:
        await handlers.email_invitation(unit, renderer, envelope.id, event)

    async def on_purchase_order(unit: UnitOfWork, envelope: Envelope, event: PurchaseOrderSubmitted) -> None:
        await handlers.email_purchase_order(unit, renderer, envelope.id, event)

    async def on_purchase_order_change(unit: UnitOfWork, envelope: Envelope, event: PurchaseOrderChanged) -> None:
        await handlers.email_purchase_order_change(unit, renderer, envelope.id, event)

    async def on_purchase_order_comment(unit: UnitOfWork, envelope: Envelope, event: PurchaseOrderCommentAdded) -> None:
        await comment_emails.email_purchase_order_comment(unit, renderer, envelope.id, event)

    async def on_invoice(unit: UnitOfWork, envelope: Envelope, event: Any) -> None:
        await handlers.email_invoice_news(unit, renderer, envelope.id, event)

    async def on_invoice_comment(unit: UnitOfWork, envelope: Envelope, event: InvoiceCommentAdded) -> None:
        await comment_emails.email_invoice_comment(unit, renderer, envelope.id, event)

    async def on_rfp_published(unit: UnitOfWork, envelope: Envelope, event: RfpPublished) -> None:
        await rfp_emails.email_rfp_invitations(unit, renderer, envelope.id, event)

    async def on_rfp_awarded(unit: UnitOfWork, envelope: Envelope, event: RfpAwarded) -> None:
        await rfp_emails.email_rfp_outcome(unit, renderer, envelope.id, event)

    def consumer(topic: str, group: str, handled: dict[type, Any]) -> EventConsumer:
        return EventConsumer(
            topic=topic,
            group=group,
            handlers={event_type: once(group, effect) for event_type, effect in handled.items()},
            settings=settings,
            dead_letters=runtime.kafka_producer,
        )

    invoice_news = (InvoiceApprovalRequested, InvoiceApproved, InvoiceRejected, InvoicePaymentRecorded)
    purchase_order_news: dict[type, Any] = {
        PurchaseOrderSubmitted: on_purchase_order,
        PurchaseOrderChanged: on_purchase_order_change,
        PurchaseOrderCommentAdded: on_purchase_order_comment,
    }
    return [
        consumer(SUPPLIERS_TOPIC, SUPPLIERS, {SupplierSnapshot: on_supplier}),
        consumer(USERS_TOPIC, USERS, {UserSnapshot: on_user}),
        consumer(INVITATIONS_TOPIC, INVITATIONS, {SupplierInvitationIssued: on_invitation}),
        consumer(PURCHASE_ORDERS_TOPIC, PURCHASE_ORDERS, purchase_order_news),
        consumer(
            INVOICES_TOPIC,
            INVOICES,
            {**dict.fromkeys(invoice_news, on_invoice), InvoiceCommentAdded: on_invoice_comment},
        ),
        consumer(RFPS_TOPIC, RFPS, {RfpPublished: on_rfp_published, RfpAwarded: on_rfp_awarded}),
    ]
