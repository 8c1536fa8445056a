"""the broker the outbox relay last published to, so that it notices a fresh one and publishes again

Revision ID: 0005_relay_state
Revises: 0004
Create Date: 2026-12-06 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_relay_state"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "relay_state",
        sa.Column("cluster_id", sa.Text(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("cluster_id", name=op.f("pk_relay_state")),
    )


def downgrade() -> None:
    op.drop_table("relay_state")
