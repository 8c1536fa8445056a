"""an organisation's default tolerance (rate and amount) and its three-way matching switch

Revision ID: 0140_matching_defaults
Revises: 0130_payment_terms_and_profile
Create Date: 2027-01-20 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0140_matching_defaults"
down_revision = "0130_payment_terms_and_profile"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Organisations founded before keep what matching did until now: 0 %, no amount, two-way matching.
    op.add_column(
        "organisations", sa.Column("default_tolerance_rate", sa.Numeric(), server_default="0", nullable=False)
    )
    op.add_column("organisations", sa.Column("default_tolerance_amount", sa.Numeric(), nullable=True))
    op.add_column(
        "organisations", sa.Column("three_way_matching", sa.Boolean(), server_default="false", nullable=False)
    )


def downgrade() -> None:
    op.drop_column("organisations", "three_way_matching")
    op.drop_column("organisations", "default_tolerance_amount")
    op.drop_column("organisations", "default_tolerance_rate")
