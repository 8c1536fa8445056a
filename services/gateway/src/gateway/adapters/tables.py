"""Tables of the gateway database."""

from sqlalchemy import (
    ARRAY,
    BigInteger,
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
    Uuid,
)

from shared.db import new_metadata
from shared.idempotency import idempotency_table
from shared.inbox import inbox_table
from shared.outbox import outbox_table, relay_state_table

metadata = new_metadata()

organisations = Table(
    "organisations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(300), nullable=False),
    Column("invoice_issue_date_required", Boolean, nullable=False, default=False),
    Column("supplier_portal_enabled", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revision", Integer, nullable=False, server_default="0"),
    Column("updated_at", DateTime(timezone=True)),
    Column("default_payment_terms_days", Integer, nullable=False, server_default="30"),
    Column("approval_reminder_days", Integer, nullable=False, server_default="2"),
    # Matching's defaults: the tolerance of suppliers without one, and three-way matching of new orders.
    Column("default_tolerance_rate", Numeric, nullable=False, server_default="0"),
    Column("default_tolerance_amount", Numeric),
    Column("three_way_matching", Boolean, nullable=False, server_default="false"),
    # The organisation's details on its documents.
    Column("legal_name", String(300)),
    Column("address", Text),
    Column("tax_id", String(50)),
    Column("contact_name", String(300)),
    Column("contact_email", String(320)),
    Column("contact_phone", String(50)),
)

users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, ForeignKey("organisations.id"), nullable=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("name", String(300), nullable=False),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(300), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Tokens carry the generation they were issued in; a password change or reset moves it on.
    Column("token_generation", Integer, nullable=False, server_default="0"),
    Index("ix_users_tenant", "tenant_id", "created_at"),
)

supplier_links = Table(
    "supplier_links",
    metadata,
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("supplier_id", Uuid, primary_key=True),
)

# Read model of suppliers: whose portal is active, from suppliers.supplier.v1.
suppliers = Table(
    "suppliers",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("name", String(300), nullable=False),
    Column("email", String(320), nullable=False),
    Column("portal_status", String(20), nullable=False),
    Column("revision", Integer, nullable=False),
)

invitations = Table(
    "invitations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("supplier_id", Uuid, nullable=False, index=True),
    Column("supplier_name", String(300), nullable=False),
    Column("email", String(320), nullable=False),
    Column("token_digest", String(64), nullable=False, unique=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("accepted_at", DateTime(timezone=True)),
    Column("user_id", Uuid),
    # Set when a fresh invitation, a change of the supplier's email or its deactivation voids it.
    Column("voided_at", DateTime(timezone=True)),
    # A colleague's invitation: who sent it, and every supplier record it links (the sender's).
    Column("invited_by_user_id", Uuid),
    Column("invited_by_name", String(300)),
    Column("name", String(300)),
    Column("supplier_ids", ARRAY(Uuid)),
)

# Tokens signed out before they expire; a row is useless after ``expires_at`` and is pruned.
revoked_tokens = Table(
    "revoked_tokens",
    metadata,
    Column("token_id", String(64), primary_key=True),
    Column("user_id", Uuid, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)

# Single-use links sent by email: a password reset, a confirmation of a new login email.
# Only the token's digest is stored.
account_links = Table(
    "account_links",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("purpose", String(20), nullable=False),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("token_digest", String(64), nullable=False, unique=True),
    Column("new_email", String(320)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    Index("ix_account_links_user_purpose", "user_id", "purpose"),
)

outbox = outbox_table(metadata)
relay_state = relay_state_table(metadata)
inbox = inbox_table(metadata)
idempotency = idempotency_table(metadata)

# One row per failed sign-in, per scope ("account": the email; "ip": the client address);
# in the database so that limits hold across restarts and gateway instances.
login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("scope", String(10), nullable=False),
    Column("key", String(320), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_login_attempts_scope_key_at", "scope", "key", "at"),
)
