"""``portal status``: each service's readiness and what its ``/metrics`` says about its backlogs.

Readiness is ``GET /health/ready``; the numbers come from the Prometheus text of ``GET /metrics``:
``portal_outbox_backlog`` and ``portal_outbox_oldest_age_seconds`` (events committed but not yet
published), ``portal_consumer_lag`` summed over the service's consumer groups and topics, and
``portal_dlq_messages_total`` (messages the service dead-lettered since it started). A number a
service does not expose is shown as "–". Colours: green is normal, yellow worth a look, red needs
someone now.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import StrEnum

import httpx
from prometheus_client.parser import text_string_to_metric_families
from rich.table import Table
from rich.text import Text

MISSING = "–"


class Level(StrEnum):
    ok = "green"
    warn = "yellow"
    bad = "red"


@dataclass(frozen=True)
class Threshold:
    """``value < warn`` is green, ``value < bad`` yellow, anything more red."""

    warn: float
    bad: float

    def level(self, value: float) -> Level:
        if value < self.warn:
            return Level.ok
        return Level.warn if value < self.bad else Level.bad


# An outbox of a few rows or a lag of a few messages is the system working; minutes-old unsent
# rows mean the relay or the broker is stuck; any dead letter is data that did not arrive.
OUTBOX_BACKLOG = Threshold(warn=50, bad=500)
OUTBOX_OLDEST_AGE_S = Threshold(warn=10, bad=60)
CONSUMER_LAG = Threshold(warn=100, bad=1000)
DEAD_LETTERS = Threshold(warn=1, bad=1)


@dataclass
class ServiceMetrics:
    outbox_backlog: float | None = None
    outbox_oldest_age_s: float | None = None
    consumer_lag: float | None = None
    lag_by_group: dict[tuple[str, str], float] = field(default_factory=dict)
    dead_lettered: float | None = None
    dead_lettered_by_topic: dict[str, float] = field(default_factory=dict)


@dataclass
class ServiceStatus:
    name: str
    url: str
    ready: bool
    detail: str = ""
    metrics: ServiceMetrics | None = None


def parse_metrics(text: str) -> ServiceMetrics:
    """The numbers ``portal status`` shows, from a Prometheus text exposition."""
    found = ServiceMetrics()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "portal_outbox_backlog":
                found.outbox_backlog = (found.outbox_backlog or 0) + sample.value
            elif sample.name == "portal_outbox_oldest_age_seconds":
                found.outbox_oldest_age_s = max(found.outbox_oldest_age_s or 0, sample.value)
            elif sample.name == "portal_consumer_lag":
                key = (sample.labels.get("group", ""), sample.labels.get("topic", ""))
                found.lag_by_group[key] = found.lag_by_group.get(key, 0) + sample.value
                found.consumer_lag = (found.consumer_lag or 0) + sample.value
            elif sample.name == "portal_dlq_messages_total":
                topic = sample.labels.get("topic", "")
                found.dead_lettered_by_topic[topic] = found.dead_lettered_by_topic.get(topic, 0) + sample.value
                found.dead_lettered = (found.dead_lettered or 0) + sample.value
    return found


async def probe(client: httpx.AsyncClient, name: str, url: str) -> ServiceStatus:
    try:
        ready = await client.get(url + "/health/ready")
    except httpx.HTTPError as exc:
        return ServiceStatus(name, url, False, f"no answer ({type(exc).__name__})")
    status = ServiceStatus(name, url, ready.status_code == 200, "" if ready.is_success else f"HTTP {ready.status_code}")
    try:
        answer = await client.get(url + "/metrics")
        if answer.status_code == 200:
            status.metrics = parse_metrics(answer.text)
    except (httpx.HTTPError, ValueError):
        pass  # no metrics: the numbers show as missing
    return status


async def probe_all(services: dict[str, str], *, timeout_s: float = 5.0) -> list[ServiceStatus]:
    async with httpx.AsyncClient(timeout=timeout_s) as client:
        return list(await asyncio.gather(*(probe(client, name, url) for name, url in services.items())))


def metric_cell(value: float | None, threshold: Threshold, unit: str = "") -> Text:
    if value is None:
        return Text(MISSING, style="dim")
    shown = f"{value:.1f}{unit}" if unit else f"{value:,.0f}"
    return Text(shown, style=threshold.level(value).value)


def render(statuses: list[ServiceStatus], *, verbose: bool = False) -> Table:
    table = Table(title="Supplier portal", title_justify="left")
    for column in ("service", "state", "outbox", "oldest unsent", "consumer lag", "dead letters"):
        table.add_column(column, justify="left" if column in ("service", "state") else "right", no_wrap=True)
    for status in statuses:
        state = Text("up", style=Level.ok.value) if status.ready else Text("down", style=Level.bad.value)
        m = status.metrics or ServiceMetrics()
        table.add_row(
            f"{status.name}\n[dim]{status.url}[/dim]" if verbose else status.name,
            state,
            metric_cell(m.outbox_backlog, OUTBOX_BACKLOG),
            metric_cell(m.outbox_oldest_age_s, OUTBOX_OLDEST_AGE_S, "s"),
            metric_cell(m.consumer_lag, CONSUMER_LAG),
            metric_cell(m.dead_lettered, DEAD_LETTERS),
        )
        if verbose:
            for (group, topic), lag in sorted(m.lag_by_group.items()):
                table.add_row(f"  [dim]{group} ← {topic}[/dim]", "", "", "", metric_cell(lag, CONSUMER_LAG), "")
    return table


def any_down(statuses: list[ServiceStatus]) -> bool:
    return any(not s.ready for s in statuses)
