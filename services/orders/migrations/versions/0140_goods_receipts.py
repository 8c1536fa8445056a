"""goods receipts: the receipts of orders, the quantity received per line, whether an order matches
its invoices against receipts, and the organisations' three-way matching default

Orders written before it match against nothing and have received nothing; organisations kept
before it learn their default with their next event (until then: off).

Revision ID: 0140_goods_receipts
Revises: 0131_credit_notes
Create Date: 2026-12-06 23:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0140_goods_receipts"
down_revision = "0131_credit_notes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "purchase_orders",
        sa.Column("match_against_receipts", sa.Boolean(), nullable=False, server_default=sa.text("false")),
    )
    op.add_column(
        "purchase_order_lines",
        sa.Column("received_quantity", sa.Numeric(), nullable=False, server_default=sa.text("0")),
    )
    op.add_column(
        "organisations",
        sa.Column("three_way_matching", sa.Boolean(), nullable=False, server_default=sa.text("false")),
    )
    op.create_table(
        "goods_receipts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("purchase_order_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("lines", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reversed_by", sa.Uuid(), nullable=True),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["purchase_order_id"],
            ["purchase_orders.id"],
            name=op.f("fk_goods_receipts_purchase_order_id_purchase_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goods_receipts")),
        sa.UniqueConstraint("purchase_order_id", "number", name="uq_goods_receipts_purchase_order_number"),
    )


def downgrade() -> None:
    op.drop_table("goods_receipts")
    op.drop_column("organisations", "three_way_matching")
    op.drop_column("purchase_order_lines", "received_quantity")
    op.drop_column("purchase_orders", "match_against_receipts")
