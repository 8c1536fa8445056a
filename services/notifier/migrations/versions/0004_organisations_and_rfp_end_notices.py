"""organisations and rfp end notices

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('organisations',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', name=op.f('pk_organisations'))
    )
    op.create_table('rfp_end_notices',
    sa.Column('rfp_id', sa.Uuid(), nullable=False),
    sa.Column('supplier_id', sa.Uuid(), nullable=False),
    sa.Column('told_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('rfp_id', 'supplier_id', name=op.f('pk_rfp_end_notices'))
    )


def downgrade() -> None:
    op.drop_table('rfp_end_notices')
    op.drop_table('organisations')
