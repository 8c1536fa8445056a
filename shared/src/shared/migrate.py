"""Run a service's Alembic migrations programmatically (the ``<service>-migrate`` commands)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config


def alembic_config(service_root: Path, database_url: str) -> Config:
    """The Alembic configuration of the service at ``service_root`` for ``database_url``."""
    config = Config(str(service_root / "alembic.ini"))
    config.set_main_option("script_location", str(service_root / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_head(service_root: Path, database_url: str) -> None:
    # "heads": independent branches of one service (e.g. a feature's own tables) all apply.
    command.upgrade(alembic_config(service_root, database_url), "heads")
