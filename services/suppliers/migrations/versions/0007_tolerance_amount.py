"""a supplier's tolerance amount beside its rate; neither set means the organisation's defaults

Revision ID: 0007_tolerance_amount
Revises: 0006_terms_and_legal_details
Create Date: 2027-01-20 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_tolerance_amount"
down_revision = "0006_terms_and_legal_details"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Suppliers written before keep the rate they were given (0 included): only new ones may have none.
    op.alter_column("suppliers", "tolerance_rate", existing_type=sa.Numeric(7, 4), nullable=True)
    op.add_column("suppliers", sa.Column("tolerance_amount", sa.Numeric(), nullable=True))


def downgrade() -> None:
    op.drop_column("suppliers", "tolerance_amount")
    # Back to a rate on every supplier: one that took the organisation's defaults gets none (0 %).
    op.execute("UPDATE suppliers SET tolerance_rate = 0 WHERE tolerance_rate IS NULL")
    op.alter_column("suppliers", "tolerance_rate", existing_type=sa.Numeric(7, 4), nullable=False)
