"""Kafka clients configured for the delivery guarantees: ``acks="all"``, explicit idempotence,
topics created explicitly with their partition counts."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.contracts.topics import TOPICS, dlq_topic
from shared.settings import ServiceSettings

PRODUCER_ACKS = "all"


def producer_options(settings: ServiceSettings) -> dict[str, object]:
    """Options every producer of the portal uses; the configuration guard test reads them."""
    return {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "client_id": settings.service_name,
        "acks": PRODUCER_ACKS,
        "enable_idempotence": settings.kafka_enable_idempotence,
        "linger_ms": settings.kafka_linger_ms,
        "request_timeout_ms": 15000,
    }


def make_producer(settings: ServiceSettings) -> AIOKafkaProducer:
    return AIOKafkaProducer(**producer_options(settings))


def topic_specs(replication_factor: int = 1, *, prefix: str = "") -> list[NewTopic]:
    """Every topic of the catalogue and its dead-letter topic, named with ``prefix`` before."""
    specs: list[NewTopic] = []
    for topic in TOPICS.values():
        config = {"retention.ms": str(topic.retention_days * 86_400_000)}
        if topic.compacted:
            config = {"cleanup.policy": "compact"}
        specs.append(NewTopic(prefix + topic.name, topic.partitions, replication_factor, topic_configs=config))
        specs.append(NewTopic(prefix + dlq_topic(topic.name), 1, replication_factor))
    return specs


async def ensure_topics(bootstrap_servers: str, *, prefix: str = "", timeout_s: float = 60.0) -> list[str]:
    """Create every topic that is missing (named with ``prefix`` before, as
    ``KAFKA_TOPIC_PREFIX`` says); returns the names created. Safe to run again."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="portal-topics")
        try:
            await admin.start()
            existing = set(await admin.list_topics())
            missing = [spec for spec in topic_specs(prefix=prefix) if spec.name not in existing]
            created = []
            for spec in missing:
                try:
                    await admin.create_topics([spec])
                    created.append(spec.name)
                except TopicAlreadyExistsError:
                    pass
            return created
        except Exception:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.5)
        finally:
            await admin.close()


def main() -> None:
    """``python -m shared.kafka``: create every topic and its dead-letter topic (a provisioning job)."""
    import os

    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    prefix = os.environ.get("KAFKA_TOPIC_PREFIX", "")
    created = asyncio.run(ensure_topics(bootstrap, prefix=prefix, timeout_s=120))
    print(f"topics created: {', '.join(created) or 'none (all present)'}")


if __name__ == "__main__":
    main()
