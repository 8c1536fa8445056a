"""withheld links: the outbox keeps no single-use token of an event it has sent

Revision ID: 0160_withheld_links
Revises: 0150_outbox_inbox_pruning
Create Date: 2026-12-07 02:00:00
"""

import sqlalchemy as sa
from alembic import op

from shared.sealed_links import withhold_tokens

revision = "0160_withheld_links"
down_revision = "0150_outbox_inbox_pruning"
branch_labels = None
depends_on = None

# Events that carried a link with its token whole before links were sealed.
_LINK_EVENTS = ("SupplierInvitationIssued", "PasswordResetRequested", "LoginEmailChangeRequested")


def upgrade() -> None:
    # Sent rows only: an unsent one is published as it was written, its email still to be made.
    bind = op.get_bind()
    outbox = sa.table(
        "outbox",
        sa.column("id", sa.BigInteger()),
        sa.column("event_type", sa.String()),
        sa.column("value", sa.LargeBinary()),
        sa.column("sent_at", sa.DateTime(timezone=True)),
    )
    rows = bind.execute(
        sa.select(outbox.c.id, outbox.c.value).where(outbox.c.event_type.in_(_LINK_EVENTS), outbox.c.sent_at.is_not(None))
    ).all()
    for row_id, value in rows:
        withheld = withhold_tokens(bytes(value).decode()).encode()
        if withheld != bytes(value):
            bind.execute(sa.update(outbox).where(outbox.c.id == row_id).values(value=withheld))


def downgrade() -> None:
    """The tokens withheld are not kept anywhere to put back."""
