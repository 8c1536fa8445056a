"""Configuration guard: every subscriber of every service and every producer is set for
at-least-once delivery. Library defaults (auto-commit, ``latest``, ``acks=1``) would lose events."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from faststream import AckPolicy

from portal_dev.testing import service_keys
from shared.kafka import producer_options
from shared.messaging import EventConsumer, broker_options
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings

SERVICES = ["suppliers", "orders", "invoicing", "matching", "notifier", "gateway"]
# Who must consume what: a service that stops consuming a topic it depends on fails here.
CONSUMED = {
    "suppliers": {"gateway.organisation.v1"},
    "orders": {"suppliers.supplier.v1", "invoicing.invoice.v1", "gateway.organisation.v1", "gateway.user.v1"},
    "invoicing": {
        "orders.purchase-order.v1",
        "matching.verdict.v1",
        "suppliers.supplier.v1",
        "gateway.organisation.v1",
    },
    "matching": {
        "orders.purchase-order.v1",
        "suppliers.supplier.v1",
        "invoicing.invoice.v1",
        "gateway.organisation.v1",
    },
    "notifier": {
        "suppliers.supplier.v1",
        "gateway.user.v1",
        "gateway.invitation.v1",
        "gateway.account.v1",
        "gateway.organisation.v1",
        "orders.purchase-order.v1",
        "orders.rfp.v1",
        "invoicing.invoice.v1",
    },
    "gateway": {"suppliers.supplier.v1"},
}


def build(service: str, keys: Path, **options: Any) -> ServiceRuntime:
    """The service's runtime, built (not started) with its settings' defaults and ``options``."""
    private, public = service_keys(keys)
    settings_type = importlib.import_module(f"{service}.config").Settings
    settings = settings_type(jwt_public_key_file=public, jwt_private_key_file=private, **options)
    return importlib.import_module(f"{service}.bootstrap").bootstrap(settings)


def test_producers_wait_for_all_replicas_and_idempotence_is_a_setting() -> None:
    assert producer_options(ServiceSettings())["acks"] == "all"
    assert producer_options(ServiceSettings(kafka_enable_idempotence=True))["enable_idempotence"] is True
    assert producer_options(ServiceSettings(kafka_enable_idempotence=False))["enable_idempotence"] is False


@pytest.mark.parametrize("service", SERVICES)
def test_every_subscriber_has_a_group_commits_after_the_effect_and_starts_at_earliest(
    service: str, tmp_path: Path
) -> None:
    runtime = build(service, tmp_path)
    subscribers = runtime.broker.subscribers
    assert {name for s in subscribers for name in s.topic_names} == CONSUMED[service]
    assert {c.topic for c in runtime.consumers} == CONSUMED[service]
    groups = set()
    for subscriber in subscribers:
        assert subscriber.group_id and subscriber.group_id.startswith(service + ".")
        assert subscriber.ack_policy == AckPolicy.MANUAL  # which turns Kafka's auto-commit off
        groups.add((subscriber.group_id, tuple(subscriber.topic_names)))
    assert len(groups) == len(subscribers)
    for consumer in runtime.consumers:
        options = consumer.subscriber_options()
        assert options["auto_offset_reset"] == "earliest"
        assert options["ack_policy"] == AckPolicy.MANUAL
        # A setting, so that a deployment with slow handlers can raise it (KAFKA_MAX_POLL_INTERVAL_MS).
        assert options["max_poll_interval_ms"] == runtime.settings.kafka_max_poll_interval_ms


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("idempotence", [True, False])
def test_every_service_broker_and_producer_use_acks_all(service: str, idempotence: bool, tmp_path: Path) -> None:
    runtime = build(service, tmp_path)
    runtime.settings.kafka_enable_idempotence = idempotence
    assert producer_options(runtime.settings)["acks"] == "all"
    assert producer_options(runtime.settings)["enable_idempotence"] is idempotence
    # FastStream's own producer (used for nothing but kept safe) gets the same settings.
    assert broker_options(runtime.settings)["acks"] == "all"
    assert broker_options(runtime.settings)["enable_idempotence"] is idempotence


PIPELINE = {"orders.purchase-order.v1", "invoicing.invoice.v1", "matching.verdict.v1"}


@pytest.mark.parametrize("service", SERVICES)
def test_pipeline_topics_fetch_with_the_short_wait_and_the_quiet_ones_with_the_long_one(
    service: str, tmp_path: Path
) -> None:
    runtime = build(service, tmp_path, kafka_fetch_max_wait_ms=20, kafka_quiet_fetch_max_wait_ms=250)
    assert runtime.consumers
    for consumer in runtime.consumers:
        expected = 20 if consumer.topic in PIPELINE else 250
        assert consumer.subscriber_options()["fetch_max_wait_ms"] == expected, consumer.topic


@pytest.mark.parametrize("service", ["orders", "notifier"])
def test_without_a_quiet_wait_every_topic_fetches_with_the_same_wait(service: str, tmp_path: Path) -> None:
    runtime = build(service, tmp_path, kafka_fetch_max_wait_ms=100)
    assert {c.subscriber_options()["fetch_max_wait_ms"] for c in runtime.consumers} == {100}


def test_a_topic_outside_the_catalogue_fetches_with_the_pipeline_wait() -> None:
    settings = ServiceSettings(kafka_fetch_max_wait_ms=20, kafka_quiet_fetch_max_wait_ms=250)
    consumer = EventConsumer(topic="bench.custom", group="bench", handlers={}, settings=settings, dead_letters=object)
    assert consumer.fetch_max_wait_ms == 20


@pytest.mark.parametrize("service", SERVICES)
def test_a_topic_prefix_names_every_subscribed_topic_and_group_on_the_cluster(service: str, tmp_path: Path) -> None:
    runtime = build(service, tmp_path, kafka_topic_prefix="staging.")
    assert {name for s in runtime.broker.subscribers for name in s.topic_names} == {
        "staging." + topic for topic in CONSUMED[service]
    }
    assert {s.group_id for s in runtime.broker.subscribers} == {"staging." + c.group for c in runtime.consumers}
    assert {c.topic for c in runtime.consumers} == CONSUMED[service]  # the catalogue's names stay


@pytest.mark.parametrize("prefix", ["has space.", "slash/", "ü.", "x" * 101])
def test_a_topic_prefix_kafka_would_refuse_is_a_settings_error(prefix: str) -> None:
    with pytest.raises(ValueError, match="kafka_topic_prefix"):
        ServiceSettings(kafka_topic_prefix=prefix)
