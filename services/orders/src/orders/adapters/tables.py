"""Tables of the orders database: purchase orders and lines, the number counters, the read models,
the comments and attachments on orders.

Quantities and amounts are unconstrained ``numeric``: PostgreSQL keeps the scale it is given,
so "10" stays "10" and a net amount rounded to "50.00" stays "50.00".
"""

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
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from orders.adapters.counters import counters_table
from shared.db import new_metadata
from shared.idempotency import idempotency_table
from shared.inbox import inbox_table
from shared.outbox import outbox_table, relay_state_table
from shared.stored_files import comments_table, files_table

metadata = new_metadata()

purchase_orders = Table(
    "purchase_orders",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("number", String(20), nullable=False),
    Column("supplier_id", Uuid, nullable=False),
    Column("supplier_name", String(300), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("delivery_date", Date),
    # Several lines; null: delivered to the buyer's address.
    Column("delivery_address", String(500)),
    Column("status", String(20), nullable=False),
    Column("initiator_id", Uuid, nullable=False),
    Column("net_total", Numeric, nullable=False),
    Column("tax_total", Numeric, nullable=False),
    Column("gross_total", Numeric, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("submitted_at", DateTime(timezone=True)),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("source_rfp_id", Uuid, nullable=True),
    Column("revision", Integer, nullable=False),
    # The revisions the supplier's latest acknowledgement and the buyer's latest change made.
    Column("acknowledged_revision", Integer),
    Column("changed_revision", Integer),
    # [{"code": ..., "message": ...}]: the supplier terms the order ignores (shared.contracts TermsWarning).
    Column("warnings", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("match_against_receipts", Boolean, nullable=False, server_default=text("false")),
    UniqueConstraint("tenant_id", "number", name="uq_purchase_orders_tenant_number"),
    Index("ix_purchase_orders_tenant_created", "tenant_id", "created_at", "id"),
    Index("ix_purchase_orders_supplier_created", "supplier_id", "created_at", "id"),
)

purchase_order_lines = Table(
    "purchase_order_lines",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("purchase_order_id", Uuid, ForeignKey("purchase_orders.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("sku", String(100)),
    Column("description", String(500), nullable=False),
    Column("unit", String(30)),
    Column("quantity", Numeric, nullable=False),
    Column("unit_price", Numeric, nullable=False),
    Column("net_amount", Numeric, nullable=False),
    Column("invoiced_quantity", Numeric, nullable=False),
    Column("tax_rate", Numeric, nullable=False),
    Column("tax_amount", Numeric, nullable=False),
    # The sum of the goods receipts not reversed (kept by the aggregate with each receipt).
    Column("received_quantity", Numeric, nullable=False, server_default=text("0")),
)

# What the buyer recorded as arrived of an order; reversed ones stay, counting for nothing.
goods_receipts = Table(
    "goods_receipts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("purchase_order_id", Uuid, ForeignKey("purchase_orders.id", ondelete="CASCADE"), nullable=False),
    Column("tenant_id", Uuid, nullable=False),
    Column("number", String(40), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("note", Text),
    # [{"purchase_order_line_id": "<uuid>", "quantity": "<decimal>"}]
    Column("lines", JSONB, nullable=False),
    Column("status", String(20), nullable=False),
    Column("recorded_by", Uuid, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("reversed_by", Uuid),
    Column("reversed_at", DateTime(timezone=True)),
    UniqueConstraint("purchase_order_id", "number", name="uq_goods_receipts_purchase_order_number"),
)

purchase_order_counters = counters_table("purchase_order_counters", metadata)

suppliers = Table(
    "suppliers",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False, index=True),
    Column("name", String(300), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("portal_status", String(20), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("minimum_order_amount", Numeric),
    Column("lead_time_days", Integer),
    # Null: the organisation's default payment terms.
    Column("payment_terms_days", Integer),
    Column("legal_name", String(300)),
    Column("address", Text),
    Column("tax_id", String(50)),
)

# The buyer organisations (tenants) as the gateway announces them; their name, legal details and
# contact go on the orders, their default payment terms where a supplier has none.
organisations = Table(
    "organisations",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("name", String(300), nullable=False),
    Column("supplier_portal_enabled", Boolean, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("default_payment_terms_days", Integer, nullable=False, server_default=text("30")),
    # A new order matches its invoices against receipts unless the buyer says otherwise on it.
    Column("three_way_matching", Boolean, nullable=False, server_default=text("false")),
    Column("legal_name", String(300)),
    Column("address", Text),
    Column("tax_id", String(50)),
    Column("contact_name", String(300)),
    Column("contact_email", String(320)),
    Column("contact_phone", String(50)),
)

# The portal users as the gateway announces them: an order names its initiator by name and email.
users = Table(
    "users",
    metadata,
    Column("user_id", Uuid, primary_key=True),
    Column("tenant_id", Uuid),
    Column("name", String(300), nullable=False),
    Column("email", String(320), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

purchase_order_comments = comments_table(
    "purchase_order_comments",
    metadata,
    "purchase_order_id",
    "purchase_orders.id",
    listed_by="ix_purchase_order_comments_order_created",
)

# The bytes live in the row, keyed by a UUID: the uploaded name is only ever displayed.
purchase_order_attachments = files_table(
    "purchase_order_attachments",
    metadata,
    "purchase_order_id",
    "purchase_orders.id",
    listed_by="ix_purchase_order_attachments_order_created",
)

invoices = Table(
    "invoices",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("purchase_order_id", Uuid, nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("revision", Integer, nullable=False),
    # [{"purchase_order_line_id": "<uuid>" | null, "quantity": "<decimal>"}]
    Column("lines", JSONB, nullable=False),
    Column("kind", String(20), nullable=False, server_default="invoice"),
)

outbox = outbox_table(metadata)
relay_state = relay_state_table(metadata)
inbox = inbox_table(metadata)
idempotency = idempotency_table(metadata)
