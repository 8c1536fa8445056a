"""an organisation's default payment terms, approval reminder days, and its details on documents

Revision ID: 0130_payment_terms_and_profile
Revises: 0120_relay_state
Create Date: 2027-01-10 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0130_payment_terms_and_profile"
down_revision = "0120_relay_state"
branch_labels = None
depends_on = None

PROFILE = (
    ("legal_name", sa.String(300)),
    ("address", sa.Text()),
    ("tax_id", sa.String(50)),
    ("contact_name", sa.String(300)),
    ("contact_email", sa.String(320)),
    ("contact_phone", sa.String(50)),
)


def upgrade() -> None:
    op.add_column(
        "organisations", sa.Column("default_payment_terms_days", sa.Integer(), server_default="30", nullable=False)
    )
    op.add_column("organisations", sa.Column("approval_reminder_days", sa.Integer(), server_default="2", nullable=False))
    for name, type_ in PROFILE:
        op.add_column("organisations", sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    for name, _ in reversed(PROFILE):
        op.drop_column("organisations", name)
    op.drop_column("organisations", "approval_reminder_days")
    op.drop_column("organisations", "default_payment_terms_days")
