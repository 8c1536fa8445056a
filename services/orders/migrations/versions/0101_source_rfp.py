"""Join the collaboration and RFP branches; remember which RFP an awarded order came from.

Revision ID: 0101_source_rfp
Revises: 0002_po_collaboration, 0100_rfps
"""

import sqlalchemy as sa
from alembic import op

revision = "0101_source_rfp"
down_revision = ("0002_po_collaboration", "0100_rfps")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("purchase_orders", sa.Column("source_rfp_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    op.drop_column("purchase_orders", "source_rfp_id")
