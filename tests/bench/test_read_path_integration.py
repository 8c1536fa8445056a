"""The read path's bulk loads block by block into the databases the services migrated: every row
arrives as it was made (the lines through COPY's text format, the rest binary) and the numbers
the product gives out next start after the loaded orders."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from sqlalchemy import make_url

from bench.read_path import load
from bench.read_path_data import COLUMNS, Dataset, Tally, chunks
from invoicing import migrate as invoicing_migrate
from orders import migrate as orders_migrate
from portal_dev.testing import Servers
from shared.settings import plain_database_url
from tests.bench.unit.conftest import ADMIN, MEASURED, NOW, TENANT

pytestmark = pytest.mark.integration


def comparable(table: str, row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The row with its JSON read back as values (``jsonb`` keeps no key order or spacing)."""
    if table == "invoicing.purchase_orders":
        return (*row[:7], json.loads(row[7]), *row[8:])
    return row


async def test_the_bulk_loads_block_by_block_as_it_was_made(
    servers: Servers, service_env_factory: Callable[[str, str, str], dict[str, str]]
) -> None:
    urls = {
        service: await servers.migrated_database(
            service, main, lambda url, prefix=service.upper(): service_env_factory(prefix, url, "127.0.0.1:9")
        )
        for service, main in (("orders", orders_migrate.main), ("invoicing", invoicing_migrate.main))
    }
    sizes: dict[str, Any] = {"purchase_orders": 300, "invoices": 600, "suppliers": 12, "chunk_orders": 40}
    made = Dataset()
    for block in chunks(tenant_id=TENANT, initiator_id=ADMIN, measured=(MEASURED, "Measured"), now=NOW, **sizes):
        made.extend(block)
    tally = Tally(MEASURED, "pending")
    blocks = chunks(tenant_id=TENANT, initiator_id=ADMIN, measured=(MEASURED, "Measured"), now=NOW, **sizes)

    took = await load(urls, tally.counted(blocks), tenant_id=TENANT)

    assert set(took) == {"make_s", "copy_s", "vacuum_s", "foreign_keys_checked"}
    for table, columns in COLUMNS.items():
        service, name = table.split(".")
        connection = await asyncpg.connect(plain_database_url(urls[service]))
        try:
            loaded = await connection.fetch(f"SELECT {', '.join(columns)} FROM {name}")
            if service == "orders":
                assert await connection.fetchval(
                    "SELECT last_number FROM purchase_order_counters WHERE tenant_id = $1", TENANT
                ) == made.count("orders.purchase_orders")
        finally:
            await connection.close()
        assert sorted(comparable(table, tuple(row)) for row in loaded) == sorted(
            comparable(table, row) for row in made.rows[table]
        ), table
        assert tally.rows[table] == len(loaded)
    amounts = [row[8] for row in made.rows["orders.purchase_order_lines"]]
    assert all(isinstance(amount, Decimal) and amount.as_tuple().exponent == -2 for amount in amounts)


async def test_a_role_that_may_not_turn_the_reference_checks_off_loads_them_checked(
    servers: Servers, service_env_factory: Callable[[str, str, str], dict[str, str]]
) -> None:
    urls = {
        service: await servers.migrated_database(
            service, main, lambda url, prefix=service.upper(): service_env_factory(prefix, url, "127.0.0.1:9")
        )
        for service, main in (("orders", orders_migrate.main), ("invoicing", invoicing_migrate.main))
    }
    role, password = f"bench_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    admin = await asyncpg.connect(plain_database_url(servers.postgres_url))
    try:
        await admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        for url in urls.values():
            database = url.rpartition("/")[2]
            await admin.execute(f'GRANT ALL ON DATABASE "{database}" TO {role}')
            owner = await asyncpg.connect(plain_database_url(url))
            try:
                await owner.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}")
            finally:
                await owner.close()
    finally:
        await admin.close()
    as_role = {
        service: make_url(url).set(username=role, password=password).render_as_string(hide_password=False)
        for service, url in urls.items()
    }
    blocks = chunks(
        tenant_id=TENANT,
        initiator_id=ADMIN,
        measured=(MEASURED, "Measured"),
        now=NOW,
        purchase_orders=40,
        invoices=80,
        suppliers=4,
    )

    took = await load(as_role, blocks, tenant_id=TENANT)

    assert took["foreign_keys_checked"] is True
