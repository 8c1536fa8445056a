"""Alembic helpers every service's ``migrations/env.py`` uses: run migrations on an async engine."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def run_migrations(target_metadata: MetaData, database_url: str) -> None:
    if context.is_offline_mode():
        context.configure(url=database_url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    def _run(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()

    async def _main() -> None:
        engine = create_async_engine(database_url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(_run)
        await engine.dispose()

    asyncio.run(_main())
