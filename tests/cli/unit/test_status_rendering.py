"""``portal status``: what it reads from the Prometheus text, the colour of each number, and its
exit code, against small real HTTP servers standing in for services."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from typer.testing import CliRunner

from portal_cli.endpoints import Endpoints, write
from portal_cli.main import app
from portal_cli.status import (
    CONSUMER_LAG,
    DEAD_LETTERS,
    MISSING,
    OUTBOX_BACKLOG,
    OUTBOX_OLDEST_AGE_S,
    Level,
    Threshold,
    metric_cell,
    parse_metrics,
)


def exposition(*, backlog: float = 3, age: float = 1.5, dead_lettered: int = 2) -> str:
    """A service's /metrics with the agreed names, as prometheus-client writes it."""
    registry = CollectorRegistry()
    Histogram("portal_http_request_duration_seconds", "", ["method", "route", "status"], registry=registry).labels(
        "GET", "/x", "200"
    ).observe(0.1)
    Gauge("portal_outbox_backlog", "", registry=registry).set(backlog)
    Gauge("portal_outbox_oldest_age_seconds", "", registry=registry).set(age)
    lag = Gauge("portal_consumer_lag", "", ["topic", "group"], registry=registry)
    lag.labels("orders.purchase-order.v1", "invoicing.purchase-orders").set(7)
    lag.labels("suppliers.supplier.v1", "invoicing.suppliers").set(5)
    dlq = Counter("portal_dlq_messages", "", ["topic"], registry=registry)
    dlq.labels("orders.purchase-order.v1").inc(dead_lettered)
    return generate_latest(registry).decode()


def test_metrics_are_read_by_their_agreed_names_and_lag_is_summed_over_groups() -> None:
    found = parse_metrics(exposition(backlog=3, age=1.5, dead_lettered=2))

    assert found.outbox_backlog == 3
    assert found.outbox_oldest_age_s == 1.5
    assert found.consumer_lag == 12
    assert found.lag_by_group == {
        ("invoicing.purchase-orders", "orders.purchase-order.v1"): 7,
        ("invoicing.suppliers", "suppliers.supplier.v1"): 5,
    }
    assert found.dead_lettered == 2
    assert found.dead_lettered_by_topic == {"orders.purchase-order.v1": 2}


def test_a_service_without_the_metrics_leaves_them_unknown() -> None:
    found = parse_metrics(
        "# HELP process_cpu_seconds_total x\n# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 1.0\n"
    )

    assert (found.outbox_backlog, found.outbox_oldest_age_s, found.consumer_lag, found.dead_lettered) == (None,) * 4
    cell = metric_cell(found.consumer_lag, CONSUMER_LAG)
    assert (cell.plain, cell.style) == (MISSING, "dim")


LEVELS = [Level.ok, Level.warn, Level.bad]


@given(
    warn=st.floats(0, 1e6, allow_nan=False),
    span=st.floats(0, 1e6, allow_nan=False),
    values=st.lists(st.floats(0, 1e7, allow_nan=False), min_size=2, max_size=5),
)
def test_a_larger_number_is_never_coloured_calmer_and_the_boundaries_belong_to_the_worse_colour(
    warn: float, span: float, values: list[float]
) -> None:
    threshold = Threshold(warn=warn, bad=warn + span)
    levels = [threshold.level(value) for value in sorted(values)]
    assert levels == sorted(levels, key=LEVELS.index)
    assert threshold.level(threshold.bad) is Level.bad
    assert threshold.level(threshold.warn) is not Level.ok
    if threshold.warn > 0:
        assert threshold.level(0) is Level.ok
    for value in values:
        assert metric_cell(value, threshold).style == threshold.level(value).value


def test_a_system_at_work_is_green_a_stuck_one_red_and_any_dead_letter_red() -> None:
    # A few rows waiting, a short lag and rows seconds old are the pipeline working.
    assert {OUTBOX_BACKLOG.level(5), CONSUMER_LAG.level(10), OUTBOX_OLDEST_AGE_S.level(2)} == {Level.ok}
    # Rows minutes old mean the relay or the broker is stuck; thousands behind, a consumer is.
    assert OUTBOX_OLDEST_AGE_S.level(300) is Level.bad
    assert CONSUMER_LAG.level(100_000) is Level.bad
    assert OUTBOX_BACKLOG.level(100_000) is Level.bad
    # A dead letter is data that did not arrive: the first one is red.
    assert (DEAD_LETTERS.level(0), DEAD_LETTERS.level(1)) == (Level.ok, Level.bad)


def test_seconds_are_shown_with_their_unit_and_counts_with_separators() -> None:
    assert metric_cell(12.34, OUTBOX_OLDEST_AGE_S, "s").plain == "12.3s"
    assert metric_cell(12345, CONSUMER_LAG).plain == "12,345"


class FakeService(BaseHTTPRequestHandler):
    """A real HTTP server answering like a service: ready, and with a /metrics text."""

    ready = True
    metrics: str | None = None

    def do_GET(self) -> None:
        if self.path == "/health/ready":
            self._answer(200 if self.ready else 503, '{"status": "ok"}')
        elif self.path == "/metrics" and self.metrics is not None:
            self._answer(200, self.metrics)
        else:
            self._answer(404, "")

    def _answer(self, status: int, body: str) -> None:
        self.send_response(status)
        self.send_header("content-length", str(len(body.encode())))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


def serve(handler: type[BaseHTTPRequestHandler]) -> tuple[str, ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


@pytest.fixture
def services() -> Iterator[dict[str, str]]:
    with_metrics = type("WithMetrics", (FakeService,), {"metrics": exposition(backlog=600, dead_lettered=0)})
    without_metrics = type("WithoutMetrics", (FakeService,), {"metrics": None})
    not_ready = type("NotReady", (FakeService,), {"ready": False, "metrics": exposition()})
    started = {
        name: serve(handler)
        for name, handler in (("gateway", with_metrics), ("orders", without_metrics), ("matching", not_ready))
    }
    yield {name: url for name, (url, _) in started.items()}
    for _, server in started.values():
        server.shutdown()
        server.server_close()


def run_status(endpoints: Endpoints, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    path = tmp_path / "endpoints.json"
    write(endpoints, path)
    result = CliRunner().invoke(app, ["--endpoints-file", str(path), "status", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_status_exits_1_and_names_the_service_that_is_not_ready(services: dict[str, str], tmp_path: Path) -> None:
    endpoints = Endpoints(
        gateway_url=services["gateway"], services={"orders": services["orders"], "matching": services["matching"]}
    )

    code, out, err = run_status(endpoints, tmp_path)

    assert code == 1
    rows = {line.split()[1]: line for line in out.splitlines() if line.startswith("│")}
    assert rows["gateway"].split("│")[2].strip() == "up"
    assert rows["gateway"].split("│")[3].strip() == "600"
    assert rows["orders"].split("│")[3].strip() == MISSING
    assert rows["matching"].split("│")[2].strip() == "down"
    assert "matching is down" in err and "HTTP 503" in err
    assert "gateway is down" not in err and "orders is down" not in err


def test_status_exits_0_when_every_service_is_ready_and_shows_the_lag_per_group(
    services: dict[str, str], tmp_path: Path
) -> None:
    endpoints = Endpoints(gateway_url=services["gateway"], services={"orders": services["orders"]})

    code, out, _ = run_status(endpoints, tmp_path, "--verbose")

    assert code == 0
    assert "invoicing.purchase-orders ← orders.purchase-order.v1" in out
