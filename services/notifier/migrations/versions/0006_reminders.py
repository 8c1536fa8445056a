"""reminders: the invoices they are about, each organisation's reminder days, the reminders sent

Revision ID: 0006_reminders
Revises: 0005_relay_state
Create Date: 2026-12-10 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_reminders"
down_revision = "0005_relay_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminder_invoices",
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=False),
        sa.Column("purchase_order_number", sa.String(length=100), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("gross_total", sa.Numeric(), nullable=False),
        sa.Column("balance_due", sa.Numeric(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("submission", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("approver_id", sa.Uuid(), nullable=True),
        sa.Column("pending_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_reminded_on", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("overdue_noticed_for", sa.Date(), nullable=True),
        sa.Column("kind", sa.String(length=20), server_default="invoice", nullable=False),
        sa.PrimaryKeyConstraint("invoice_id", name=op.f("pk_reminder_invoices")),
    )
    op.create_index("ix_reminder_invoices_status", "reminder_invoices", ["status", "tenant_id"])
    op.create_table(
        "reminder_policies",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("approval_reminder_days", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_reminder_policies")),
    )
    op.create_table(
        "reminders_sent",
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reminder_day", sa.Date(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("invoice_id", "kind", "reminder_day", name=op.f("pk_reminders_sent")),
    )
    op.create_index("ix_users_tenant_role", "users", ["tenant_id", "role"])


def downgrade() -> None:
    op.drop_index("ix_users_tenant_role", table_name="users")
    op.drop_table("reminders_sent")
    op.drop_table("reminder_policies")
    op.drop_index("ix_reminder_invoices_status", table_name="reminder_invoices")
    op.drop_table("reminder_invoices")
