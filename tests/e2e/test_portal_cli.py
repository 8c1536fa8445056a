"""The installed ``portal`` command against the whole running system: a demo tenant seeded through
the API with everything in the statuses it claims, ``status`` of every service, and a poison
message dead-lettered, listed, replayed once and not again."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from gateway.config import Settings as GatewaySettings
from gateway.entrypoints import operator
from portal_cli.dead_letters import REPLAY_OF, DeadLetter, read_dead_letter_topics
from portal_cli.endpoints import endpoints_of, write
from portal_cli.seed import BUYER_PASSWORD, organisation_name
from portal_dev.stack import SERVICES, Stack
from portal_dev.testing import poll_until
from shared.contracts.matching import VERDICTS_TOPIC
from shared.kafka import PLAINTEXT
from tests.e2e.conftest import bearer

DLQ = VERDICTS_TOPIC + ".dlq"  # read by one consumer group only (invoicing's)


@pytest.fixture
def endpoints_file(stack: Stack, tmp_path: Path) -> Path:
    path = tmp_path / "portal-endpoints.json"
    write(endpoints_of(stack), path)
    return path


async def portal(endpoints_file: Path, *args: str, code: int = 0) -> str:
    """Run the installed ``portal`` command; its standard output."""
    command = Path(sys.executable).with_name("portal")
    process = await asyncio.create_subprocess_exec(
        str(command),
        "--endpoints-file",
        str(endpoints_file),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "COLUMNS": "250"},
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=240)
    assert process.returncode == code, f"portal {' '.join(args)}: {process.returncode}\n{out.decode()}\n{err.decode()}"
    return out.decode()


async def test_demo_seed_leaves_each_invoice_and_order_in_the_status_it_claims_and_runs_once_per_tag(
    stack: Stack, api: httpx.AsyncClient, endpoints_file: Path
) -> None:
    tag = f"e2e{uuid.uuid4().hex[:6]}"

    seeded = await portal(endpoints_file, "seed", "--demo", "--tag", tag)

    admin_email = f"admin@{tag}.northwind.example"
    assert admin_email in seeded and f"sales@acme.{tag}.example" in seeded
    answer = await api.post("/auth/token", json={"email": admin_email, "password": BUYER_PASSWORD})
    admin = bearer(answer.json()["access_token"])
    invoices = (await api.get("/invoices", params={"limit": 100}, headers=admin)).json()["items"]
    suffix = "-" + tag.upper()
    assert {i["number"].removesuffix(suffix): i["status"] for i in invoices} == {
        "ACME-1": "paid",
        "ACME-2": "partly_paid",
        "ACME-3": "draft",
        "ACME-4": "canceled",
        "GLOBEX-1": "pending",
        "GLOBEX-2": "rejected",
        "INITECH-1": "approved",
    }
    expected_orders = Counter(
        {"partially_invoiced": 1, "fully_invoiced": 2, "sent": 2, "draft": 1, "acknowledged": 1, "canceled": 1}
        | {"closed": 1}
    )

    seen: Counter[str] = Counter()

    async def orders_settled() -> bool:
        found = (await api.get("/purchase-orders", params={"limit": 100}, headers=admin)).json()["items"]
        seen.clear()
        seen.update(po["status"] for po in found)
        return seen == expected_orders

    with contextlib.suppress(AssertionError):  # the comparison below shows what differs
        await poll_until(orders_settled, timeout_s=30, what="the purchase orders' statuses")
    assert seen == expected_orders

    again = await portal(endpoints_file, "seed", "--demo", "--tag", tag)

    assert "exists already" in again
    settings = GatewaySettings(database_url=stack.service_env("gateway")["GATEWAY_DATABASE_URL"])
    named = [o for o in await operator.list_organisations(settings) if o.name == organisation_name(tag)]
    assert len(named) == 1

    status = await portal(endpoints_file, "status")
    rows = {line.split("│")[1].strip(): line.split("│")[2].strip() for line in status.splitlines() if "│" in line}
    assert {service: rows.get(service) for service in SERVICES} == dict.fromkeys(SERVICES, "up")


async def dead_letters_of(stack: Stack, key: bytes) -> list[DeadLetter]:
    topic = (await read_dead_letter_topics(stack.bootstrap_servers, [DLQ], security=PLAINTEXT))[DLQ]
    return [d for d in topic.dead_letters if d.key == key]


async def test_a_poison_message_is_listed_replayed_to_its_topic_once_and_not_again(
    stack: Stack, endpoints_file: Path
) -> None:
    key = f"poison-{uuid.uuid4().hex[:12]}".encode()
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(VERDICTS_TOPIC, value=b"not json", key=key, headers=[("origin", b"e2e")])
    finally:
        await producer.stop()
    [dead] = await poll_until(lambda: dead_letters_of(stack, key), timeout_s=30, what="the poison on the .dlq topic")

    listed = await portal(endpoints_file, "dlq", "list", "--topic", VERDICTS_TOPIC, "--limit", "1000")
    [row] = [line for line in listed.splitlines() if key.decode() in line]
    assert (
        "invoicing" in row
        and "ValidationError: 1 validation error for Envelope" in row
        and row.split("│")[1].strip() == str(dead.offset)
    )

    replayed = await portal(
        endpoints_file, "dlq", "replay", "--topic", VERDICTS_TOPIC, "--offset", str(dead.offset), "-y"
    )
    assert "Replayed 1 message(s)" in replayed

    # Still poison: invoicing dead-letters the replayed copy, which shows where it came from.
    async def dead_again() -> list[DeadLetter] | None:
        letters = await dead_letters_of(stack, key)
        return letters if len(letters) >= 2 else None

    first, second = await poll_until(dead_again, timeout_s=30, what="the replayed poison dead-lettered again")
    assert first.offset == dead.offset
    assert second.header("dlq.replayed_from") == f"{DLQ}:0:{dead.offset}"
    assert [k for k, _ in second.headers if k in ("origin", "dlq.error", "dlq.consumer")] == [
        "origin",
        "dlq.error",
        "dlq.consumer",
    ]

    records_before = await read_dead_letter_topics(stack.bootstrap_servers, [DLQ], security=PLAINTEXT)
    twice = await portal(endpoints_file, "dlq", "replay", "--topic", VERDICTS_TOPIC, "--offset", str(dead.offset), "-y")

    assert "already replayed" in twice and "Nothing to replay." in twice
    records_after = await read_dead_letter_topics(stack.bootstrap_servers, [DLQ], security=PLAINTEXT)
    assert len(records_after[DLQ].dead_letters) == len(records_before[DLQ].dead_letters)
    assert records_after[DLQ].replayed == records_before[DLQ].replayed
    assert (0, dead.offset) in records_after[DLQ].replayed
    assert len(await dead_letters_of(stack, key)) == 2
    assert REPLAY_OF not in dict(second.headers)
