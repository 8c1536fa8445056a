"""the invoices of a supplier in one status, newest first: a supplier's list filtered by status
reads its page from the first entries, whatever the share of that status among its invoices

Built concurrently, so that a large invoices table keeps taking the service's writes meanwhile.

Revision ID: 0013_supplier_status_index
Revises: 0012_outbox_inbox_pruning
Create Date: 2027-01-26 09:00:00
"""

from alembic import op

revision = "0013_supplier_status_index"
down_revision = "0012_outbox_inbox_pruning"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.get_context().autocommit_block():
        # An interrupted concurrent build leaves an invalid index behind: built again.
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_invoices_supplier_status_created")
        op.execute(
            "CREATE INDEX CONCURRENTLY ix_invoices_supplier_status_created"
            " ON invoices (supplier_id, status, created_at, id)"
        )


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_invoices_supplier_status_created")
