"""``portal status``: each service's readiness and what its ``/metrics`` says about its backlogs.

Readiness is ``GET /health/ready``; the numbers come from the Prometheus text of ``GET /metrics``:
``portal_outbox_backlog`` and ``portal_outbox_oldest_age_seconds`` (events committed but not yet
published), ``portal_consumer_lag`` summed over the service's consumer groups and topics, and
``portal_dlq_messages_total`` (messages the service dead-lettered since it started), and
``portal_stalled_documents`` summed over its kinds (documents waiting longer than their threshold
for their next step, with ``portal_stalled_oldest_age_seconds`` and
``portal_stalled_threshold_seconds`` for the line under the table that names each). A number a
service does not expose is shown as "–". Colours: green is normal, yellow worth a look, red needs
someone now.

Under ``portal up`` its supervisor's state (``<data dir>/portal-supervisor.json``) adds how often
each process was started again: a "restarts" column for the services, and a line for the servers
(PostgreSQL, the broker, the mail sink).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

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
# A stalled document is one that waited past its service's own threshold already.
STALLED = Threshold(warn=1, bad=1)

# How each kind of stalled document reads in a sentence, for one and for several; a kind not
# listed here reads "documents stalled at <kind>".
STALL_WORDING = {
    "invoice_matching": ("invoice waiting in matching", "invoices waiting in matching"),
    "email_delivery": ("email queued and not sent", "emails queued and not sent"),
}


@dataclass(frozen=True)
class StalledKind:
    """One kind of a service's stall checks: documents over the threshold, the oldest one waiting."""

    count: float = 0
    oldest_age_s: float | None = None
    threshold_s: float | None = None


@dataclass
class ServiceMetrics:
    outbox_backlog: float | None = None
    outbox_oldest_age_s: float | None = None
    consumer_lag: float | None = None
    lag_by_group: dict[tuple[str, str], float] = field(default_factory=dict)
    dead_lettered: float | None = None
    dead_lettered_by_topic: dict[str, float] = field(default_factory=dict)
    stalled: float | None = None
    stalled_by_kind: dict[str, StalledKind] = field(default_factory=dict)


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
            elif sample.name in _STALL_FIELDS:
                kind = sample.labels.get("kind", "")
                known = found.stalled_by_kind.get(kind, StalledKind())
                found.stalled_by_kind[kind] = replace(known, **{_STALL_FIELDS[sample.name]: sample.value})
                if sample.name == "portal_stalled_documents":
                    found.stalled = (found.stalled or 0) + sample.value
    return found


_STALL_FIELDS = {
    "portal_stalled_documents": "count",
    "portal_stalled_oldest_age_seconds": "oldest_age_s",
    "portal_stalled_threshold_seconds": "threshold_s",
}


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


# Headings of two words take two lines: the table fits 80 columns, with room for one more.
COLUMNS = ("service", "state", "outbox", "oldest\nunsent", "consumer\nlag", "dead\nletters", "stalled")


# A process started again is worth a look; the supervisor stops everything before it gets worse.
RESTARTS = Threshold(warn=1, bad=float("inf"))


@dataclass(frozen=True)
class Supervised:
    """What ``portal up``'s supervisor says of one of its processes."""

    restarts: int
    state: str  # running, restarting
    last_exit: int | None


def supervised(state: dict[str, Any] | None) -> dict[str, Supervised]:
    """The processes in a supervisor's state file, by name (empty without one)."""
    found = {}
    for name, child in ((state or {}).get("children") or {}).items():
        try:
            found[name] = Supervised(int(child.get("restarts", 0)), str(child.get("state", "")), child.get("last_exit"))
        except (AttributeError, TypeError, ValueError):
            continue
    return found


def render(
    statuses: list[ServiceStatus], *, verbose: bool = False, processes: dict[str, Supervised] | None = None
) -> Table:
    table = Table(title="Supplier portal", title_justify="left")
    columns = (*COLUMNS, "restarts") if processes else COLUMNS
    for column in columns:
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
            metric_cell(m.stalled, STALLED),
            *([restarts_cell(processes.get(status.name))] if processes else []),
        )
        if verbose:
            for (group, topic), lag in sorted(m.lag_by_group.items()):
                blanks = [""] * (len(columns) - 5)
                table.add_row(f"  [dim]{group} ← {topic}[/dim]", "", "", "", metric_cell(lag, CONSUMER_LAG), *blanks)
    return table


def restarts_cell(process: Supervised | None) -> Text:
    if process is None:
        return Text(MISSING, style="dim")
    return metric_cell(process.restarts, RESTARTS)


def server_line(processes: dict[str, Supervised], services: list[ServiceStatus]) -> str | None:
    """The processes that are not services (PostgreSQL, the broker, the mail sink), in one line:
    "servers: postgres running · broker running, started again 1 time (last: killed by SIGKILL)"."""
    from portal_dev.supervisor import describe_exit

    names = {s.name for s in services}
    parts = []
    for name, process in processes.items():
        if name in names:
            continue
        part = f"{name} {process.state}"
        if process.restarts:
            times = "time" if process.restarts == 1 else "times"
            part += f", started again {process.restarts} {times} (last: {describe_exit(process.last_exit)})"
        parts.append(part)
    return "servers: " + " · ".join(parts) if parts else None


def any_down(statuses: list[ServiceStatus]) -> bool:
    return any(not s.ready for s in statuses)


def any_stalled(statuses: list[ServiceStatus]) -> bool:
    return any(s.metrics is not None and (s.metrics.stalled or 0) > 0 for s in statuses)


def stall_lines(statuses: list[ServiceStatus]) -> list[str]:
    """One sentence per kind of stalled document, in the order of the table:
    "invoicing: 33 invoices waiting in matching for over 60 s (oldest 412 s)"."""
    lines = []
    for status in statuses:
        stalled = status.metrics.stalled_by_kind if status.metrics else {}
        for kind, found in sorted(stalled.items()):
            if found.count <= 0:
                continue
            one, many = STALL_WORDING.get(kind, (f"document stalled at {kind}", f"documents stalled at {kind}"))
            line = f"{status.name}: {found.count:,.0f} {one if found.count == 1 else many}"
            if found.threshold_s is not None:
                line += f" for over {found.threshold_s:g} s"
            if found.oldest_age_s is not None:
                line += f" (oldest {found.oldest_age_s:,.0f} s)"
            lines.append(line)
    return lines
