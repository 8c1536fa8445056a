"""Remember which revision of an order the supplier acknowledged and which the buyer's latest change made.

Orders acknowledged before are taken as acknowledged as they stand: no change of theirs waits.

Revision ID: 0110_acknowledged_revision
Revises: 0102
"""

import sqlalchemy as sa
from alembic import op

revision = "0110_acknowledged_revision"
down_revision = "0102"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("purchase_orders", sa.Column("acknowledged_revision", sa.Integer(), nullable=True))
    op.add_column("purchase_orders", sa.Column("changed_revision", sa.Integer(), nullable=True))
    op.execute("UPDATE purchase_orders SET acknowledged_revision = revision WHERE acknowledged_at IS NOT NULL")


def downgrade() -> None:
    op.drop_column("purchase_orders", "changed_revision")
    op.drop_column("purchase_orders", "acknowledged_revision")
