"""credit notes: the kind of each invoice orders keeps (the ones before it are invoices), so that
an approved credit note gives its quantities back to the order

Revision ID: 0131_credit_notes
Revises: 0130_parties_on_orders
Create Date: 2026-12-06 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0131_credit_notes"
down_revision = "0130_parties_on_orders"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("invoices", sa.Column("kind", sa.String(20), nullable=False, server_default="invoice"))


def downgrade() -> None:
    op.drop_column("invoices", "kind")
