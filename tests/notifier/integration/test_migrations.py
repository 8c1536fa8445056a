"""The notifier's migrations on a real database: they make exactly the tables the code declares,
and they can be undone to the previous revision and applied again."""

from __future__ import annotations

import asyncio

from alembic import command

from notifier.migrate import SERVICE_ROOT
from portal_dev.testing import Servers
from shared.migrate import alembic_config


async def test_the_migrations_match_the_tables_and_the_latest_can_be_undone(servers: Servers) -> None:
    config = alembic_config(SERVICE_ROOT, await servers.create_database("notifier"))

    await asyncio.to_thread(command.upgrade, config, "heads")
    # The tables as the code declares them: nothing left for autogenerate to add.
    await asyncio.to_thread(command.check, config)
    await asyncio.to_thread(command.downgrade, config, "-1")
    await asyncio.to_thread(command.upgrade, config, "heads")
    await asyncio.to_thread(command.check, config)
