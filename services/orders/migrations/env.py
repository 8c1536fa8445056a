"""Alembic environment of the orders service: its own database, URL from its settings."""

from alembic import context

import orders.sourcing.adapters.tables  # noqa: F401  (registers the RFP tables on ``metadata``)
from orders.adapters.tables import metadata
from orders.config import Settings
from shared.migrations import run_migrations

url = context.config.get_main_option("sqlalchemy.url") or Settings().database_url
run_migrations(metadata, url)
