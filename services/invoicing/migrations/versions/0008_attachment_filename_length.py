"""an attachment's name holds what every service's files hold: 200 characters, the most a cleaned
upload name has (shared.uploads.safe_filename), so no stored name is cut

Revision ID: 0008_attachment_filename
Revises: 0007_relay_state
Create Date: 2026-12-06 16:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_attachment_filename"
down_revision = "0007_relay_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column(
        "invoice_attachments", "filename", type_=sa.String(200), existing_type=sa.String(300), existing_nullable=False
    )


def downgrade() -> None:
    op.alter_column(
        "invoice_attachments", "filename", type_=sa.String(300), existing_type=sa.String(200), existing_nullable=False
    )
