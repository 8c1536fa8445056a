"""credit notes: an invoice's kind and the invoice a credit note credits (the invoices before it
are invoices)

Revision ID: 0004_credit_notes
Revises: 0003_relay_state
Create Date: 2026-12-06 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_credit_notes"
down_revision = "0003_relay_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("invoices", sa.Column("kind", sa.String(20), nullable=False, server_default="invoice"))
    op.add_column("invoices", sa.Column("credited_invoice_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    op.drop_column("invoices", "credited_invoice_id")
    op.drop_column("invoices", "kind")
