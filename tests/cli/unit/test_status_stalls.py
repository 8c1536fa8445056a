"""``portal status`` and stalled documents: the "stalled" column, a line per stalled kind under the
table, and exit code 1 when anything is stalled, against small real HTTP servers standing in for
services."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Gauge, generate_latest

from portal_cli.endpoints import Endpoints
from portal_cli.status import (
    MISSING,
    STALLED,
    Level,
    ServiceMetrics,
    ServiceStatus,
    metric_cell,
    parse_metrics,
    stall_lines,
)
from tests.cli.unit.test_status_rendering import FakeService, exposition, run_status


def with_stalls(**kinds: tuple[float, float, float]) -> str:
    """A service's /metrics with the stall gauges: ``kind=(count, oldest_age_s, threshold_s)``."""
    registry = CollectorRegistry()
    gauges = [
        Gauge(name, "", ["kind"], registry=registry)
        for name in (
            "portal_stalled_documents",
            "portal_stalled_oldest_age_seconds",
            "portal_stalled_threshold_seconds",
        )
    ]
    for kind, values in kinds.items():
        for gauge, value in zip(gauges, values, strict=True):
            gauge.labels(kind).set(value)
    return exposition() + generate_latest(registry).decode()


def test_stalled_documents_are_summed_over_kinds_and_kept_per_kind() -> None:
    found = parse_metrics(with_stalls(invoice_matching=(33, 412.4, 60), other_step=(2, 90, 30)))

    assert found.stalled == 35
    assert found.stalled_by_kind["invoice_matching"].count == 33
    assert found.stalled_by_kind["invoice_matching"].oldest_age_s == 412.4
    assert found.stalled_by_kind["invoice_matching"].threshold_s == 60
    assert found.outbox_backlog == 3, "the other numbers are read as before"


def test_a_service_without_stall_checks_shows_a_dash_and_none_stalled_is_green() -> None:
    without = metric_cell(parse_metrics(exposition()).stalled, STALLED)
    none_stalled = metric_cell(parse_metrics(with_stalls(invoice_matching=(0, 12, 60))).stalled, STALLED)
    some_stalled = metric_cell(parse_metrics(with_stalls(invoice_matching=(1, 70, 60))).stalled, STALLED)

    assert (without.plain, without.style) == (MISSING, "dim")
    assert (none_stalled.plain, none_stalled.style) == ("0", Level.ok.value)
    assert (some_stalled.plain, some_stalled.style) == ("1", Level.bad.value)


def status_of(name: str, metrics: str) -> ServiceStatus:
    return ServiceStatus(name, f"http://{name}", True, metrics=parse_metrics(metrics))


def test_each_stalled_kind_reads_as_a_sentence_in_the_order_of_the_table() -> None:
    statuses = [
        status_of("invoicing", with_stalls(invoice_matching=(33, 412.4, 60))),
        status_of("orders", exposition()),
        status_of("notifier", with_stalls(email_delivery=(1, 1_250, 300))),
        status_of("matching", with_stalls(verdict_publishing=(2, 95, 90.5), quiet_step=(0, 10, 60))),
        ServiceStatus("suppliers", "http://suppliers", False, "no answer (ConnectError)"),
    ]

    assert stall_lines(statuses) == [
        "invoicing: 33 invoices waiting in matching for over 60 s (oldest 412 s)",
        "notifier: 1 email queued and not sent for over 300 s (oldest 1,250 s)",
        "matching: 2 documents stalled at verdict_publishing for over 90.5 s (oldest 95 s)",
    ]


@pytest.fixture
def stalled_stack() -> Iterator[dict[str, str]]:
    answers = {
        "gateway": exposition(backlog=0, dead_lettered=0),
        "invoicing": with_stalls(invoice_matching=(33, 412, 60)),
        "notifier": with_stalls(email_delivery=(0, 3, 300)),
    }
    started = {}
    for name, text in answers.items():
        server = ThreadingHTTPServer(("127.0.0.1", 0), type(name, (FakeService,), {"metrics": text}))
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        started[name] = server
    yield {name: f"http://127.0.0.1:{server.server_address[1]}" for name, server in started.items()}
    for server in started.values():
        server.shutdown()
        server.server_close()


def test_status_shows_the_stalled_column_names_each_stall_and_exits_1(
    stalled_stack: dict[str, str], tmp_path: Path
) -> None:
    endpoints = Endpoints(
        gateway_url=stalled_stack["gateway"],
        services={"invoicing": stalled_stack["invoicing"], "notifier": stalled_stack["notifier"]},
    )

    code, out, err = run_status(endpoints, tmp_path)

    assert code == 1, "a stall needs someone now, like a service that is down"
    rows = {line.split()[1]: line.split("│") for line in out.splitlines() if line.startswith("│")}
    assert [rows[name][2].strip() for name in ("gateway", "invoicing", "notifier")] == ["up"] * 3
    assert [rows[name][7].strip() for name in ("gateway", "invoicing", "notifier")] == [MISSING, "33", "0"]
    table_end = max(i for i, line in enumerate(out.splitlines()) if line.startswith("└"))
    assert out.splitlines()[table_end + 1 :] == [
        "invoicing: 33 invoices waiting in matching for over 60 s (oldest 412 s)"
    ]
    assert "down" not in err


def test_status_exits_0_when_stall_checks_find_nothing_stalled(stalled_stack: dict[str, str], tmp_path: Path) -> None:
    endpoints = Endpoints(gateway_url=stalled_stack["gateway"], services={"notifier": stalled_stack["notifier"]})

    code, out, _ = run_status(endpoints, tmp_path)

    assert code == 0
    assert "stalled" in out and "queued and not sent" not in out


def test_a_service_without_metrics_is_not_stalled() -> None:
    assert stall_lines([ServiceStatus("web", "http://web", True, metrics=ServiceMetrics())]) == []
