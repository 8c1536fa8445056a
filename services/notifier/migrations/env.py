"""Alembic environment of the notifier service: its own database, URL from its settings."""

from alembic import context

from notifier.adapters.tables import metadata
from notifier.config import Settings
from shared.migrations import run_migrations

url = context.config.get_main_option("sqlalchemy.url") or Settings().database_url
run_migrations(metadata, url)
