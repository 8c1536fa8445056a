"""Publishing test events to the real broker and reading topics (and their dead letters) back."""

from __future__ import annotations

import json
import uuid
from typing import Any
from uuid import UUID

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from shared.contracts import Envelope, EventPayload
from shared.testing import poll_until


class Publisher:
    def __init__(self, bootstrap_servers: str) -> None:
        self._producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, acks="all", enable_idempotence=False)

    async def __aenter__(self) -> Publisher:
        await self._producer.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._producer.stop()

    async def publish(self, payload: EventPayload, *, tenant_id: UUID, envelope: Envelope | None = None) -> Envelope:
        """Publish ``payload`` (or send ``envelope`` again, as a redelivery); returns the envelope."""
        envelope = envelope or Envelope.wrap(payload, tenant_id=tenant_id, producer="test")
        await self.raw(payload.topic, envelope.model_dump_json().encode(), key=payload.key())
        return envelope

    async def raw(self, topic: str, value: bytes, *, key: str | None = None) -> None:
        await self._producer.send_and_wait(topic, value=value, key=key.encode() if key else None)


async def read_topic(bootstrap_servers: str, topic: str, count: int, *, timeout_s: float = 30.0) -> list[Any]:
    """At least ``count`` records of ``topic`` from the beginning (the raw aiokafka records)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers,
        group_id=f"test-{uuid.uuid4()}",
        auto_offset_reset="earliest",
        fetch_max_wait_ms=20,
    )
    await consumer.start()
    records: list[Any] = []
    try:

        async def enough() -> bool:
            batch = await consumer.getmany(timeout_ms=200)
            for found in batch.values():
                records.extend(found)
            return len(records) >= count

        await poll_until(enough, timeout_s=timeout_s, what=f"{count} records on {topic}")
    finally:
        await consumer.stop()
    return records


async def read_events(bootstrap_servers: str, topic: str, count: int) -> list[dict[str, Any]]:
    return [json.loads(r.value) for r in await read_topic(bootstrap_servers, topic, count)]
