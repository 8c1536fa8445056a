"""sealed links: pending emails keep their single-use links sealed; sent ones keep none

Revision ID: 0008_sealed_links
Revises: 0007_outbox_inbox_pruning
Create Date: 2026-12-07 02:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from shared.sealed_links import withhold_in_message

revision = "0008_sealed_links"
down_revision = "0007_outbox_inbox_pruning"
branch_labels = None
depends_on = None

# The emails that carried a single-use link in their text before links were sealed.
_LINK_TEMPLATES = ("invitation", "password_reset", "login_email_confirm")


def upgrade() -> None:
    op.add_column("emails", sa.Column("sealed_links", JSONB(), nullable=True))
    # Sent and failed emails stored their links whole: the tokens are withheld from them now.
    # (A pending one is sent as it was queued.)
    bind = op.get_bind()
    emails = sa.table(
        "emails",
        sa.column("id", sa.Uuid()),
        sa.column("message", sa.LargeBinary()),
        sa.column("status", sa.String()),
        sa.column("template", sa.String()),
    )
    rows = bind.execute(
        sa.select(emails.c.id, emails.c.message).where(
            emails.c.status != "pending", emails.c.template.in_(_LINK_TEMPLATES), emails.c.message != b""
        )
    ).all()
    for email_id, message in rows:
        withheld = withhold_in_message(bytes(message))
        if withheld != bytes(message):
            bind.execute(sa.update(emails).where(emails.c.id == email_id).values(message=withheld))


def downgrade() -> None:
    op.drop_column("emails", "sealed_links")
