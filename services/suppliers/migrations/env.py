"""Alembic environment of the suppliers service: its own database, URL from its settings."""

from alembic import context

from shared.migrations import run_migrations
from suppliers.adapters.tables import metadata
from suppliers.config import Settings

url = context.config.get_main_option("sqlalchemy.url") or Settings().database_url
run_migrations(metadata, url)
