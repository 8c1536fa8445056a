"""The outbox's and the inbox's retentions: defaults that keep a redelivered event recognised and
the republish window whole, and settings that would not are refused before a service starts."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pydantic import ValidationError

from shared.contracts.topics import TOPICS
from shared.settings import DAY_S, KAFKA_SEGMENT_ROLL_S, ServiceSettings, redelivery_horizon_s


def test_the_broker_may_deliver_an_event_again_for_the_longest_topic_retention_plus_a_segment_roll() -> None:
    longest = max(topic.retention_days for topic in TOPICS.values() if not topic.compacted)

    assert longest == 30, "the catalogue's longest retention (deploy/base/topics/topics.yaml follows it)"
    assert KAFKA_SEGMENT_ROLL_S == 7 * DAY_S, "Kafka's default log.roll.ms"
    assert redelivery_horizon_s() == 37 * DAY_S


def test_a_longer_kept_topic_lengthens_the_horizon_and_a_compacted_one_does_not_count() -> None:
    invoices = TOPICS["invoicing.invoice.v1"]
    longer = {**TOPICS, "long": replace(invoices, name="long", retention_days=90)}
    compacted = {"suppliers.supplier.v1": TOPICS["suppliers.supplier.v1"], "emails": TOPICS["notifier.email.v1"]}

    assert redelivery_horizon_s(longer) == 97 * DAY_S
    assert redelivery_horizon_s(compacted) == 7 * DAY_S + KAFKA_SEGMENT_ROLL_S


def test_the_defaults_keep_sent_rows_for_the_republish_window_and_inbox_entries_past_any_redelivery() -> None:
    settings = ServiceSettings()

    assert settings.outbox_retention_s == 14 * DAY_S
    assert settings.inbox_retention_s == 45 * DAY_S
    assert settings.outbox_retention_s >= settings.outbox_republish_window_s
    assert settings.inbox_retention_s > redelivery_horizon_s()
    assert settings.inbox_retention_s > settings.outbox_retention_s
    assert settings.prune_interval_s == 3600
    assert settings.prune_batch_size == 1000


def test_an_inbox_retention_not_longer_than_the_broker_may_redeliver_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"INBOX_RETENTION_S .* must be longer than the broker may deliver"):
        ServiceSettings(inbox_retention_s=redelivery_horizon_s())

    assert ServiceSettings(inbox_retention_s=redelivery_horizon_s() + 1).inbox_retention_s == 37 * DAY_S + 1


def test_an_inbox_retention_not_longer_than_the_outbox_retention_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"INBOX_RETENTION_S .* must be longer than OUTBOX_RETENTION_S"):
        ServiceSettings(outbox_retention_s=45 * DAY_S, inbox_retention_s=45 * DAY_S)


def test_an_outbox_retention_shorter_than_the_republish_window_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"OUTBOX_RETENTION_S .* must be at least OUTBOX_REPUBLISH_WINDOW_S"):
        ServiceSettings(outbox_retention_s=6 * DAY_S)
    with pytest.raises(ValidationError, match="OUTBOX_RETENTION_S"):
        ServiceSettings(outbox_republish_window_s=15 * DAY_S)

    assert ServiceSettings(outbox_retention_s=7 * DAY_S).outbox_retention_s == 7 * DAY_S


def test_the_environment_sets_the_retentions_for_every_service_and_is_checked_alike(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OUTBOX_RETENTION_S", str(20 * DAY_S))
    monkeypatch.setenv("INBOX_RETENTION_S", str(60 * DAY_S))
    monkeypatch.setenv("PRUNE_INTERVAL_S", "60")
    monkeypatch.setenv("PRUNE_BATCH_SIZE", "500")

    settings = ServiceSettings()
    assert (settings.outbox_retention_s, settings.inbox_retention_s) == (20 * DAY_S, 60 * DAY_S)
    assert (settings.prune_interval_s, settings.prune_batch_size) == (60, 500)

    monkeypatch.setenv("INBOX_RETENTION_S", str(30 * DAY_S))  # the topics keep events this long
    with pytest.raises(ValidationError, match="INBOX_RETENTION_S"):
        ServiceSettings()


@pytest.mark.parametrize("name", ["outbox_retention_s", "inbox_retention_s", "prune_interval_s", "prune_batch_size"])
def test_a_retention_an_interval_or_a_batch_of_zero_is_refused(name: str) -> None:
    with pytest.raises(ValidationError, match=name):
        ServiceSettings(**{name: 0})
