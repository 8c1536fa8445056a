"""Kafka clients configured for the delivery guarantees: ``acks="all"``, explicit idempotence,
topics created explicitly with their partition counts; and how every client of the portal
authenticates and encrypts (``client_security``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from ssl import SSLContext
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.helpers import create_ssl_context
from faststream.security import BaseSecurity, SASLScram256, SASLScram512
from pydantic import SecretStr

from shared.contracts.topics import TOPICS, dlq_topic
from shared.settings import KafkaSecuritySettings, ServiceSettings

PRODUCER_ACKS = "all"


@dataclass(frozen=True)
class KafkaClientSecurity:
    """The security of one Kafka connection, in the two forms the portal's clients take it:
    aiokafka's keyword arguments (producers, consumers, admin clients) and FastStream's security
    object (the service's broker, which hands the same arguments to the consumers it builds)."""

    protocol: str = "PLAINTEXT"
    mechanism: str | None = None
    username: str | None = None
    password: SecretStr | None = field(default=None, repr=False)
    ssl_context: SSLContext | None = None

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for ``AIOKafkaProducer``, ``AIOKafkaConsumer`` and ``AIOKafkaAdminClient``."""
        options: dict[str, Any] = {"security_protocol": self.protocol}
        if self.ssl_context is not None:
            options["ssl_context"] = self.ssl_context
        if self.mechanism is not None:
            assert self.username is not None and self.password is not None
            options |= {
                "sasl_mechanism": self.mechanism,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.password.get_secret_value(),
            }
        return options

    def broker_security(self) -> BaseSecurity | None:
        """FastStream's ``security=`` for a ``KafkaBroker``; None for a plain connection."""
        if self.mechanism is not None:
            assert self.username is not None and self.password is not None
            scram = SASLScram512 if self.mechanism == "SCRAM-SHA-512" else SASLScram256
            return scram(
                self.username,
                self.password.get_secret_value(),
                ssl_context=self.ssl_context,
                use_ssl=self.ssl_context is not None,
            )
        if self.ssl_context is not None:
            return BaseSecurity(ssl_context=self.ssl_context)
        return None


# A broker known to listen without TLS or SASL: the embedded one the development stack starts.
PLAINTEXT = KafkaClientSecurity()


def client_security(settings: KafkaSecuritySettings) -> KafkaClientSecurity:
    """The one place the portal turns its Kafka security settings into a client's: every
    producer, consumer, admin client and FastStream broker that talks to the cluster uses it.
    The TLS context verifies the brokers' certificates and host names (aiokafka's defaults)."""
    ssl_context = None
    if settings.kafka_uses_tls:
        ssl_context = create_ssl_context(
            cafile=settings.kafka_ssl_ca_file,
            certfile=settings.kafka_ssl_cert_file,
            keyfile=settings.kafka_ssl_key_file,
        )
    if not settings.kafka_uses_sasl:
        return KafkaClientSecurity(settings.kafka_security_protocol, ssl_context=ssl_context)
    return KafkaClientSecurity(
        settings.kafka_security_protocol,
        mechanism=settings.kafka_sasl_mechanism,
        username=settings.kafka_sasl_username,
        password=settings.kafka_sasl_password,
        ssl_context=ssl_context,
    )


def producer_options(settings: ServiceSettings) -> dict[str, object]:
    """Options every producer of the portal uses; the configuration guard test reads them."""
    return {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "client_id": settings.service_name,
        "acks": PRODUCER_ACKS,
        "enable_idempotence": settings.kafka_enable_idempotence,
        "linger_ms": settings.kafka_linger_ms,
        "request_timeout_ms": 15000,
        **client_security(settings).client_options(),
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


async def ensure_topics(
    bootstrap_servers: str, *, security: KafkaClientSecurity, prefix: str = "", timeout_s: float = 60.0
) -> list[str]:
    """Create every topic that is missing (named with ``prefix`` before, as
    ``KAFKA_TOPIC_PREFIX`` says); returns the names created. Safe to run again."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        admin = AIOKafkaAdminClient(
            bootstrap_servers=bootstrap_servers, client_id="portal-topics", **security.client_options()
        )
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
    """``python -m shared.kafka``: create every topic and its dead-letter topic (a provisioning job),
    with the cluster, prefix and security of the ``KAFKA_*`` settings."""
    settings = ServiceSettings(service_name="portal-topics")
    created = asyncio.run(
        ensure_topics(
            settings.kafka_bootstrap_servers,
            security=client_security(settings),
            prefix=settings.kafka_topic_prefix,
            timeout_s=120,
        )
    )
    print(f"topics created: {', '.join(created) or 'none (all present)'}")


if __name__ == "__main__":
    main()
