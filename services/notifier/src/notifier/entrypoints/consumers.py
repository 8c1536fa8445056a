"""Event consumers of the notifier: read models of suppliers, users and buyer organisations, the
events people must hear of (documents and their ends, comments on them, RFPs, their own
accounts), and what reminders need (invoices, each organisation's reminder days). Each handler
queues its effect in the unit of work ``shared.consumer_groups.consumer_group`` opened with the
event's inbox record: a redelivered event queues nothing. An email's id comes from the event's
id, so the email handlers get the envelope too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from notifier.adapters.rendering import EmailRenderer
from notifier.config import Settings
from notifier.domain import accounts
from notifier.service import (
    account_emails,
    cancellation_emails,
    comment_emails,
    handlers,
    read_models,
    reminder_emails,
    rfp_emails,
)
from notifier.service.unit_of_work import UnitOfWork
from shared.consumer_groups import consumer_group
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
    InvoiceSnapshot,
)
from shared.contracts.orders import (
    PURCHASE_ORDERS_TOPIC,
    GoodsReceiptRecorded,
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
# Reminders keep their own copies of invoices and organisation settings: groups of their own read
# each topic from its start when they first run, so invoices waiting since before are known too.
REMINDER_INVOICES = "notifier.reminder-invoices"
REMINDER_POLICIES = "notifier.reminder-policies"

Handler = Callable[[UnitOfWork, Any, Envelope], Awaitable[None]]


def consumers(runtime: ServiceRuntime) -> list[EventConsumer]:
    settings = runtime.settings
    assert isinstance(settings, Settings)
    renderer = EmailRenderer(settings.smtp_from, settings.portal_public_url)
    opener = settings.link_opener

    def sealed(handler: Handler) -> Handler:
        """A single-use link's email: the event's link sealed before anything is drafted."""

        async def handle(unit: UnitOfWork, event: Any, envelope: Envelope) -> None:
            await handler(unit, accounts.with_sealed_links(event, opener.seal), envelope)

        return handle

    def email(send: Callable[[UnitOfWork, EmailRenderer, UUID, Any], Awaitable[None]]) -> Handler:
        """The handler of an email's event: the email's id is the event's."""

        async def handle(unit: UnitOfWork, event: Any, envelope: Envelope) -> None:
            await send(unit, renderer, envelope.id, event)

        return handle

    def account_email(send: Callable[[UnitOfWork, EmailRenderer, UUID, UUID, Any], Awaitable[None]]) -> Handler:
        """The same for a person's own account, which the tenant of the envelope names."""

        async def handle(unit: UnitOfWork, event: Any, envelope: Envelope) -> None:
            await send(unit, renderer, envelope.id, envelope.tenant_id, event)

        return handle

    def emails(topic: str, group: str, handled: dict[type, Handler]) -> EventConsumer:
        return consumer_group(runtime, topic, group, UnitOfWork, handled, needs_envelope=True)

    order_end = email(cancellation_emails.email_purchase_order_end)
    purchase_order_news: dict[type, Handler] = {
        PurchaseOrderSubmitted: email(handlers.email_purchase_order),
        PurchaseOrderChanged: email(handlers.email_purchase_order_change),
        GoodsReceiptRecorded: email(handlers.email_goods_received),
        PurchaseOrderCanceled: order_end,
        PurchaseOrderClosed: order_end,
        PurchaseOrderCommentAdded: email(comment_emails.email_purchase_order_comment),
    }
    invoice_news = (InvoiceApprovalRequested, InvoiceApproved, InvoiceRejected, InvoicePaymentRecorded)
    invoice_handlers: dict[type, Handler] = {
        **dict.fromkeys(invoice_news, email(handlers.email_invoice_news)),
        InvoiceCanceled: email(cancellation_emails.email_invoice_canceled),
        InvoiceCommentAdded: email(comment_emails.email_invoice_comment),
    }
    rfp_news: dict[type, Handler] = {
        RfpPublished: email(rfp_emails.email_rfp_invitations),
        RfpClosed: email(rfp_emails.email_rfp_closing),
        RfpAwarded: email(rfp_emails.email_rfp_outcome),
    }
    account_news: dict[type, Handler] = {
        PasswordResetRequested: sealed(account_email(account_emails.email_password_reset)),
        LoginEmailChangeRequested: sealed(account_email(account_emails.email_login_email_change)),
    }
    return [
        consumer_group(
            runtime, SUPPLIERS_TOPIC, SUPPLIERS, UnitOfWork, {SupplierSnapshot: read_models.remember_supplier}
        ),
        consumer_group(runtime, USERS_TOPIC, USERS, UnitOfWork, {UserSnapshot: read_models.remember_user}),
        consumer_group(
            runtime,
            ORGANISATIONS_TOPIC,
            ORGANISATIONS,
            UnitOfWork,
            {OrganisationSettingsChanged: read_models.remember_organisation},
        ),
        emails(INVITATIONS_TOPIC, INVITATIONS, {SupplierInvitationIssued: sealed(email(handlers.email_invitation))}),
        emails(ACCOUNTS_TOPIC, ACCOUNTS, account_news),
        emails(PURCHASE_ORDERS_TOPIC, PURCHASE_ORDERS, purchase_order_news),
        emails(INVOICES_TOPIC, INVOICES, invoice_handlers),
        emails(RFPS_TOPIC, RFPS, rfp_news),
        consumer_group(
            runtime,
            INVOICES_TOPIC,
            REMINDER_INVOICES,
            UnitOfWork,
            {InvoiceSnapshot: reminder_emails.track_invoice},
            needs_envelope=True,
        ),
        consumer_group(
            runtime,
            ORGANISATIONS_TOPIC,
            REMINDER_POLICIES,
            UnitOfWork,
            {OrganisationSettingsChanged: reminder_emails.track_reminder_policy},
        ),
    ]
