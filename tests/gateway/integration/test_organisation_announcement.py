"""Every start announces each buyer organisation's settings again, name and revision as they
stand: a read model that lacks an organisation (the embedded broker keeps no event over a
restart; a read model added later starts empty) learns its name, one that has it keeps it."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text

from gateway import migrate as gateway_migrate
from portal_dev.testing import migrate
from shared.db import make_engine
from tests.gateway.integration.conftest import GatewayDatabase


async def announced(database_url: str) -> list[dict[str, Any]]:
    """The organisation events in the outbox, oldest first."""
    engine = make_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT value FROM outbox WHERE event_type = 'OrganisationSettingsChanged' ORDER BY id")
            )
            return [json.loads(row.value)["data"] for row in rows]
    finally:
        await engine.dispose()


async def test_each_start_announces_the_first_organisation_again_with_its_name_and_same_revision(
    gateway_database: GatewayDatabase,
) -> None:
    at_first_start = await announced(gateway_database.url)
    [first] = at_first_start
    assert first["name"] == "Buyer organisation" and first["revision"] == 1

    await migrate(gateway_migrate.main, gateway_database.env)  # the next start

    again = (await announced(gateway_database.url))[len(at_first_start) :]
    assert [(e["tenant_id"], e["name"], e["revision"]) for e in again] == [(first["tenant_id"], first["name"], 1)]
    assert again[0]["updated_at"] == first["updated_at"]
