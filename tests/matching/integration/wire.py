"""The test's side of the broker: publish events as other services do, read what matching published."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from uuid import UUID

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from portal_dev.testing import on_cluster, poll_until
from shared.contracts import Envelope, EventPayload
from shared.contracts.matching import VERDICTS_TOPIC


class Wire:
    def __init__(self, bootstrap_servers: str) -> None:
        self._bootstrap = bootstrap_servers
        self._producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, acks="all", enable_idempotence=False)

    async def start(self) -> None:
        await self._producer.start()

    async def stop(self) -> None:
        await self._producer.stop()

    async def publish(self, payload: EventPayload, *, envelope: Envelope | None = None) -> Envelope:
        """Publish ``payload`` in a new envelope, or in ``envelope`` again (a redelivery)."""
        tenant_id: UUID = payload.tenant_id  # type: ignore[attr-defined]
        envelope = envelope or Envelope.wrap(payload, tenant_id=tenant_id, producer="test")
        await self._producer.send_and_wait(
            on_cluster(payload.topic),
            value=envelope.model_dump_json().encode(),
            key=payload.key().encode(),
            headers=[(k, v.encode()) for k, v in envelope.headers().items()],
        )
        return envelope

    async def publish_raw(self, topic: str, value: bytes) -> None:
        await self._producer.send_and_wait(on_cluster(topic), value=value, key=b"poison")

    async def verdicts_until(self, invoice_id: UUID, submission: int = 1, timeout_s: float = 30.0) -> list[dict]:
        """Every verdict on the topic up to the one for ``invoice_id``/``submission``.

        Verdicts are keyed by PO, so any other verdict of the same PO published before it is
        already on its partition when it appears: counting them needs no waiting and hoping.
        """

        def arrived(records: list[Any]) -> bool:
            return any(_is_verdict_on(json.loads(r.value), invoice_id, submission) for r in records)

        return [json.loads(r.value) for r in await self.read(VERDICTS_TOPIC, arrived, timeout_s)]

    async def read(self, topic: str, done: Callable[[list[Any]], bool], timeout_s: float = 30.0) -> list[Any]:
        """Records of ``topic`` from the beginning, until ``done(records so far)`` holds."""
        topic = on_cluster(topic)
        consumer = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, enable_auto_commit=False, fetch_max_wait_ms=20)
        await consumer.start()
        records: list[Any] = []
        try:

            async def partitions_known() -> set[int] | None:
                await consumer.topics()
                return consumer.partitions_for_topic(topic)

            partitions = await poll_until(partitions_known, what=f"metadata of {topic}")
            consumer.assign([TopicPartition(topic, p) for p in partitions])
            await consumer.seek_to_beginning()

            async def enough() -> bool:
                for batch in (await consumer.getmany(timeout_ms=100)).values():
                    records.extend(batch)
                return bool(done(records))

            await poll_until(enough, timeout_s=timeout_s, what=f"the expected records on {topic}")
        finally:
            await consumer.stop()
        return records


def _is_verdict_on(verdict: dict[str, Any], invoice_id: UUID, submission: int) -> bool:
    return verdict["data"]["invoice_id"] == str(invoice_id) and verdict["data"]["submission"] == submission
