"""Tables of the suppliers database."""

from sqlalchemy import (
    Boolean,
    Column,
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

from shared.db import new_metadata
from shared.idempotency import idempotency_table
from shared.inbox import inbox_table
from shared.outbox import outbox_table, relay_state_table

metadata = new_metadata()

# The buyer's view of a supplier.
suppliers = Table(
    "suppliers",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("name", String(300), nullable=False),
    Column("email", String(320), nullable=False),
    Column("phone", String(50)),
    Column("currency", String(3), nullable=False),
    # Both null: the organisation's default tolerance applies.
    Column("tolerance_rate", Numeric(7, 4)),
    Column("tolerance_amount", Numeric),
    Column("payment_terms_days", Integer),
    # The supplier's details on documents (the supplier's edits of its profile reach them).
    Column("legal_name", String(300)),
    Column("address", Text),
    Column("tax_id", String(50)),
    Column("contacts", JSONB, nullable=False),
    Column("custom_fields", JSONB, nullable=False),
    Column("portal_status", String(20), nullable=False),
    # Shared field paths the buyer edited while the portal was inactive (they reach the profile on reactivation).
    Column("waiting_for_portal", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("revision", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_suppliers_tenant_created", "tenant_id", "created_at", "id"),
)

# The supplier's own view (its portal profile), from the first activation on.
supplier_profiles = Table(
    "supplier_profiles",
    metadata,
    Column("supplier_id", Uuid, ForeignKey("suppliers.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("email", String(320), nullable=False),
    Column("phone", String(50)),
    Column("currency", String(3), nullable=False),
    Column("address", Text),
    Column("legal_name", String(300)),
    Column("tax_id", String(50)),
    Column("minimum_order_amount", Numeric),
    Column("lead_time_days", Integer),
    Column("custom_fields", JSONB, nullable=False),
)

# The buyer's definitions of supplier custom fields, per tenant.
supplier_custom_fields = Table(
    "supplier_custom_fields",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("key", String(64), nullable=False),
    Column("label", String(200), nullable=False),
    Column("type", String(20), nullable=False),
    Column("choices", JSONB, nullable=False),
    Column("required", Boolean, nullable=False),
    Column("shown_in_portal", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("tenant_id", "key", name="uq_supplier_custom_fields_tenant_key"),
    Index("ix_supplier_custom_fields_tenant_created", "tenant_id", "created_at", "id"),
)

# The buyer organisations' supplier portal switch, kept from the gateway's events.
organisations = Table(
    "organisations",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("supplier_portal_enabled", Boolean, nullable=False),
    Column("revision", Integer, nullable=False),
)

outbox = outbox_table(metadata)
relay_state = relay_state_table(metadata)
inbox = inbox_table(metadata)
idempotency = idempotency_table(metadata)
