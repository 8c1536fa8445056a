"""The plans PostgreSQL makes for the statements a piece of code sends: for tests that an index
serves a query whatever its parameters."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import make_engine


async def generic_plans(
    database_url: str, run: Callable[[AsyncSession], Awaitable[Any]], *, analyze: Sequence[str] = ()
) -> list[str]:
    """The plans PostgreSQL keeps for each statement ``run(session)`` sends, once it plans them
    for any parameter values: what a prepared statement may get after its first five executions
    (shown with ``plan_cache_mode = force_generic_plan``). Sequential scans are priced out, so an
    index the planner may use shows; a partial index whose predicate it cannot prove from the
    statement leaves a ``Seq Scan`` or another index. ``analyze`` names tables to ANALYZE first.
    The session is rolled back."""
    engine = make_engine(database_url, pool_size=1)
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    try:
        async with engine.connect() as conn:
            for table in analyze:
                await conn.exec_driver_sql(f'ANALYZE "{table}"')
            await conn.commit()
        event.listen(engine.sync_engine, "before_cursor_execute", record)
        async with AsyncSession(engine) as session:
            await run(session)
            await session.rollback()
        event.remove(engine.sync_engine, "before_cursor_execute", record)
        plans = []
        async with engine.connect() as conn:
            driver = (await conn.get_raw_connection()).driver_connection
            assert driver is not None
            await driver.execute("SET enable_seqscan = off; SET plan_cache_mode = force_generic_plan")
            for number, statement in enumerate(sent):
                await driver.execute(f"PREPARE planned_{number} AS {statement}")
                types = await driver.fetchval(
                    "SELECT parameter_types FROM pg_prepared_statements WHERE name = $1", f"planned_{number}"
                )
                # The values are not looked at: a generic plan is made for any.
                nulls = ", ".join(["NULL"] * len(types))
                rows = await driver.fetch(f"EXPLAIN EXECUTE planned_{number}{f'({nulls})' if types else ''}")
                plans.append("\n".join(row[0] for row in rows))
        return plans
    finally:
        await engine.dispose()
