"""the invoices waiting in matching, for the check of those that wait too long

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 10:01:24
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_invoices_matching",
        "invoices",
        ["submitted_at"],
        postgresql_where=sa.text("status = 'matching'"),
    )


def downgrade() -> None:
    op.drop_index("ix_invoices_matching", table_name="invoices")
