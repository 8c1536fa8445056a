"""Tables of requests for proposals, their proposals and files, on the orders database's ``metadata``.

Created by the migration branch ``0100_rfps`` (the buyer's documents by ``0111_rfp_attachments``).
Quantities and prices are unconstrained ``numeric`` (PostgreSQL keeps the scale given). Files are
stored as bytes keyed by a UUID, never by their name.
"""

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
)

from orders.adapters.counters import counters_table
from orders.adapters.tables import metadata
from shared.stored_files import files_table

rfps = Table(
    "rfps",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("number", String(20), nullable=False),
    Column("title", String(300), nullable=False),
    Column("due_date", DateTime(timezone=True), nullable=False),
    Column("currency", String(3)),
    Column("status", String(20), nullable=False),
    Column("created_by", Uuid, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    Column("awarded_at", DateTime(timezone=True)),
    Column("awarded_proposal_id", Uuid),
    Column("awarded_supplier_id", Uuid),
    Column("purchase_order_id", Uuid),
    Column("revision", Integer, nullable=False),
    UniqueConstraint("tenant_id", "number", name="uq_rfps_tenant_number"),
    Index("ix_rfps_tenant_created", "tenant_id", "created_at", "id"),
    # The closing task looks for published RFPs whose due date passed.
    Index("ix_rfps_status_due", "status", "due_date"),
)

rfp_lines = Table(
    "rfp_lines",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("rfp_id", Uuid, ForeignKey("rfps.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("description", String(500), nullable=False),
    Column("quantity", Numeric, nullable=False),
    Column("unit", String(30)),
)

rfp_invitations = Table(
    "rfp_invitations",
    metadata,
    Column("rfp_id", Uuid, ForeignKey("rfps.id", ondelete="CASCADE"), primary_key=True),
    Column("supplier_id", Uuid, primary_key=True, index=True),
    Column("position", Integer, nullable=False),
)

rfp_counters = counters_table("rfp_counters", metadata)

rfp_proposals = Table(
    "rfp_proposals",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("rfp_id", Uuid, ForeignKey("rfps.id", ondelete="CASCADE"), nullable=False),
    Column("tenant_id", Uuid, nullable=False, index=True),
    Column("supplier_id", Uuid, nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("status", String(20), nullable=False),
    Column("comment", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("submitted_at", DateTime(timezone=True)),
    Column("revision", Integer, nullable=False),
    UniqueConstraint("rfp_id", "supplier_id", name="uq_rfp_proposals_rfp_supplier"),
)

rfp_proposal_lines = Table(
    "rfp_proposal_lines",
    metadata,
    Column("proposal_id", Uuid, ForeignKey("rfp_proposals.id", ondelete="CASCADE"), primary_key=True),
    Column("rfp_line_id", Uuid, ForeignKey("rfp_lines.id", ondelete="CASCADE"), primary_key=True),
    Column("line_no", Integer, nullable=False),
    Column("unit_price", Numeric),
    Column("line_total", Numeric),
)

rfp_proposal_attachments = files_table("rfp_proposal_attachments", metadata, "proposal_id", "rfp_proposals.id")

# The buyer's documents on its RFP (drawings, specifications), read by the invited suppliers.
rfp_attachments = files_table("rfp_attachments", metadata, "rfp_id", "rfps.id")

# The buyer organisations' portal switch, as last seen on gateway.organisation.v1: only a newer
# revision acts, so a replayed or reordered old snapshot deletes nothing.
rfp_portal_switches = Table(
    "rfp_portal_switches",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("supplier_portal_enabled", Boolean, nullable=False),
    Column("revision", Integer, nullable=False),
)
