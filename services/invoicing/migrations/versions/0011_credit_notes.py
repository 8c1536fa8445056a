"""credit notes: an invoice's kind and the invoice a credit note credits, each credit note line's
invoice line, an invoice's approved credits and its balance due (stored for lists and the overdue
filter; for the invoices before it, the gross total less their payments)

Revision ID: 0011_credit_notes
Revises: 0010_taxes
Create Date: 2026-12-06 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_credit_notes"
down_revision = "0010_taxes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("invoices", sa.Column("kind", sa.String(20), nullable=False, server_default="invoice"))
    op.add_column("invoices", sa.Column("credited_invoice_id", sa.Uuid(), nullable=True))
    op.add_column("invoices", sa.Column("credited_total", sa.Numeric(), nullable=False, server_default="0"))
    op.add_column("invoices", sa.Column("balance_due", sa.Numeric(), nullable=False, server_default="0"))
    op.add_column("invoice_lines", sa.Column("credited_line_id", sa.Uuid(), nullable=True))
    op.execute(
        "UPDATE invoices SET balance_due = gross_total"
        " - COALESCE((SELECT sum(amount) FROM payments WHERE payments.invoice_id = invoices.id), 0)"
    )
    op.alter_column("invoices", "balance_due", server_default=None)
    op.create_index(
        "ix_invoices_credited_invoice",
        "invoices",
        ["credited_invoice_id"],
        postgresql_where=sa.text("credited_invoice_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_invoices_credited_invoice", table_name="invoices")
    op.drop_column("invoice_lines", "credited_line_id")
    for column in ("balance_due", "credited_total", "credited_invoice_id", "kind"):
        op.drop_column("invoices", column)
