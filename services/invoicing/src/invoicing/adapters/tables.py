"""Tables of the invoicing database: invoices with their lines, payments, comments and
attachments; the read models of purchase orders, suppliers and buyer organisations; the
outbox and the inbox."""

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    Uuid,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from shared.db import new_metadata
from shared.idempotency import idempotency_table
from shared.inbox import inbox_table
from shared.outbox import outbox_table, relay_state_table
from shared.stored_files import comments_table, files_table

metadata = new_metadata()

# Unbounded NUMERIC keeps the scale it was given: "10.00" comes back as "10.00", "3.5" as "3.5".
invoices = Table(
    "invoices",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("supplier_id", Uuid, nullable=False),
    Column("purchase_order_id", Uuid, nullable=False),
    Column("purchase_order_number", String(100), nullable=False),
    Column("number", String(50), nullable=False),
    Column("issue_date", Date),
    Column("currency", String(3), nullable=False),
    Column("status", String(20), nullable=False),
    Column("net_total", Numeric, nullable=False),
    Column("tax_total", Numeric, nullable=False),
    Column("gross_total", Numeric, nullable=False),
    Column("submission", Integer, nullable=False),
    Column("submitted_at", DateTime(timezone=True)),
    Column("approver_id", Uuid),
    Column("rejection_reason", String(2000)),
    Column("matching", JSONB),
    Column("revision", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("initiator_id", Uuid),
    Column("created_by_buyer", Boolean, nullable=False, server_default=false()),
    Column("kind", String(20), nullable=False, server_default="invoice"),
    Column("credited_invoice_id", Uuid),
    # An invoice's approved credits (gross) and what is left to pay; stored for lists and filters.
    Column("credited_total", Numeric, nullable=False, server_default="0"),
    Column("balance_due", Numeric, nullable=False),
    Column("due_date", Date),
    Index("ix_invoices_tenant_created", "tenant_id", "created_at", "id"),
    Index("ix_invoices_supplier_created", "supplier_id", "created_at", "id"),
    # A supplier's invoices in one status, newest first: its list filtered by status reads the page
    # from the first entries, where through the index above it would read past every invoice in
    # the other statuses (all of them, for a status it has none in).
    Index("ix_invoices_supplier_status_created", "supplier_id", "status", "created_at", "id"),
    Index("ix_invoices_purchase_order", "purchase_order_id"),
    # The credit notes of an invoice: summed when one is approved.
    Index(
        "ix_invoices_credited_invoice", "credited_invoice_id", postgresql_where=text("credited_invoice_id IS NOT NULL")
    ),
    # The held invoices routed to a person: the approvals list and its count in the navigation.
    Index(
        "ix_invoices_approver_pending",
        "approver_id",
        "created_at",
        "id",
        postgresql_where=text("status = 'pending'"),
    ),
    # The invoices awaiting payment, in a page's order: a buyer's or a supplier's overdue ones are
    # read among these alone (their due date checked), newest first with no sort.
    Index(
        "ix_invoices_tenant_awaiting_payment",
        "tenant_id",
        "created_at",
        "id",
        postgresql_where=text("status IN ('approved', 'partly_paid')"),
    ),
    Index(
        "ix_invoices_supplier_awaiting_payment",
        "supplier_id",
        "created_at",
        "id",
        postgresql_where=text("status IN ('approved', 'partly_paid')"),
    ),
    # The invoices waiting for their verdict: the stall check counts those waiting too long.
    Index("ix_invoices_matching", "submitted_at", postgresql_where=text("status = 'matching'")),
    # A supplier's invoice numbers are unique among the invoices that still count.
    Index(
        "uq_invoices_supplier_number",
        "supplier_id",
        "number",
        unique=True,
        postgresql_where=text("status <> 'canceled'"),
    ),
)

invoice_lines = Table(
    "invoice_lines",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("invoice_id", Uuid, ForeignKey("invoices.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("purchase_order_line_id", Uuid),
    Column("description", String(500), nullable=False),
    Column("quantity", Numeric, nullable=False),
    Column("unit_price", Numeric, nullable=False),
    Column("net_amount", Numeric, nullable=False),
    Column("tax_rate", Numeric, nullable=False),
    Column("tax_amount", Numeric, nullable=False),
    Column("credited_line_id", Uuid),
)

payments = Table(
    "payments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("invoice_id", Uuid, ForeignKey("invoices.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("amount", Numeric, nullable=False),
    Column("paid_at", DateTime(timezone=True), nullable=False),
)

# Read model of the orders service's purchase orders; lines as the snapshot carries them.
purchase_orders = Table(
    "purchase_orders",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("supplier_id", Uuid, nullable=False),
    Column("number", String(100), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(30), nullable=False),
    Column("initiator_id", Uuid, nullable=False),
    Column("lines", JSONB, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Names as the PO carried them: fall-backs for documents when the directories lack them.
    Column("supplier_name", String(300)),
    Column("buyer_name", String(300)),
    Column("delivery_date", Date),
)

invoice_comments = comments_table(
    "invoice_comments",
    metadata,
    "invoice_id",
    "invoices.id",
    tenant=True,
    listed_by="ix_invoice_comments_invoice_created",
)

# The bytes live here, keyed by the attachment's id; the uploaded name is only displayed.
invoice_attachments = files_table(
    "invoice_attachments",
    metadata,
    "invoice_id",
    "invoices.id",
    tenant=True,
    listed_by="ix_invoice_attachments_invoice_created",
)

# Read model of the suppliers service: what documents print, and the payment terms.
suppliers = Table(
    "suppliers",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("name", String(300), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("payment_terms_days", Integer),
    Column("legal_name", String(300)),
    Column("address", Text),
    Column("tax_id", String(50)),
)

# Read model of the gateway's buyer organisations: name and the settings invoicing obeys.
organisations = Table(
    "organisations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(300), nullable=False),
    Column("invoice_issue_date_required", Boolean, nullable=False),
    Column("supplier_portal_enabled", Boolean, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("default_payment_terms_days", Integer, nullable=False, server_default="30"),
    Column("legal_name", String(300)),
    Column("address", Text),
    Column("tax_id", String(50)),
)

outbox = outbox_table(metadata)
relay_state = relay_state_table(metadata)
inbox = inbox_table(metadata)
idempotency = idempotency_table(metadata)
