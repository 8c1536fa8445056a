"""Event consumers of the notifier: read models of suppliers, users and buyer organisations, and
the events people must hear of (documents and their ends, comments on them, RFPs, their own
accounts). Each handler queues its effect in the unit of work ``shared.consumer_groups.consumer_group``
opened with the event's inbox record: a redelivered event queues nothing. An email's id comes from
the event's id, so the email handlers get the envelope too.
"""

from __future__ import annotations

from typing import Any

from notifier.adapters.rendering import EmailRenderer
from notifier.config import Settings
from notifier.service import account_emails, cancellation_emails, comment_emails, handlers, read_models, rfp_emails
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

    async def on_invitation(unit: UnitOfWork, event: SupplierInvitationIssued, envelope: Envelope) -> None:
        await handlers.email_invitation(unit, renderer, envelope.id, event)

    async def on_purchase_order(unit: UnitOfWork, event: PurchaseOrderSubmitted, envelope: Envelope) -> None:
        await handlers.email_purchase_order(unit, renderer, envelope.id, event)

    async def on_purchase_order_change(unit: UnitOfWork, event: PurchaseOrderChanged, envelope: Envelope) -> None:
        await handlers.email_purchase_order_change(unit, renderer, envelope.id, event)

    async def on_purchase_order_end(
        unit: UnitOfWork, event: PurchaseOrderCanceled | PurchaseOrderClosed, envelope: Envelope
    ) -> None:
        await cancellation_emails.email_purchase_order_end(unit, renderer, envelope.id, event)

    async def on_purchase_order_comment(unit: UnitOfWork, event: PurchaseOrderCommentAdded, envelope: Envelope) -> None:
        await comment_emails.email_purchase_order_comment(unit, renderer, envelope.id, event)

    async def on_invoice(unit: UnitOfWork, event: Any, envelope: Envelope) -> None:
        await handlers.email_invoice_news(unit, renderer, envelope.id, event)

    async def on_invoice_canceled(unit: UnitOfWork, event: InvoiceCanceled, envelope: Envelope) -> None:
        await cancellation_emails.email_invoice_canceled(unit, renderer, envelope.id, event)

    async def on_invoice_comment(unit: UnitOfWork, event: InvoiceCommentAdded, envelope: Envelope) -> None:
        await comment_emails.email_invoice_comment(unit, renderer, envelope.id, event)

    async def on_rfp_published(unit: UnitOfWork, event: RfpPublished, envelope: Envelope) -> None:
        await rfp_emails.email_rfp_invitations(unit, renderer, envelope.id, event)

    async def on_rfp_closed(unit: UnitOfWork, event: RfpClosed, envelope: Envelope) -> None:
        await rfp_emails.email_rfp_closing(unit, renderer, envelope.id, event)

    async def on_rfp_awarded(unit: UnitOfWork, event: RfpAwarded, envelope: Envelope) -> None:
        await rfp_emails.email_rfp_outcome(unit, renderer, envelope.id, event)

    async def on_password_reset(unit: UnitOfWork, event: PasswordResetRequested, envelope: Envelope) -> None:
        await account_emails.email_password_reset(unit, renderer, envelope.id, envelope.tenant_id, event)

    async def on_login_email_change(unit: UnitOfWork, event: LoginEmailChangeRequested, envelope: Envelope) -> None:
        await account_emails.email_login_email_change(unit, renderer, envelope.id, envelope.tenant_id, event)

    def emails(topic: str, group: str, handled: dict[type, Any]) -> EventConsumer:
        return consumer_group(runtime, topic, group, UnitOfWork, handled, needs_envelope=True)

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
        emails(INVITATIONS_TOPIC, INVITATIONS, {SupplierInvitationIssued: on_invitation}),
        emails(ACCOUNTS_TOPIC, ACCOUNTS, account_news),
        emails(PURCHASE_ORDERS_TOPIC, PURCHASE_ORDERS, purchase_order_news),
        emails(INVOICES_TOPIC, INVOICES, invoice_handlers),
        emails(RFPS_TOPIC, RFPS, rfp_news),
    ]
