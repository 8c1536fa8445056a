"""The benchmark's results: a table on the terminal, JSON files and a plot in ``var/bench/``.

``results`` is one JSON-able dict: ``pipeline`` and ``floor`` (``saturation`` and ``rates``, a
list of open-loop runs at the same rates), ``matching_cost`` and ``read_path`` when they ran,
``http_path`` (the HTTP path alone, its consumers stopped) when it ran, and the ratios
``throughput_ratio`` (pipeline saturation ÷ floor saturation), ``p99_ratio`` (pipeline p99
submit→status ÷ floor p99 at 50 % of the pipeline's saturation) and ``http_path_ratio`` (the HTTP
path alone ÷ floor saturation: what ``throughput_ratio`` would be if nothing after the submit cost
anything). ``read_path.web_pages`` (the web portal's pages beside the API call each wraps, with
their ``page_to_api_p50_ratio`` / ``page_to_api_p99_ratio``) get a table of their own.

``same_shape_floor`` (``bench.same_shape``: the pipeline's own hops in raw code) gives the ratios
that separate what the design asks for from what the implementation costs on top:
``throughput_ratio_same_shape`` (pipeline saturation ÷ its saturation), ``cpu_ratio_same_shape``
(CPU per invoice, pipeline ÷ it) and ``p99_ratio_same_shape`` (pipeline p99 submit→status ÷ its
p99 at the same rate, 50 % of the pipeline's saturation), with their targets (``targets`` and
``met``: at least 0.5 and at most 1.5).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

TARGET_THROUGHPUT_RATIO_SAME_SHAPE = 0.5
TARGET_P99_RATIO_SAME_SHAPE = 1.5


def _same_shape(results: dict[str, Any]) -> dict[str, Any] | None:
    """The same-shape floor's figures, when that phase ran."""
    found = results.get("same_shape_floor")
    return found if found and "saturation" in found else None


def _http_path(results: dict[str, Any]) -> dict[str, Any] | None:
    """The HTTP path alone's figures, when that phase ran."""
    found = results.get("http_path")
    return found if found and "throughput_per_s" in found else None


def ratios(results: dict[str, Any]) -> dict[str, Any]:
    pipeline, floor = results["pipeline"], results["floor"]
    throughput_ratio = http_path_ratio = None
    floor_rate = floor["saturation"]["throughput_per_s"]
    if floor_rate:
        throughput_ratio = round(pipeline["saturation"]["throughput_per_s"] / floor_rate, 2)
        if http := _http_path(results):
            http_path_ratio = round(http["throughput_per_s"] / floor_rate, 2)
    p99_ratio = None
    at_half = [(p, f) for p, f in zip(pipeline["rates"], floor["rates"], strict=False) if p.get("fraction") == 0.5]
    if at_half:
        p, f = at_half[0]
        if p["to_status_ms"]["p99"] is not None and f["end_to_end_ms"]["p99"]:
            p99_ratio = round(p["to_status_ms"]["p99"] / f["end_to_end_ms"]["p99"], 2)
    return {
        "throughput_ratio": throughput_ratio,
        "p99_ratio": p99_ratio,
        "http_path_ratio": http_path_ratio,
        **same_shape_ratios(results),
    }


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    return round(numerator / denominator, 2) if numerator is not None and denominator else None


def same_shape_ratios(results: dict[str, Any]) -> dict[str, Any]:
    """The pipeline against the same-shape floor: throughput, CPU per invoice and p99 at 50 %."""
    same = _same_shape(results)
    if same is None:
        return {}
    pipeline = results["pipeline"]
    cpu = pipeline["saturation"].get("cpu_ms_per_invoice", {}).get("total")
    p99s = [
        (p["to_status_ms"]["p99"], f["to_status_ms"]["p99"])
        for p, f in zip(pipeline["rates"], same["rates"], strict=False)
        if p.get("fraction") == 0.5
    ]
    found: dict[str, Any] = {
        "throughput_ratio_same_shape": _ratio(
            pipeline["saturation"]["throughput_per_s"], same["saturation"]["throughput_per_s"]
        ),
        "cpu_ratio_same_shape": _ratio(cpu, same["saturation"].get("cpu_ms_per_invoice", {}).get("total")),
        "p99_ratio_same_shape": _ratio(*p99s[0]) if p99s else None,
    }
    throughput, p99 = found["throughput_ratio_same_shape"], found["p99_ratio_same_shape"]
    found["same_shape_targets"] = {
        "throughput_ratio_same_shape": TARGET_THROUGHPUT_RATIO_SAME_SHAPE,
        "p99_ratio_same_shape": TARGET_P99_RATIO_SAME_SHAPE,
    }
    found["same_shape_met"] = {
        "throughput_ratio_same_shape": throughput is not None and throughput >= TARGET_THROUGHPUT_RATIO_SAME_SHAPE,
        "p99_ratio_same_shape": p99 is not None and p99 <= TARGET_P99_RATIO_SAME_SHAPE,
    }
    return found


def _headline(results: dict[str, Any]) -> str:
    return (
        f"throughput_ratio_same_shape {results.get('throughput_ratio_same_shape')}   "
        f"cpu_ratio_same_shape {results.get('cpu_ratio_same_shape')}   "
        f"p99_ratio_same_shape {results.get('p99_ratio_same_shape')}\n"
        f"throughput_ratio {results.get('throughput_ratio')}   p99_ratio {results.get('p99_ratio')}"
        f"   http_path_ratio {results.get('http_path_ratio')}"
    )


def _ms(value: Any) -> str:
    return "-" if value is None else f"{value:,.1f}"


def tables(results: dict[str, Any]) -> list[Table]:
    found = []
    head = Table(title="Throughput (invoices reaching a final status per second)", title_justify="left")
    for column in ("", "saturation /s", "clients", "submitted"):
        head.add_column(column, justify="right" if column else "left")
    for name, s in _saturations(results):
        head.add_row(name, f"{s['throughput_per_s']:,.1f}", str(s["clients"]), str(s["submitted"]))
    head.caption = _headline(results)
    found.append(head)

    latency = Table(title="Open-loop latency from the scheduled send time (ms)", title_justify="left")
    for column in ("rate /s", "what", "n", "p50", "p95", "p99", "max"):
        latency.add_column(column, justify="left" if column == "what" else "right")
    shown = None
    for rate, what, figures in _latency_rows(results):
        cells = (_ms(figures[k]) for k in ("p50", "p95", "p99", "max"))
        latency.add_row(rate if rate != shown else "", what, str(figures["count"]), *cells)
        shown = rate
    found.append(latency)

    hops = Table(title="Per hop at 50 % of saturation (ms)", title_justify="left")
    for column in ("hop", "p50", "p99"):
        hops.add_column(column, justify="left" if column == "hop" else "right")
    for label, name, figures in _hop_rows(results):
        hops.add_row(f"{label}: {name}", _ms(figures["p50"]), _ms(figures["p99"]))
    found.append(hops)

    columns = _cpu_columns(results)
    if columns:
        per_process = Table(title="CPU per invoice (ms)", title_justify="left")
        per_process.add_column("process")
        for title in columns:
            per_process.add_column(title, justify="right")
        for name, row in _cpu_rows(columns):
            per_process.add_row(name, *row)
        per_process.caption = "cores busy " + ", ".join(f"{t}: {c['cpu_cores_busy']}" for t, c in columns.items())
        found.append(per_process)

    if results.get("matching_cost"):
        found.append(_plain("Matching cost", results["matching_cost"]))
    if results.get("read_path"):
        read_path = results["read_path"]
        found.append(_plain("Read path", {k: v for k, v in read_path.items() if k != "web_pages"}))
        if read_path.get("web_pages"):
            web = Table(title="Web pages beside the API call each wraps (ms)", title_justify="left")
            web.add_column("page\nAPI call")
            for column in ("page\np50", "page\np99", "API\np50", "API\np99", "ratio\np50", "ratio\np99"):
                web.add_column(column, justify="right")
            for name, api, *ms_cells in _web_rows(read_path):
                web.add_row(f"{name}\n{api}", *ms_cells)
            web.caption = _web_caption(read_path)
            found.append(web)
    return found


WEB_COLUMNS = (
    "page",
    "API call",
    "page p50",
    "page p99",
    "API p50",
    "API p99",
    "page_to_api_p50_ratio",
    "page_to_api_p99_ratio",
)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _web_rows(read_path: dict[str, Any]) -> Iterator[list[str]]:
    """One row per web page (``WEB_COLUMNS``): its name, the API call (an id shown as ``{id}``),
    both figures and the two ratios."""
    for name, figures in read_path["web_pages"].items():
        page, api = figures["page_ms"], figures["api_ms"]
        yield [
            name,
            _UUID.sub("{id}", figures["api"]),
            _ms(page["p50_ms"]),
            _ms(page["p99_ms"]),
            _ms(api["p50_ms"]),
            _ms(api["p99_ms"]),
            str(figures["page_to_api_p50_ratio"]),
            str(figures["page_to_api_p99_ratio"]),
        ]


def _web_caption(read_path: dict[str, Any]) -> str:
    """The target and, per page and percentile, whether it was met."""
    target = read_path.get("targets", {}).get("page_to_api_ratio")
    met = read_path.get("met", {})
    missed = [
        f"{name} {cut}"
        for name in read_path["web_pages"]
        for cut in ("p50", "p99")
        if not met.get(f"{name}_page_to_api_{cut}")
    ]
    return f"Target: page ÷ API ≤ {target} at p50 and p99; " + ("met" if not missed else "missed: " + ", ".join(missed))


def _saturations(results: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, closed-loop figures) of the pipeline, the floor and, when it ran, the HTTP path alone."""
    yield "pipeline", results["pipeline"]["saturation"]
    if same := _same_shape(results):
        yield "same-shape floor", same["saturation"]
    yield "floor (minimal)", results["floor"]["saturation"]
    if http := _http_path(results):
        yield "HTTP path alone", http


def _cpu_columns(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The closed loops whose CPU per invoice was measured, by column title."""
    columns = {}
    saturation = results["pipeline"]["saturation"]
    if saturation.get("cpu_ms_per_invoice"):
        columns["pipeline at saturation"] = saturation
    same = _same_shape(results)
    if same and same["saturation"].get("cpu_ms_per_invoice"):
        columns["same-shape floor at saturation"] = same["saturation"]
    http = _http_path(results)
    if http and http.get("cpu_ms_per_invoice"):
        columns["HTTP path alone"] = http
    return columns


def _cpu_rows(columns: dict[str, dict[str, Any]]) -> Iterator[tuple[str, list[str]]]:
    """(process, one cell per column) in the first column's order, ``total`` last."""
    names: list[str] = []
    for figures in columns.values():
        names += [n for n in figures["cpu_ms_per_invoice"] if n not in names and n != "total"]
    for name in [*names, "total"]:
        yield name, [_ms(figures["cpu_ms_per_invoice"].get(name)) for figures in columns.values()]


def _latency_rows(results: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(rate, what, percentiles) for each rate: the pipeline's two latencies and the floors'."""
    same = _same_shape(results)
    same_rates = same["rates"] if same else []
    for i, (p, f) in enumerate(zip(results["pipeline"]["rates"], results["floor"]["rates"], strict=False)):
        rate = f"{p['rate_per_s']:g} ({p['fraction']:.0%})"
        yield rate, "pipeline submit → status", p["to_status_ms"]
        yield rate, "pipeline submit → email", p["to_email_ms"]
        if i < len(same_rates):
            yield rate, "same-shape floor submit → status", same_rates[i]["to_status_ms"]
        yield rate, "minimal floor submit → routed", f["end_to_end_ms"]


def _hop_rows(results: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(who, hop, percentiles) at 50 % of the pipeline's saturation."""
    parts = [("pipeline", results["pipeline"])]
    if same := _same_shape(results):
        parts.append(("same-shape floor", same))
    parts.append(("minimal floor", results["floor"]))
    for label, part in parts:
        for run in part["rates"]:
            if run.get("fraction") == 0.5:
                for name, figures in run["hops_ms"].items():
                    yield label, name, figures


def _plain(title: str, figures: dict[str, Any]) -> Table:
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column()
    table.add_column()
    for key, value in figures.items():
        table.add_row(str(key), json.dumps(value, default=str) if isinstance(value, dict | list) else str(value))
    return table


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pipeline, floor, same = results["pipeline"], results["floor"], _same_shape(results)
    figure, (left, right) = plt.subplots(1, 2, figsize=(14, 5.5))
    labels = ["p50", "p95", "p99"]
    for p, f in zip(pipeline["rates"], floor["rates"], strict=False):
        name = f"{p['rate_per_s']:g}/s"
        left.plot(labels, [p["to_status_ms"][k] for k in labels], marker="o", label=f"pipeline {name}")
        left.plot(
            labels, [f["end_to_end_ms"][k] for k in labels], marker="x", linestyle=":", label=f"minimal floor {name}"
        )
    for s in same["rates"] if same else []:
        name = f"{s['rate_per_s']:g}/s"
        left.plot(
            labels, [s["to_status_ms"][k] for k in labels], marker="s", linestyle="--", label=f"same-shape floor {name}"
        )
    left.set_yscale("log")
    left.set_ylabel("ms from the scheduled send time")
    left.set_title("Submit → final status: pipeline vs the floors")
    left.legend(fontsize=8)

    half = next((p for p in pipeline["rates"] if p.get("fraction") == 0.5), None)
    if half is not None:
        names = list(half["hops_ms"])
        p50 = [half["hops_ms"][n]["p50"] or 0 for n in names]
        p99 = [half["hops_ms"][n]["p99"] or 0 for n in names]
        positions = range(len(names))
        right.barh([y + 0.2 for y in positions], p50, height=0.4, label="p50")
        right.barh([y - 0.2 for y in positions], p99, height=0.4, label="p99")
        right.set_yticks(list(positions), names, fontsize=8)
        right.invert_yaxis()
        right.set_xlabel("ms")
        right.set_title(f"Pipeline per hop at {half['rate_per_s']:g}/s (50 %)")
        right.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write(results: dict[str, Any], out: Path, console: Console | None = None) -> Path:
    """Add the ratios, print the tables, write ``<UTC timestamp>.json``, ``latest.json`` and ``latest.png``."""
    results.update(ratios(results))
    results.setdefault("generated_at", datetime.now(UTC).isoformat(timespec="seconds"))
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2, default=str) + "\n"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = out / f"{stamp}.json"
    path.write_text(text)
    (out / "latest.json").write_text(text)
    plot(results, out / "latest.png")
    console = console or Console()
    for table in tables(results):
        console.print(table)
    console.print(f"Results: {path}  ({out / 'latest.json'}, {out / 'latest.png'})")
    return path


def markdown(results: dict[str, Any]) -> str:
    """The headline tables as Markdown (for docs/performance.md)."""
    lines = [
        f"Run of {results.get('generated_at', '?')} ({results.get('mode', '?')}); "
        f"phases (s): {json.dumps(results.get('phases_s', {}))}.",
        "",
        "| | saturation (invoices/s) | submitted |",
        "| --- | ---: | ---: |",
        *(f"| {name} | {s['throughput_per_s']} | {s['submitted']} |" for name, s in _saturations(results)),
        "",
        f"`throughput_ratio_same_shape` = **{results.get('throughput_ratio_same_shape')}**, "
        f"`cpu_ratio_same_shape` = **{results.get('cpu_ratio_same_shape')}**, "
        f"`p99_ratio_same_shape` = **{results.get('p99_ratio_same_shape')}**; against the minimal floor: "
        f"`throughput_ratio` = **{results.get('throughput_ratio')}**, `p99_ratio` = **{results.get('p99_ratio')}**, "
        f"`http_path_ratio` = **{results.get('http_path_ratio')}**",
        "",
        "| rate /s | latency from the scheduled time (ms) | n | p50 | p95 | p99 | max |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for rate, what, figures in _latency_rows(results):
        cells = " | ".join(_ms(figures[k]) for k in ("p50", "p95", "p99", "max"))
        lines.append(f"| {rate} | {what} | {figures['count']} | {cells} |")
    lines += ["", "| hop, at 50 % of saturation | p50 (ms) | p99 (ms) |", "| --- | ---: | ---: |"]
    for label, name, figures in _hop_rows(results):
        lines.append(f"| {label}: {name} | {_ms(figures['p50'])} | {_ms(figures['p99'])} |")
    columns = _cpu_columns(results)
    if columns:
        lines += ["", "| CPU per invoice (ms) | " + " | ".join(columns) + " |"]
        lines += ["| --- |" + " ---: |" * len(columns)]
        lines += [f"| {name} | " + " | ".join(cells) + " |" for name, cells in _cpu_rows(columns)]
        busy = "; ".join(f"{title}, {figures['cpu_cores_busy']}" for title, figures in columns.items())
        lines += ["", f"Cores kept busy: {busy}."]
    read_path = results.get("read_path") or {}
    if read_path.get("web_pages"):
        header = [*WEB_COLUMNS[:2], *(f"{c} (ms)" for c in WEB_COLUMNS[2:6]), *(f"`{c}`" for c in WEB_COLUMNS[6:])]
        lines += ["", "| " + " | ".join(header) + " |", "| --- | --- |" + " ---: |" * (len(header) - 2)]
        lines += [f"| {name} | `{api}` | " + " | ".join(cells) + " |" for name, api, *cells in _web_rows(read_path)]
        lines += ["", _web_caption(read_path) + "."]
    return "\n".join(lines) + "\n"
