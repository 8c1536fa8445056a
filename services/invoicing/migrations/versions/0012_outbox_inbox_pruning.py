"""indexes on the time of sent outbox rows and of inbox entries, which the pruning by retention reads

Built concurrently, so that a large outbox keeps taking the service's writes meanwhile.

Revision ID: 0012_outbox_inbox_pruning
Revises: 0011_credit_notes
Create Date: 2027-01-25 09:00:00
"""

from alembic import op

from shared.pruning import CREATE_INDEXES_SQL, DROP_INDEXES_SQL

revision = "0012_outbox_inbox_pruning"
down_revision = "0011_credit_notes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.get_context().autocommit_block():
        for statement in CREATE_INDEXES_SQL:
            op.execute(statement)


def downgrade() -> None:
    with op.get_context().autocommit_block():
        for statement in DROP_INDEXES_SQL:
            op.execute(statement)
