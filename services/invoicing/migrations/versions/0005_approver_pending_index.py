"""the held invoices routed to a person, for the approvals list and its count

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 05:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_invoices_approver_pending",
        "invoices",
        ["approver_id", "created_at", "id"],
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_invoices_approver_pending", table_name="invoices")
