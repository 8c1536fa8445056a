"""tax rates and amounts on invoice lines, tax and gross totals on invoices; invoices written before
taxes are untaxed: their tax is zero in the currency's scale and their gross total their net

Revision ID: 0010_taxes
Revises: 0009_due_dates_and_parties
Create Date: 2026-12-06 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_taxes"
down_revision = "0009_due_dates_and_parties"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for column in ("tax_rate", "tax_amount"):
        op.add_column("invoice_lines", sa.Column(column, sa.Numeric(), nullable=False, server_default="0"))
    for column in ("tax_total", "gross_total"):
        op.add_column("invoices", sa.Column(column, sa.Numeric(), nullable=False, server_default="0"))
    # "× 0" keeps the net's scale: a tax of "0.00", as an invoice taxed at 0 % has today.
    op.execute("UPDATE invoice_lines SET tax_amount = net_amount * 0")
    op.execute("UPDATE invoices SET tax_total = net_total * 0, gross_total = net_total")
    for table, columns in (("invoice_lines", ("tax_rate", "tax_amount")), ("invoices", ("tax_total", "gross_total"))):
        for column in columns:
            op.alter_column(table, column, server_default=None)


def downgrade() -> None:
    for column in ("tax_total", "gross_total"):
        op.drop_column("invoices", column)
    for column in ("tax_rate", "tax_amount"):
        op.drop_column("invoice_lines", column)
