"""Tables of the suppliers database."""

from sqlalchemy import Column, DateTime, Index, Integer, Numeric, String, Table, Uuid
from sqlalchemy.dialects.postgresql import JSONB

from shared.db import new_metadata
from shared.inbox import inbox_table
from shared.outbox import outbox_table

metadata = new_metadata()

suppliers = Table(
    "suppliers",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("name", String(300), nullable=False),
    Column("email", String(320), nullable=False),
    Column("phone", String(50)),
    Column("currency", String(3), nullable=False),
    Column("tolerance_rate", Numeric(7, 4), nullable=False),
    Column("contacts", JSONB, nullable=False),
    Column("custom_fields", JSONB, nullable=False),
    Column("portal_status", String(20), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_suppliers_tenant_created", "tenant_id", "created_at", "id"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
