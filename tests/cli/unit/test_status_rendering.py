"""``portal status``: what it reads from the Prometheus text, the colour of each number, and its
exit code, against small real HTTP servers standing in for services."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
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


@pytest.mark.parametrize(
    ("threshold", "value", "level"),
    [
        (OUTBOX_BACKLOG, 0, Level.ok),
        (OUTBOX_BACKLOG, 49, Level.ok),
        (OUTBOX_BACKLOG, 50, Level.warn),
        (OUTBOX_BACKLOG, 500, Level.bad),
        (OUTBOX_OLDEST_AGE_S, 9.9, Level.ok),
        (OUTBOX_OLDEST_AGE_S, 10, Level.warn),
        (OUTBOX_OLDEST_AGE_S, 60, Level.bad),
        (CONSUMER_LAG, 99, Level.ok),
        (CONSUMER_LAG, 100, Level.warn),
        (CONSUMER_LAG, 1000, Level.bad),
        (DEAD_LETTERS, 0, Level.ok),
        (DEAD_LETTERS, 1, Level.bad),
    ],
)
def test_each_number_is_coloured_by_its_threshold(threshold, value, level) -> None:  # type: ignore[no-untyped-def]
    cell = metric_cell(value, threshold)

    assert threshold.level(value) is level
    assert cell.style == level.value


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
