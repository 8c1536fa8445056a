"""tolerance amounts and the organisations' defaults, three-way matching, the invoices' numbers,
issue dates and gross totals for possible duplicates, and re-matches on goods receipts

Revision ID: 0005_tolerances_receipts
Revises: 0004_credit_notes
Create Date: 2026-12-06 23:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_tolerances_receipts"
down_revision = "0004_credit_notes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A supplier stored before had a rate of its own: it keeps it.
    op.alter_column("supplier_tolerances", "tolerance_rate", existing_type=sa.Numeric(), nullable=True)
    op.add_column("supplier_tolerances", sa.Column("tolerance_amount", sa.Numeric(), nullable=True))
    op.create_table(
        "organisation_tolerances",
        sa.Column("tenant_id", sa.Uuid(), primary_key=True),
        sa.Column("tolerance_rate", sa.Numeric(), nullable=True),
        sa.Column("tolerance_amount", sa.Numeric(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
    )
    op.add_column(
        "purchase_orders", sa.Column("match_against_receipts", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column("invoices", sa.Column("supplier_id", sa.Uuid(), nullable=True))
    op.add_column("invoices", sa.Column("number", sa.Text(), nullable=False, server_default=""))
    op.add_column("invoices", sa.Column("number_key", sa.Text(), nullable=False, server_default=""))
    op.add_column("invoices", sa.Column("issue_date", sa.Date(), nullable=True))
    op.add_column("invoices", sa.Column("gross_total", sa.Numeric(), nullable=True))
    # The supplier of an invoice stored before is its order's; its number is learnt from its next event.
    op.execute(
        "UPDATE invoices SET supplier_id = purchase_orders.supplier_id "
        "FROM purchase_orders WHERE purchase_orders.id = invoices.purchase_order_id"
    )
    op.create_index("ix_invoices_supplier_number_key", "invoices", ["supplier_id", "number_key"])
    op.add_column("verdicts", sa.Column("round", sa.SmallInteger(), nullable=False, server_default="0"))
    op.add_column("verdicts", sa.Column("tolerance_rate", sa.Numeric(), nullable=True))
    op.add_column("verdicts", sa.Column("tolerance_amount", sa.Numeric(), nullable=True))
    op.execute("UPDATE verdicts SET tolerance_rate = (document->>'tolerance_rate')::numeric")
    op.drop_constraint("uq_verdicts_invoice_submission", "verdicts", type_="unique")
    op.create_unique_constraint(
        "uq_verdicts_invoice_submission_round", "verdicts", ["invoice_id", "submission", "round"]
    )
    op.create_index("ix_verdicts_purchase_order", "verdicts", ["purchase_order_id"])


def downgrade() -> None:
    op.drop_index("ix_verdicts_purchase_order", table_name="verdicts")
    op.drop_constraint("uq_verdicts_invoice_submission_round", "verdicts", type_="unique")
    op.execute("DELETE FROM verdicts WHERE round > 0")
    op.create_unique_constraint("uq_verdicts_invoice_submission", "verdicts", ["invoice_id", "submission"])
    for column in ("tolerance_amount", "tolerance_rate", "round"):
        op.drop_column("verdicts", column)
    op.drop_index("ix_invoices_supplier_number_key", table_name="invoices")
    for column in ("gross_total", "issue_date", "number_key", "number", "supplier_id"):
        op.drop_column("invoices", column)
    op.drop_column("purchase_orders", "match_against_receipts")
    op.drop_table("organisation_tolerances")
    op.drop_column("supplier_tolerances", "tolerance_amount")
    op.execute("UPDATE supplier_tolerances SET tolerance_rate = 0 WHERE tolerance_rate IS NULL")
    op.alter_column("supplier_tolerances", "tolerance_rate", existing_type=sa.Numeric(), nullable=False)
