"""Stall checks: what a check accepts, the series a service shows for it from the start, the part
of /health/ready that lists stalled kinds, and the last values kept while the database is away."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from shared.db import make_engine
from shared.metrics import ServiceMetrics, parse_samples, sample_value
from shared.stalls import Stall, StallCheck, stalled_report, waiting_longer_than
from tests.shared.unit.test_metrics import silent_server  # noqa: F401  (a fixture)


def matching_check(threshold_s: float = 60) -> StallCheck:
    return waiting_longer_than(
        "invoice_matching", threshold_s, table="invoices", since="submitted_at", where="status = 'matching'"
    )


def value(metrics: ServiceMetrics, name: str, **labels: str) -> float | None:
    return sample_value(parse_samples(metrics.exposition().decode()), name, **labels)


@pytest.mark.parametrize("kind", ["", "Invoice matching", "invoice-matching", "1st_step"])
def test_a_kind_must_read_as_a_label_value(kind: str) -> None:
    with pytest.raises(ValueError, match="kind"):
        StallCheck(kind, text("SELECT 0 AS stalled, 0 AS oldest_age_s"), 60)


@pytest.mark.parametrize("threshold_s", [0, -5, float("nan")])
def test_a_threshold_must_be_positive(threshold_s: float) -> None:
    with pytest.raises(ValueError, match="threshold"):
        matching_check(threshold_s)


def test_the_status_is_written_into_the_query_so_a_partial_index_serves_it() -> None:
    query = str(matching_check().query)

    assert "FROM invoices WHERE status = 'matching'" in query
    assert query.count(":threshold_s") == 1, "the threshold is the one bound value"


def test_a_service_without_stall_checks_shows_no_stall_series() -> None:
    metrics = ServiceMetrics()

    assert value(metrics, "portal_stalled_documents", kind="invoice_matching") is None
    assert b"portal_stalled" not in metrics.exposition()


def test_a_watched_check_shows_nothing_stalled_and_its_threshold_from_the_start() -> None:
    metrics = ServiceMetrics()
    metrics.watch_stall(matching_check(90))

    assert value(metrics, "portal_stalled_documents", kind="invoice_matching") == 0
    assert value(metrics, "portal_stalled_oldest_age_seconds", kind="invoice_matching") == 0
    assert value(metrics, "portal_stalled_threshold_seconds", kind="invoice_matching") == 90
    with pytest.raises(ValueError, match="two stall checks"):
        metrics.watch_stall(matching_check(30))


def test_the_ready_report_lists_only_the_kinds_with_stalled_documents() -> None:
    stalls = [Stall("invoice_matching", 3, 412.345, 60), Stall("email_delivery", 0, 12.0, 300)]

    assert stalled_report(stalls) == {"invoice_matching": {"count": 3, "threshold_s": 60, "oldest_age_s": 412.3}}
    assert stalled_report([]) == {}


async def test_a_database_that_does_not_answer_leaves_the_last_stall_values(silent_server: int) -> None:  # noqa: F811
    metrics = ServiceMetrics(scrape_timeout_s=0.3)
    check = matching_check()
    metrics.watch_stall(check)
    metrics.record_stall(Stall(check.kind, 7, 412.0, check.threshold_s))
    engine = make_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{silent_server}/portal")
    try:
        started = time.monotonic()
        await metrics.refresh_stalls(engine)
        assert time.monotonic() - started < 5, "a scrape waits for the deadline, not for the database"
    finally:
        await engine.dispose()

    assert value(metrics, "portal_stalled_documents", kind="invoice_matching") == 7
    assert value(metrics, "portal_stalled_oldest_age_seconds", kind="invoice_matching") == 412
    assert metrics.stalls["invoice_matching"].count == 7
