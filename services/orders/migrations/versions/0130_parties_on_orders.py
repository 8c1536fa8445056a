"""what a purchase order prints of its parties: the delivery address of orders, the organisations'
and suppliers' legal details and payment terms, and the users (initiators by name and email)

Organisations and suppliers already kept get their details with their next event; until then
an order prints "-" for them, as for any detail not known yet. Users come from the beginning of
their topic (a new consumer group).

Revision ID: 0130_parties_on_orders
Revises: 0120_taxes
Create Date: 2026-12-07 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0130_parties_on_orders"
down_revision = "0120_taxes"
branch_labels = None
depends_on = None

LEGAL_DETAILS = (
    ("legal_name", sa.String(300)),
    ("address", sa.Text()),
    ("tax_id", sa.String(50)),
)
CONTACT = (
    ("contact_name", sa.String(300)),
    ("contact_email", sa.String(320)),
    ("contact_phone", sa.String(50)),
)


def upgrade() -> None:
    op.add_column("purchase_orders", sa.Column("delivery_address", sa.String(500), nullable=True))
    op.add_column("suppliers", sa.Column("payment_terms_days", sa.Integer(), nullable=True))
    for name, type_ in LEGAL_DETAILS:
        op.add_column("suppliers", sa.Column(name, type_, nullable=True))
    op.add_column(
        "organisations",
        sa.Column("default_payment_terms_days", sa.Integer(), nullable=False, server_default=sa.text("30")),
    )
    for name, type_ in LEGAL_DETAILS + CONTACT:
        op.add_column("organisations", sa.Column(name, type_, nullable=True))
    op.create_table(
        "users",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_users")),
    )


def downgrade() -> None:
    op.drop_table("users")
    for name, _ in LEGAL_DETAILS + CONTACT:
        op.drop_column("organisations", name)
    op.drop_column("organisations", "default_payment_terms_days")
    for name, _ in LEGAL_DETAILS:
        op.drop_column("suppliers", name)
    op.drop_column("suppliers", "payment_terms_days")
    op.drop_column("purchase_orders", "delivery_address")
