"""The buyer's documents on its RFPs (stored by id, like the proposals' files).

Revision ID: 0111_rfp_attachments
Revises: 0110_acknowledged_revision
"""

import sqlalchemy as sa
from alembic import op

revision = "0111_rfp_attachments"
down_revision = "0110_acknowledged_revision"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rfp_attachments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("rfp_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["rfp_id"], ["rfps.id"], name=op.f("fk_rfp_attachments_rfp_id_rfps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rfp_attachments")),
    )
    op.create_index(op.f("ix_rfp_attachments_rfp_id"), "rfp_attachments", ["rfp_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_rfp_attachments_rfp_id"), table_name="rfp_attachments")
    op.drop_table("rfp_attachments")
