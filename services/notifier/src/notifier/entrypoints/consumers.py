"""Event consumers of the notifier: read models of suppliers, users and buyer organisations, and
the events people must hear of (documents and their ends, comments on them, RFPs, their own
accounts). Each handler records the event in the inbox first, then queues its effect, and
commits both together: a redelivered event queues nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from notifier.adapters.rendering import EmailRenderer
from notifier.config import Settings
from notifier.service import account_emails, cancellation_emails, comment_emails, handlers, rfp_emails
from notifier.service.unit_of_work import UnitOfWork
from shared.contracts import Envelope
from shared.contracts.identity import (
    ACCOUNTS_TOPIC,
    INVITATIONS_TOPIC,
    ORGANISATIONS_TOPIC,
    USERS_TOPIC,
    LoginEmailChangeRequested,
    OrganisationSettingsChanged,
    PasswordResetRequested,
    SupplierInvitationIssued,
    UserSnapshot,
)
from shared.contracts.invoicing import (
    INVOICES_TOPIC,
    InvoiceApprovalRequested,
    InvoiceApproved,
    InvoiceCanceled,
    InvoiceCommentAdded,
    InvoicePaymentRecorded,
    InvoiceRejected,
)
from shared.contracts.orders import (
    PURCHASE_ORDERS_TOPIC,
    PurchaseOrderCanceled,
    PurchaseOrderChanged,
    PurchaseOrderClosed,
    PurchaseOrderCommentAdded,
    PurchaseOrderSubmitted,
)
from shared.contracts.rfps import RFPS_TOPIC, RfpAwarded, RfpClosed, RfpPublished
from shared.contracts.suppliers import SUPPLIERS_TOPIC, SupplierSnapshot
from shared.messaging import EventConsumer
from shared.runtime import ServiceRuntime

SUPPLIERS = "notifier.suppliers"
USERS = "notifier.users"
ORGANISATIONS = "notifier.organisations"
INVITATIONS = "notifier.invitations"
ACCOUNTS = "notifier.accounts"
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

    async def on_organisation(unit: UnitOfWork, _: Envelope, snapshot: OrganisationSettingsChanged) -> None:
        await handlers.remember_organisation(unit, snapshot)

    async def on_invitation(unit: UnitOfWork, envelope: Envelope, event: SupplierInvitationIssued) -> None:
        await handlers.email_invitation(unit, renderer, envelope.id, event)

    async def on_purchase_order(unit: UnitOfWork, envelope: Envelope, event: PurchaseOrderSubmitted) -> None:
        await handlers.email_purchase_order(unit, renderer, envelope.id, event)

    async def on_purchase_order_change(unit: UnitOfWork, envelope: Envelope, event: PurchaseOrderChanged) -> None:
        await handlers.email_purchase_order_change(unit, renderer, envelope.id, event)

    async def on_purchase_order_end(
        unit: UnitOfWork, envelope: Envelope, event: PurchaseOrderCanceled | PurchaseOrderClosed
    ) -> None:
        await cancellation_emails.email_purchase_order_end(unit, renderer, envelope.id, event)

    async def on_purchase_order_comment(unit: UnitOfWork, envelope: Envelope, event: PurchaseOrderCommentAdded) -> None:
        await comment_emails.email_purchase_order_comment(unit, renderer, envelope.id, event)

    async def on_invoice(unit: UnitOfWork, envelope: Envelope, event: Any) -> None:
        await handlers.email_invoice_news(unit, renderer, envelope.id, event)

    async def on_invoice_canceled(unit: UnitOfWork, envelope: Envelope, event: InvoiceCanceled) -> None:
        await cancellation_emails.email_invoice_canceled(unit, renderer, envelope.id, event)

    async def on_invoice_comment(unit: UnitOfWork, envelope: Envelope, event: InvoiceCommentAdded) -> None:
        await comment_emails.email_invoice_comment(unit, renderer, envelope.id, event)

    async def on_rfp_published(unit: UnitOfWork, envelope: Envelope, event: RfpPublished) -> None:
        await rfp_emails.email_rfp_invitations(unit, renderer, envelope.id, event)

    async def on_rfp_closed(unit: UnitOfWork, envelope: Envelope, event: RfpClosed) -> None:
        await rfp_emails.email_rfp_closing(unit, renderer, envelope.id, event)

    async def on_rfp_awarded(unit: UnitOfWork, envelope: Envelope, event: RfpAwarded) -> None:
        await rfp_emails.email_rfp_outcome(unit, renderer, envelope.id, event)

    async def on_password_reset(unit: UnitOfWork, envelope: Envelope, event: PasswordResetRequested) -> None:
        await account_emails.email_password_reset(unit, renderer, envelope.id, envelope.tenant_id, event)

    async def on_login_email_change(unit: UnitOfWork, envelope: Envelope, event: LoginEmailChangeRequested) -> None:
        await account_emails.email_login_email_change(unit, renderer, envelope.id, envelope.tenant_id, event)

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
        PurchaseOrderCanceled: on_purchase_order_end,
        PurchaseOrderClosed: on_purchase_order_end,
        PurchaseOrderCommentAdded: on_purchase_order_comment,
    }
    invoice_handlers: dict[type, Any] = {
        **dict.fromkeys(invoice_news, on_invoice),
        InvoiceCanceled: on_invoice_canceled,
        InvoiceCommentAdded: on_invoice_comment,
    }
    rfp_news: dict[type, Any] = {RfpPublished: on_rfp_published, RfpClosed: on_rfp_closed, RfpAwarded: on_rfp_awarded}
    account_news: dict[type, Any] = {
        PasswordResetRequested: on_password_reset,
        LoginEmailChangeRequested: on_login_email_change,
    }
    return [
        consumer(SUPPLIERS_TOPIC, SUPPLIERS, {SupplierSnapshot: on_supplier}),
        consumer(USERS_TOPIC, USERS, {UserSnapshot: on_user}),
        consumer(ORGANISATIONS_TOPIC, ORGANISATIONS, {OrganisationSettingsChanged: on_organisation}),
        consumer(INVITATIONS_TOPIC, INVITATIONS, {SupplierInvitationIssued: on_invitation}),
        consumer(ACCOUNTS_TOPIC, ACCOUNTS, account_news),
        consumer(PURCHASE_ORDERS_TOPIC, PURCHASE_ORDERS, purchase_order_news),
        consumer(INVOICES_TOPIC, INVOICES, invoice_handlers),
        consumer(RFPS_TOPIC, RFPS, rfp_news),
    ]
