"""``portal dlq list|replay`` on a real broker: a replay publishes each chosen dead letter to its
topic once, with its key and original headers, and a second replay publishes nothing."""

from __future__ import annotations

import asyncio
import uuid

from aiokafka import AIOKafkaProducer
from typer.testing import CliRunner

from portal_cli.dead_letters import REPLAY_OF, read_dead_letter_topics
from portal_cli.main import app
from portal_dev.testing import on_cluster
from shared.kafka import PLAINTEXT
from tests.chaos.conftest import read_all

TOPIC = "orders.purchase-order.v1"
DLQ = TOPIC + ".dlq"


def portal(broker: str, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, [*args, "--bootstrap-servers", broker], env={"COLUMNS": "250"})
    assert result.exit_code == code, result.output
    return result.stdout


async def dead_letter(broker: str, key: bytes, number: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=broker, acks="all")
    await producer.start()
    try:
        headers = [
            ("traceparent", f"00-{number:032x}-{number:016x}-01".encode()),
            ("dlq.error", f"handler failed on message {number}".encode()),
            ("dlq.error_type", b"ValueError"),
            ("dlq.topic", TOPIC.encode()),
            ("dlq.consumer", b"invoicing.purchase-orders"),
            ("dlq.attempts", b"5"),
        ]
        await producer.send_and_wait(on_cluster(DLQ), value=f"message {number}".encode(), key=key, headers=headers)
    finally:
        await producer.stop()


def mine(records: list, key: bytes) -> list:  # type: ignore[type-arg]
    return [r for r in records if r.key == key]


async def record_count(broker: str, topic: str) -> int:
    return len(await read_all(broker, topic))


def test_replayed_dead_letters_are_published_once_with_key_and_original_headers(broker: str) -> None:
    key = f"po-{uuid.uuid4()}".encode()
    for number in range(3):
        asyncio.run(dead_letter(broker, key, number))
    read = asyncio.run(read_dead_letter_topics(broker, [on_cluster(DLQ)], security=PLAINTEXT))
    offsets = [d.offset for d in read[on_cluster(DLQ)].dead_letters if d.key == key]
    assert len(offsets) == 3

    listed = portal(broker, "dlq", "list", "--topic", TOPIC)
    assert "handler failed on message 2" in listed and "ValueError" in listed

    dry = portal(broker, "dlq", "replay", "--topic", TOPIC, "--offset", str(offsets[1]), "--dry-run")
    assert "Dry run: 1 message(s) would be published" in dry
    assert mine(asyncio.run(read_all(broker, TOPIC)), key) == []

    first = portal(broker, "dlq", "replay", "--topic", TOPIC, "--offset", str(offsets[1]), "--yes")
    assert "Replayed 1 message(s)" in first
    [replayed] = mine(asyncio.run(read_all(broker, TOPIC)), key)
    assert replayed.value == b"message 1"
    assert list(replayed.headers) == [
        ("traceparent", f"00-{1:032x}-{1:016x}-01".encode()),
        ("dlq.replayed_from", f"{on_cluster(DLQ)}:0:{offsets[1]}".encode()),
    ]

    rest = portal(broker, "dlq", "replay", "--topic", DLQ, "--all", "--yes")
    assert f"offset {offsets[1]}: already replayed" in rest
    assert "Replayed 2 message(s)" in rest
    assert [r.value for r in mine(asyncio.run(read_all(broker, TOPIC)), key)] == [
        b"message 1",
        b"message 0",
        b"message 2",
    ]
    records = mine(asyncio.run(read_all(broker, DLQ)), key)
    assert sorted(dict(r.headers)[REPLAY_OF].decode() for r in records if REPLAY_OF in dict(r.headers)) == sorted(
        f"0:{offset}" for offset in offsets
    )

    dlq_end = asyncio.run(record_count(broker, DLQ))
    again = portal(broker, "dlq", "replay", "--topic", TOPIC, "--offset", str(offsets[0]), "--all", "--yes")
    assert "Nothing to replay." in again
    assert len(mine(asyncio.run(read_all(broker, TOPIC)), key)) == 3
    assert asyncio.run(record_count(broker, DLQ)) == dlq_end

    listed = portal(broker, "dlq", "list", "--topic", TOPIC, "--limit", "1000")
    rows = [line.split("│") for line in listed.splitlines() if key.decode() in line]
    assert len(rows) == 3
    assert all(row[-2].strip() != "no" for row in rows), listed


def test_a_replay_of_an_offset_that_holds_no_dead_letter_publishes_nothing(broker: str) -> None:
    key = f"po-{uuid.uuid4()}".encode()
    asyncio.run(dead_letter(broker, key, 0))
    end = asyncio.run(record_count(broker, DLQ))

    portal(broker, "dlq", "replay", "--topic", TOPIC, "--offset", str(end + 5), "--all", "--yes", code=2)

    assert mine(asyncio.run(read_all(broker, TOPIC)), key) == []
    assert asyncio.run(record_count(broker, DLQ)) == end
