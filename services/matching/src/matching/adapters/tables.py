"""Tables of the matching database: the read models it decides on and the verdicts it issued."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    false,
)
from sqlalchemy.dialects.postgresql import JSONB

from shared.db import new_metadata
from shared.idempotency import idempotency_table
from shared.inbox import inbox_table
from shared.outbox import outbox_table, relay_state_table

metadata = new_metadata()

# Money and quantities are unconstrained NUMERIC: exact, and they keep the scale they came with.
purchase_orders = Table(
    "purchase_orders",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("supplier_id", Uuid, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(30), nullable=False),
    Column("net_total", Numeric, nullable=False),
    Column("lines", JSONB, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("match_against_receipts", Boolean, nullable=False, server_default=false()),
)

# A supplier's own tolerance; null rate and amount: its organisation's defaults apply.
supplier_tolerances = Table(
    "supplier_tolerances",
    metadata,
    Column("supplier_id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("tolerance_rate", Numeric, nullable=True),
    Column("revision", Integer, nullable=False),
    Column("tolerance_amount", Numeric, nullable=True),
)

organisation_tolerances = Table(
    "organisation_tolerances",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("tolerance_rate", Numeric, nullable=True),
    Column("tolerance_amount", Numeric, nullable=True),
    Column("revision", Integer, nullable=False),
)

invoices = Table(
    "invoices",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("purchase_order_id", Uuid, nullable=False),
    Column("status", String(30), nullable=False),
    Column("submission", Integer, nullable=False),
    Column("net_total", Numeric, nullable=False),
    Column("lines", JSONB, nullable=False),
    Column("revision", Integer, nullable=False),
    # Position among the PO's submissions as matching received them; null until one arrives.
    Column("received_seq", BigInteger, nullable=True),
    Column("kind", String(20), nullable=False, server_default="invoice"),
    # A credit note's invoice.
    Column("credited_invoice_id", Uuid, nullable=True),
    # What possible duplicates are found by: the number without case, spaces or punctuation
    # (``number_key``), and the gross total and issue date. Empty or null on rows stored before.
    Column("supplier_id", Uuid, nullable=True),
    Column("number", Text, nullable=False, server_default=""),
    Column("number_key", Text, nullable=False, server_default=""),
    Column("issue_date", Date, nullable=True),
    Column("gross_total", Numeric, nullable=True),
    Index("ix_invoices_purchase_order_received", "purchase_order_id", "received_seq"),
    Index("ix_invoices_supplier_number_key", "supplier_id", "number_key"),
)

verdicts = Table(
    "verdicts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("invoice_id", Uuid, nullable=False),
    Column("purchase_order_id", Uuid, nullable=False),
    Column("submission", Integer, nullable=False),
    Column("outcome", String(30), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    # The published event's payload, so the verdict reads back exactly as it was issued.
    Column("document", JSONB, nullable=False),
    # 0: the submission's verdict; 1: its re-match on a goods receipt (at most one).
    Column("round", SmallInteger, nullable=False, server_default="0"),
    # The tolerance the verdict was decided with, as set (the event's rate is never null).
    Column("tolerance_rate", Numeric, nullable=True),
    Column("tolerance_amount", Numeric, nullable=True),
    UniqueConstraint("invoice_id", "submission", "round", name="uq_verdicts_invoice_submission_round"),
    Index("ix_verdicts_purchase_order", "purchase_order_id"),
)

outbox = outbox_table(metadata)
relay_state = relay_state_table(metadata)
inbox = inbox_table(metadata)
idempotency = idempotency_table(metadata)
