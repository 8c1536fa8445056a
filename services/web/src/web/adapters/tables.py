"""Tables of the web portal's database: sessions only (it owns no business data)."""

from sqlalchemy import JSON, Column, DateTime, Index, String, Table, Text, Uuid

from shared.db import new_metadata

metadata = new_metadata()

sessions = Table(
    "sessions",
    metadata,
    # sha256 of the cookie's random key: the key itself is never stored.
    Column("digest", String(64), primary_key=True),
    Column("access_token", Text, nullable=False),
    Column("scoped_token", Text),
    Column("supplier_id", Uuid),
    # The buyer organisations a supplier serves, as GET /me answered at sign-in.
    Column("organisations", JSON, nullable=False, default=list),
    Column("csrf_token", String(64), nullable=False),
    Column("user_id", Uuid, nullable=False),
    Column("email", String(320), nullable=False),
    Column("name", String(300), nullable=False),
    Column("role", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_sessions_expires_at", "expires_at"),
    Index("ix_sessions_user_id", "user_id"),
)
