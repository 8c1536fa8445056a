"""organisations: the buyer organisations' supplier portal switch (read model)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 07:30:00.000000
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
    sa.Column('supplier_portal_enabled', sa.Boolean(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', name=op.f('pk_organisations'))
    )


def downgrade() -> None:
    op.drop_table('organisations')
