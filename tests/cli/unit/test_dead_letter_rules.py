"""Dead letters as ``portal dlq`` reads them: error headers, what a replay sends, what it selects."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import cast

import pytest
import typer
from typer.testing import CliRunner

from portal_cli.dead_letters import (
    REPLAY_OF,
    DeadLetter,
    DeadLetterTopic,
    UnknownTopic,
    dead_letter_topic,
    parse_positions,
    select,
)
from portal_cli.dlq_commands import _topics
from portal_cli.endpoints import Endpoints
from portal_cli.main import app
from shared.contracts.topics import TOPICS, dlq_topic

DLQ = "orders.purchase-order.v1.dlq"


def dead_letter(offset: int, *extra: tuple[str, bytes], key: bytes | None = b"po-1") -> DeadLetter:
    headers = (
        ("traceparent", b"00-abc-def-01"),
        ("dlq.error", b"Expecting value:\n line 1 column 1 (char 0)"),
        ("dlq.error_type", b"JSONDecodeError"),
        ("dlq.topic", b"orders.purchase-order.v1"),
        ("dlq.partition", b"4"),
        ("dlq.offset", b"17"),
        ("dlq.consumer", b"invoicing.purchase-orders"),
        ("dlq.attempts", b"1"),
        *extra,
    )
    return DeadLetter(DLQ, 0, offset, key, b"not json", headers, 1_795_000_000_000)


def replay_record(offset: int, of: int) -> DeadLetter:
    body = json.dumps({"replayed_at": "2026-11-23 10:00:00Z", "by": "ops@host"}).encode()
    return DeadLetter(DLQ, 0, offset, b"po-1", body, ((REPLAY_OF, f"0:{of}".encode()),))


def test_the_error_is_shown_with_its_type_on_one_line() -> None:
    assert dead_letter(0).error_summary() == "JSONDecodeError: Expecting value: line 1 column 1 (char 0)"


def test_a_long_error_is_cut_with_an_ellipsis() -> None:
    long = dead_letter(0, ("dlq.error", b"x" * 500))

    summary = long.error_summary(width=60)

    assert len(summary) == 60 and summary.endswith("…")


def test_a_message_dead_lettered_twice_shows_its_newest_error() -> None:
    twice = dead_letter(0, ("dlq.error", b"second failure"), ("dlq.consumer", b"matching.purchase-orders"))

    assert twice.header("dlq.error") == "second failure"
    assert twice.header("dlq.consumer") == "matching.purchase-orders"


def test_a_dead_letter_without_error_headers_says_so() -> None:
    bare = DeadLetter(DLQ, 0, 3, None, b"{}", ())

    assert bare.error_summary() == "error: (no dlq.error header)"
    assert bare.key_text() == "–"
    assert bare.original_topic == "orders.purchase-order.v1"


def test_a_replay_keeps_the_original_headers_drops_the_dlq_ones_and_names_its_source() -> None:
    headers = dead_letter(5, ("dlq.replayed_from", b"earlier")).replay_headers()

    assert headers == [("traceparent", b"00-abc-def-01"), ("dlq.replayed_from", f"{DLQ}:0:5".encode())]


def test_the_original_topic_comes_from_the_dlq_topic_header() -> None:
    moved = dead_letter(0, ("dlq.topic", b"invoicing.invoice.v1"))

    assert moved.original_topic == "invoicing.invoice.v1"


@pytest.mark.parametrize(
    ("dlq", "header", "replayed_to"),
    [
        (DLQ, b"orders.purchase-order.v1", "orders.purchase-order.v1"),
        ("staging.orders.purchase-order.v1.dlq", b"orders.purchase-order.v1", "staging.orders.purchase-order.v1"),
        ("staging.orders.purchase-order.v1.dlq", None, "staging.orders.purchase-order.v1"),
        (DLQ, b"invoicing.invoice.v1", "invoicing.invoice.v1"),
    ],
)
def test_a_replay_goes_to_the_original_topic_under_the_clusters_prefix_of_its_dlq_topic(
    dlq: str, header: bytes | None, replayed_to: str
) -> None:
    headers = (("dlq.topic", header),) if header else ()

    assert DeadLetter(dlq, 0, 0, None, b"{}", headers).replay_topic == replayed_to


def test_replay_records_are_not_dead_letters_and_mark_what_they_replayed() -> None:
    topic = DeadLetterTopic.of(DLQ, [dead_letter(0), dead_letter(1), replay_record(2, of=0), dead_letter(3)])

    assert [d.offset for d in topic.dead_letters] == [0, 1, 3]
    assert topic.replayed == {(0, 0): "2026-11-23 10:00:00Z by ops@host"}
    assert [d.offset for d in topic.waiting()] == [1, 3]


def test_replaying_all_skips_what_was_replayed_before() -> None:
    topic = DeadLetterTopic.of(DLQ, [dead_letter(0), dead_letter(1), replay_record(2, of=0), dead_letter(3)])

    chosen = select(topic, every=True, positions=[])

    assert [d.offset for d in chosen.replay] == [1, 3]
    assert [d.offset for d in chosen.already_replayed] == [0]
    assert chosen.not_dead_letters == []


def test_again_replays_what_was_replayed_before() -> None:
    topic = DeadLetterTopic.of(DLQ, [dead_letter(0), replay_record(1, of=0)])

    chosen = select(topic, every=False, positions=[(0, 0)], again=True)

    assert [d.offset for d in chosen.replay] == [0]
    assert chosen.already_replayed == []


def test_chosen_offsets_are_replayed_once_each_in_offset_order() -> None:
    topic = DeadLetterTopic.of(DLQ, [dead_letter(0), dead_letter(1), dead_letter(2)])

    chosen = select(topic, every=False, positions=[(0, 2), (0, 0), (0, 2)])

    assert [d.offset for d in chosen.replay] == [0, 2]


def test_offsets_that_are_no_dead_letters_are_reported_not_replayed() -> None:
    topic = DeadLetterTopic.of(DLQ, [dead_letter(0), replay_record(1, of=0)])

    chosen = select(topic, every=False, positions=[(0, 1), (0, 9), (0, 0)])

    assert chosen.not_dead_letters == [(0, 1), (0, 9)]
    assert chosen.replay == []
    assert [d.offset for d in chosen.already_replayed] == [0]


def test_offsets_are_written_as_n_or_partition_colon_n() -> None:
    assert parse_positions(["7", " 2:15 "]) == [(0, 7), (2, 15)]
    with pytest.raises(ValueError, match="'seven' is not an offset"):
        parse_positions(["seven"])


def test_a_topic_is_named_by_itself_or_by_its_dlq_topic() -> None:
    assert dead_letter_topic("orders.purchase-order.v1") == DLQ
    assert dead_letter_topic(DLQ) == DLQ
    with pytest.raises(UnknownTopic, match=r"unknown topic 'orders\.v9'"):
        dead_letter_topic("orders.v9")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--topic", "orders.purchase-order.v1"], "choose what to replay: --all or --offset N"),
        (["--topic", "nope.v1", "--all"], "unknown topic 'nope.v1'"),
        (["--topic", "orders.purchase-order.v1", "--offset", "x"], "'x' is not an offset"),
    ],
)
def test_a_replay_that_does_not_say_what_to_replay_is_refused_before_touching_the_broker(
    args: list[str], message: str
) -> None:
    result = CliRunner().invoke(
        app, ["dlq", "replay", *args, "--bootstrap-servers", "127.0.0.1:1"], env={"COLUMNS": "200"}
    )

    assert result.exit_code == 2
    assert message in result.stderr


def test_the_dead_letter_topics_carry_the_prefix_asked_for_else_the_endpoints_files() -> None:
    ctx = cast(typer.Context, SimpleNamespace(obj=Endpoints(kafka_topic_prefix="staging.")))

    assert _topics(ctx, "orders.purchase-order.v1", None) == ["staging.orders.purchase-order.v1.dlq"]
    assert _topics(ctx, "orders.purchase-order.v1.dlq", "") == ["orders.purchase-order.v1.dlq"]
    assert _topics(ctx, None, "qa.") == ["qa." + dlq_topic(name) for name in TOPICS]
