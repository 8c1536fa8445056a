"""``portal outbox republish`` on a real database and broker: the rows sent since the time become
unsent, and the service's relay, woken at once, publishes them again after what it had sent."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from typer.testing import CliRunner

from portal_cli.endpoints import Endpoints, write
from portal_cli.main import app
from portal_dev.testing import Servers, poll_until, read_topic
from shared.settings import plain_database_url
from tests.shared.integration.test_outbox_relay import (
    TOPIC,
    Relays,
    outbox_database,
    revision_event,
    revisions_of,
    write_events,
)


def portal(*args: str, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "250", **(env or {})})
    assert result.exit_code == 0, result.output
    return result.stdout


async def execute(url: str, statement: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(plain_database_url(url))
    try:
        return list(await connection.fetch(statement))
    finally:
        await connection.close()


async def test_the_rows_sent_since_the_time_are_published_again_at_once_in_their_order(
    servers: Servers, broker: str, tmp_path: Path
) -> None:
    url = await outbox_database(servers)
    supplier_id = uuid.uuid4()
    relays = await Relays.start(url, broker, 1)  # no poll within the test: only a NOTIFY wakes it
    try:
        await write_events(url, [revision_event(supplier_id, r) for r in (1, 2, 3)])
        await poll_until(lambda: relays.relays[0].published == 3, what="the three events published")
        await execute(url, "UPDATE outbox SET sent_at = now() - interval '3 hours' WHERE id = 1")
        endpoints = tmp_path / "portal-endpoints.json"
        write(Endpoints(database_urls={"suppliers": url}), endpoints)
        an_hour_ago = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")  # no zone: UTC

        said = await asyncio.to_thread(
            portal,
            "--endpoints-file",
            str(endpoints),
            "outbox",
            "republish",
            "--service",
            "suppliers",
            "--since",
            an_hour_ago,
        )
        records = await read_topic(broker, TOPIC, 5, timeout_s=10)
        # Counted once the broker acknowledged them and they are marked sent again.
        await poll_until(lambda: relays.relays[0].published == 5, what="the two marked sent again")
    finally:
        await relays.stop()

    assert f"2 event(s) suppliers sent since {an_hour_ago}Z marked unsent" in said
    assert revisions_of(records) == [1, 2, 3, 2, 3], "the two sent within the hour again, in their order"


def test_a_span_and_the_services_database_variable_are_taken_and_nothing_sent_since_is_said(servers: Servers) -> None:
    url = asyncio.run(outbox_database(servers))
    asyncio.run(write_events(url, [revision_event(uuid.uuid4(), 1)], notify=False))
    asyncio.run(execute(url, "UPDATE outbox SET sent_at = now() - interval '30 minutes'"))
    env = {"ORDERS_DATABASE_URL": url}

    assert "orders sent nothing since" in portal(
        "outbox", "republish", "--service", "orders", "--since", "10m", env=env
    )
    assert "1 event(s) orders sent since" in portal(
        "outbox", "republish", "--service", "orders", "--since", "1h", env=env
    )
    [row] = asyncio.run(execute(url, "SELECT sent_at FROM outbox"))
    assert row["sent_at"] is None
