"""Numbers handed out per tenant (purchase orders, RFPs), each kind from a table of its own with one
row per tenant (``tenant_id``, ``last_number``)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import BigInteger, Column, MetaData, Table, Uuid
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


def counters_table(name: str, metadata: MetaData) -> Table:
    """A kind's counters: one row per tenant, incremented in the transaction that creates the
    document, so numbers have no gaps from rolled-back requests and two concurrent creations queue
    on the row lock."""
    return Table(
        name,
        metadata,
        Column("tenant_id", Uuid, primary_key=True),
        Column("last_number", BigInteger, nullable=False),
    )


async def next_number(session: AsyncSession, counters: Table, tenant_id: UUID) -> int:
    """The tenant's next number, counted in the caller's transaction (the first is 1): a rolled-back
    creation leaves no gap, and two concurrent ones queue on the tenant's row."""
    statement = insert(counters).values(tenant_id=tenant_id, last_number=1)
    counted = statement.on_conflict_do_update(
        index_elements=[counters.c.tenant_id], set_={"last_number": counters.c.last_number + 1}
    ).returning(counters.c.last_number)
    return int((await session.execute(counted)).scalar_one())
