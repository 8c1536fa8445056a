"""an invoice's due date (indexed for the overdue ones), and the payment terms and legal details
of suppliers and buyer organisations in the read models

Revision ID: 0009_due_dates_and_parties
Revises: 0008_attachment_filename
Create Date: 2027-01-10 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_due_dates_and_parties"
down_revision = "0008_attachment_filename"
branch_labels = None
depends_on = None

LEGAL_DETAILS = (("legal_name", sa.String(300)), ("address", sa.Text()), ("tax_id", sa.String(50)))
AWAITING_PAYMENT = sa.text("status IN ('approved', 'partly_paid')")


def upgrade() -> None:
    op.add_column("invoices", sa.Column("due_date", sa.Date(), nullable=True))
    op.create_index(
        "ix_invoices_tenant_awaiting_payment",
        "invoices",
        ["tenant_id", "created_at", "id"],
        postgresql_where=AWAITING_PAYMENT,
    )
    op.create_index(
        "ix_invoices_supplier_awaiting_payment",
        "invoices",
        ["supplier_id", "created_at", "id"],
        postgresql_where=AWAITING_PAYMENT,
    )
    op.add_column("suppliers", sa.Column("payment_terms_days", sa.Integer(), nullable=True))
    op.add_column(
        "organisations", sa.Column("default_payment_terms_days", sa.Integer(), server_default="30", nullable=False)
    )
    for table in ("suppliers", "organisations"):
        for name, type_ in LEGAL_DETAILS:
            op.add_column(table, sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    for table in ("organisations", "suppliers"):
        for name, _ in reversed(LEGAL_DETAILS):
            op.drop_column(table, name)
    op.drop_column("organisations", "default_payment_terms_days")
    op.drop_column("suppliers", "payment_terms_days")
    op.drop_index("ix_invoices_supplier_awaiting_payment", table_name="invoices")
    op.drop_index("ix_invoices_tenant_awaiting_payment", table_name="invoices")
    op.drop_column("invoices", "due_date")
