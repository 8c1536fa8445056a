"""accounts that end and change: token generations, revoked tokens, single-use account links,
voided and colleague invitations

Revision ID: 0110_accounts
Revises: 0100_login_attempts
Create Date: 2026-12-06 07:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0110_accounts"
down_revision = "0100_login_attempts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("token_generation", sa.Integer(), server_default="0", nullable=False))
    op.add_column("invitations", sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("invitations", sa.Column("invited_by_user_id", sa.Uuid(), nullable=True))
    op.add_column("invitations", sa.Column("invited_by_name", sa.String(length=300), nullable=True))
    op.add_column("invitations", sa.Column("name", sa.String(length=300), nullable=True))
    op.add_column("invitations", sa.Column("supplier_ids", sa.ARRAY(sa.Uuid()), nullable=True))
    op.create_table(
        "revoked_tokens",
        sa.Column("token_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_id", name=op.f("pk_revoked_tokens")),
    )
    op.create_index(op.f("ix_revoked_tokens_expires_at"), "revoked_tokens", ["expires_at"], unique=False)
    op.create_table(
        "account_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("new_email", sa.String(length=320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_account_links_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_links")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_account_links_token_digest")),
    )
    op.create_index("ix_account_links_user_purpose", "account_links", ["user_id", "purpose"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_account_links_user_purpose", table_name="account_links")
    op.drop_table("account_links")
    op.drop_index(op.f("ix_revoked_tokens_expires_at"), table_name="revoked_tokens")
    op.drop_table("revoked_tokens")
    for column in ("supplier_ids", "name", "invited_by_name", "invited_by_user_id", "voided_at"):
        op.drop_column("invitations", column)
    op.drop_column("users", "token_generation")
