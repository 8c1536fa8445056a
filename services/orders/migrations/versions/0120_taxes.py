"""tax rates and amounts on order lines, tax and gross totals on orders; orders written before
taxes are untaxed: their tax is zero in the currency's scale and their gross total their net

Revision ID: 0120_taxes
Revises: 0112_relay_state
Create Date: 2026-12-06 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0120_taxes"
down_revision = "0112_relay_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for column in ("tax_rate", "tax_amount"):
        op.add_column("purchase_order_lines", sa.Column(column, sa.Numeric(), nullable=False, server_default="0"))
    for column in ("tax_total", "gross_total"):
        op.add_column("purchase_orders", sa.Column(column, sa.Numeric(), nullable=False, server_default="0"))
    # "× 0" keeps the net's scale: a tax of "0.00", as an order taxed at 0 % has today.
    op.execute("UPDATE purchase_order_lines SET tax_amount = net_amount * 0")
    op.execute("UPDATE purchase_orders SET tax_total = net_total * 0, gross_total = net_total")
    for table, columns in (
        ("purchase_order_lines", ("tax_rate", "tax_amount")),
        ("purchase_orders", ("tax_total", "gross_total")),
    ):
        for column in columns:
            op.alter_column(table, column, server_default=None)


def downgrade() -> None:
    for column in ("tax_total", "gross_total"):
        op.drop_column("purchase_orders", column)
    for column in ("tax_rate", "tax_amount"):
        op.drop_column("purchase_order_lines", column)
