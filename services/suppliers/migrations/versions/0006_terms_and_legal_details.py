"""a supplier's payment terms, and its legal name, address and tax ID on the buyer's record

Revision ID: 0006_terms_and_legal_details
Revises: 0005_relay_state
Create Date: 2027-01-10 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_terms_and_legal_details"
down_revision = "0005_relay_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("suppliers", sa.Column("payment_terms_days", sa.Integer(), nullable=True))
    op.add_column("suppliers", sa.Column("legal_name", sa.String(300), nullable=True))
    op.add_column("suppliers", sa.Column("address", sa.Text(), nullable=True))
    op.add_column("suppliers", sa.Column("tax_id", sa.String(50), nullable=True))
    op.add_column("supplier_profiles", sa.Column("legal_name", sa.String(300), nullable=True))
    op.add_column("supplier_profiles", sa.Column("tax_id", sa.String(50), nullable=True))
    # The address was the profile's alone; the buyer's record now holds it too, as the supplier gave it.
    op.execute(
        "UPDATE suppliers SET address = supplier_profiles.address FROM supplier_profiles"
        " WHERE supplier_profiles.supplier_id = suppliers.id"
    )


def downgrade() -> None:
    op.drop_column("supplier_profiles", "tax_id")
    op.drop_column("supplier_profiles", "legal_name")
    op.drop_column("suppliers", "tax_id")
    op.drop_column("suppliers", "address")
    op.drop_column("suppliers", "legal_name")
    op.drop_column("suppliers", "payment_terms_days")
