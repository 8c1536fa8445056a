"""Alembic environment of the web portal: its own database (sessions), URL from its settings."""

from alembic import context

from shared.migrations import run_migrations
from web.adapters.tables import metadata
from web.config import Settings

url = context.config.get_main_option("sqlalchemy.url") or Settings().database_url
run_migrations(metadata, url)
