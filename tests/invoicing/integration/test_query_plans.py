"""Whether a supplier's invoice number is taken is answered from the unique index of the numbers
that still count, in every plan, also the generic plan PostgreSQL keeps for a prepared statement:
through any other index the check reads every invoice of the supplier, on every invoice created."""

from __future__ import annotations

from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from invoicing import migrate as invoicing_migrate
from invoicing.adapters.repository import InvoiceRepository
from portal_dev.query_plans import generic_plans
from portal_dev.testing import Servers


async def test_a_taken_invoice_number_is_looked_up_in_the_index_of_numbers_in_any_plan(
    servers: Servers, service_env_factory
) -> None:  # type: ignore[no-untyped-def]
    url = await servers.migrated_database(
        "invoicing", invoicing_migrate.main, lambda url: service_env_factory("INVOICING", url, "127.0.0.1:9")
    )

    async def look_up(session: AsyncSession) -> None:
        invoices = InvoiceRepository(session)
        await invoices.number_taken(uuid4(), "INV-1")
        await invoices.number_taken(uuid4(), "INV-1", other_than=uuid4())

    plans = await generic_plans(url, look_up)
    assert len(plans) == 2
    for plan in plans:
        assert "uq_invoices_supplier_number" in plan, plan
