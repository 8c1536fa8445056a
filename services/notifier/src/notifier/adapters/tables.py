"""Tables of the notifier database: emails with their delivery state, the read models, which
suppliers were already told that an RFP is over, and the invoices that reminders are due about."""

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from shared.db import new_metadata
from shared.idempotency import idempotency_table
from shared.inbox import inbox_table
from shared.outbox import insert_notify_trigger, outbox_table, relay_state_table

metadata = new_metadata()

emails = Table(
    "emails",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("source_event_id", Uuid, nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("subject", String(500), nullable=False),
    Column("template", String(100), nullable=False),
    Column("message", LargeBinary, nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    # The W3C trace context of the handler that queued the email: its sending joins that trace.
    Column("trace_context", JSONB),
    # Sealed single-use links of a pending email (shown link -> sealed link); null once it is
    # sent or has failed for good.
    Column("sealed_links", JSONB),
    # At most one email per (event, recipient), whatever the consumers do.
    UniqueConstraint("source_event_id", "recipient", name="uq_emails_source_event_recipient"),
    Index("ix_emails_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
    Index("ix_emails_tenant_created", "tenant_id", "created_at", "id"),
)

suppliers = Table(
    "suppliers",
    metadata,
    Column("supplier_id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("name", String(300), nullable=False),
    Column("email", String(320), nullable=False),
    Column("contacts", JSONB, nullable=False),
    Column("revision", Integer, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("user_id", Uuid, primary_key=True),
    Column("tenant_id", Uuid),
    Column("email", String(320), nullable=False),
    Column("name", String(300), nullable=False),
    Column("role", String(20), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # The overdue notice goes to a tenant's active buyer admins.
    Index("ix_users_tenant_role", "tenant_id", "role"),
)

# The buyer organisations as the gateway announces them: emails to a supplier name the buyer.
organisations = Table(
    "organisations",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("name", String(300), nullable=False),
    Column("revision", Integer, nullable=False),
)

# The invited suppliers already told that an RFP is over for them (it closed, or it was awarded
# to another supplier before it closed): one notice per RFP and supplier, whichever event came first.
rfp_end_notices = Table(
    "rfp_end_notices",
    metadata,
    Column("rfp_id", Uuid, primary_key=True),
    Column("supplier_id", Uuid, primary_key=True),
    Column("told_at", DateTime(timezone=True), nullable=False),
)

# The invoices as reminders need them (``notifier.domain.reminders.TrackedInvoice``), from the
# invoice events by revision, with how far their reminders went. Rows stay when an invoice is
# decided or paid: a late, older event must not bring its reminders back.
reminder_invoices = Table(
    "reminder_invoices",
    metadata,
    Column("invoice_id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("supplier_id", Uuid, nullable=False),
    Column("number", String(50), nullable=False),
    Column("purchase_order_number", String(100), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("gross_total", Numeric, nullable=False),
    Column("balance_due", Numeric, nullable=False),
    Column("status", String(20), nullable=False),
    Column("submission", Integer, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("approver_id", Uuid),
    Column("pending_since", DateTime(timezone=True)),
    Column("last_reminded_on", Date),
    Column("due_date", Date),
    Column("overdue_noticed_for", Date),
    Column("kind", String(20), nullable=False, server_default="invoice"),
    # The scheduler looks only at pending, approved and partly paid invoices.
    Index("ix_reminder_invoices_status", "status", "tenant_id"),
)

# Each organisation's approval_reminder_days, from its settings events (by revision).
reminder_policies = Table(
    "reminder_policies",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("approval_reminder_days", Integer, nullable=False),
    Column("revision", Integer, nullable=False),
)

# Every reminder that went out, once: the key is the reminder (``Reminder``: invoice, kind, day),
# inserted in the transaction that queues its emails, so two schedulers or a restart can never
# queue one twice.
reminders_sent = Table(
    "reminders_sent",
    metadata,
    Column("invoice_id", Uuid, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("reminder_day", Date, nullable=False),
    Column("tenant_id", Uuid, nullable=False),
    Column("recipients", Integer, nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("invoice_id", "kind", "reminder_day"),
)

outbox = outbox_table(metadata)
relay_state = relay_state_table(metadata)
inbox = inbox_table(metadata)
idempotency = idempotency_table(metadata)

# The sender listens on this channel; a trigger notifies it when emails are queued.
EMAILS_CHANNEL = "notifier_emails"
EMAILS_NOTIFY_TRIGGER_SQL, DROP_EMAILS_NOTIFY_TRIGGER_SQL = insert_notify_trigger("emails", EMAILS_CHANNEL)
