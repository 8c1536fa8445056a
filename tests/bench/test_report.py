"""The benchmark's pure parts: percentiles, open-loop schedules, the ratios and the report files."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from rich.console import Console

from bench import report
from bench.floor import HOPS as FLOOR_HOPS
from bench.floor import Trace
from bench.pipeline import HOPS as PIPELINE_HOPS
from bench.pipeline import Trace as PipelineTrace
from bench.timing import closed_loop, percentile, rate_in_window, schedule, summary_ms


def test_nearest_rank_percentiles_of_a_hundred_values() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile([7.0], 99) == 7.0


def test_summary_is_in_milliseconds_and_counts_the_values() -> None:
    assert summary_ms([0.010, 0.020, 0.030]) == {"count": 3, "p50": 20.0, "p95": 30.0, "p99": 30.0, "max": 30.0}
    assert summary_ms([]) == {"count": 0, "p50": None, "p95": None, "p99": None, "max": None}


def test_an_open_loop_schedule_is_evenly_spaced_at_the_rate() -> None:
    assert schedule(4, 1.0) == [0.0, 0.25, 0.5, 0.75]
    assert len(schedule(33.3, 3.0)) == 100


def test_the_rate_counts_only_completions_inside_the_window() -> None:
    assert rate_in_window([0.5, 1.0, 1.5, 2.0, 2.5, 3.0], 1.0, 3.0) == 2.0
    assert rate_in_window([1.0], 2.0, 2.0) == 0.0


async def test_a_closed_loop_hands_each_client_one_item_at_a_time_until_they_run_out() -> None:
    in_hand: list[int] = []
    handled: list[int] = []

    async def handle(item: int) -> None:
        in_hand.append(item)
        assert len(in_hand) <= 3
        await asyncio.sleep(0.001)
        in_hand.remove(item)
        handled.append(item)

    start, sending_end, ran_out = await closed_loop(list(range(20)), 30.0, 3, handle)
    assert ran_out and sorted(handled) == list(range(20))
    assert start <= sending_end < start + 30.0


def test_a_floor_trace_splits_its_latency_into_its_three_hops() -> None:
    trace = Trace(scheduled=10.0, submitted=10.002, matched=10.010, routed=10.015)
    hops = trace.hops()
    assert len(hops) == len(FLOOR_HOPS) == 3
    assert [round(h, 3) for h in hops] == [0.002, 0.008, 0.005]


def test_a_pipeline_trace_has_one_share_per_hop_and_misses_only_what_was_not_seen() -> None:
    trace = PipelineTrace(scheduled=1.0, submitted_event=1.02, submitted_published=1.03, verdict_event=1.05)
    hops = trace.hops()
    assert len(set(PIPELINE_HOPS)) == len(PIPELINE_HOPS) == len(hops)
    assert [round(h, 3) if h is not None else None for h in hops] == [0.02, 0.01, 0.02, None, None, None, None]


def _run(rate: float, fraction: float, p99: float, pipeline: bool) -> dict[str, Any]:
    figures = {"count": 10, "p50": p99 / 3, "p95": p99 / 1.5, "p99": p99, "max": p99 * 1.2}
    hops = {name: figures for name in (PIPELINE_HOPS if pipeline else FLOOR_HOPS)}
    if pipeline:
        return {
            "rate_per_s": rate,
            "fraction": fraction,
            "to_status_ms": figures,
            "to_email_ms": figures,
            "hops_ms": hops,
        }
    return {"rate_per_s": rate, "fraction": fraction, "end_to_end_ms": figures, "hops_ms": hops}


def synthetic() -> dict[str, Any]:
    fractions = ((10.0, 0.1), (50.0, 0.5), (80.0, 0.8))
    return {
        "pipeline": {
            "saturation": {
                "throughput_per_s": 100.0,
                "clients": 32,
                "submitted": 700,
                "cpu_ms_per_invoice": {"invoicing": 9.5, "matching": 6.0, "total": 15.5},
                "cpu_cores_busy": 1.55,
            },
            "rates": [_run(r, f, 90.0, True) for r, f in fractions],
        },
        "floor": {
            "saturation": {"throughput_per_s": 400.0, "clients": 32, "submitted": 2500},
            "rates": [_run(r, f, 30.0, False) for r, f in fractions],
        },
        "matching_cost": {"per_line_us_at_10000": 3.2},
        "read_path": {"purchase_orders_p99_ms": 4.1},
    }


def with_http_path(results: dict[str, Any]) -> dict[str, Any]:
    results["http_path"] = {
        "stopped": ["orders", "matching", "notifier"],
        "throughput_per_s": 160.0,
        "clients": 32,
        "submitted": 1900,
        "cpu_ms_per_invoice": {"gateway": 2.0, "invoicing": 4.0, "total": 6.0},
        "cpu_cores_busy": 0.96,
    }
    return results


def with_same_shape(results: dict[str, Any], *, throughput: float = 180.0, p99: float = 60.0) -> dict[str, Any]:
    def run(rate: float, fraction: float) -> dict[str, Any]:
        figures = {"count": 10, "p50": p99 / 3, "p95": p99 / 1.5, "p99": p99, "max": p99 * 1.2}
        return {"rate_per_s": rate, "fraction": fraction, "to_status_ms": figures, "hops_ms": {"http": figures}}

    results["same_shape_floor"] = {
        "saturation": {
            "throughput_per_s": throughput,
            "clients": 32,
            "submitted": 5000,
            "cpu_ms_per_invoice": {"floor invoicing": 2.5, "postgres": 3.7, "total": 6.2},
            "cpu_cores_busy": 1.9,
        },
        "rates": [run(r, f) for r, f in ((10.0, 0.1), (50.0, 0.5), (80.0, 0.8))],
        "errors": 0,
        "services_stopped": True,
    }
    return results


def test_the_same_shape_ratios_compare_throughput_cpu_and_the_p99_at_half_of_saturation() -> None:
    found = report.ratios(with_same_shape(synthetic()))

    assert found["throughput_ratio_same_shape"] == 0.56  # 100 / 180
    assert found["cpu_ratio_same_shape"] == 2.5  # 15.5 / 6.2
    assert found["p99_ratio_same_shape"] == 1.5  # 90 / 60
    assert found["same_shape_met"] == {"throughput_ratio_same_shape": True, "p99_ratio_same_shape": True}
    slower = report.ratios(with_same_shape(synthetic(), throughput=250.0, p99=50.0))
    assert slower["throughput_ratio_same_shape"] == 0.4
    assert slower["same_shape_met"] == {"throughput_ratio_same_shape": False, "p99_ratio_same_shape": False}


def test_without_the_same_shape_floor_there_are_no_same_shape_ratios() -> None:
    assert "throughput_ratio_same_shape" not in report.ratios(synthetic())


def test_the_same_shape_floor_has_its_rows_and_its_cpu_column() -> None:
    results = with_same_shape(with_http_path(synthetic()))
    results.update(report.ratios(results))
    text = report.markdown(results)

    assert "| same-shape floor | 180.0 | 5000 |" in text
    assert "`throughput_ratio_same_shape` = **0.56**, `cpu_ratio_same_shape` = **2.5**" in text
    assert "`p99_ratio_same_shape` = **1.5**" in text
    assert text.count("| same-shape floor submit → status |") == 3
    assert "| same-shape floor: http | 20.0 | 60.0 |" in text
    assert (
        "| CPU per invoice (ms) | pipeline at saturation | same-shape floor at saturation | HTTP path alone |" in text
    )
    assert "| floor invoicing | - | 2.5 | - |" in text
    assert "| total | 15.5 | 6.2 | 6.0 |" in text
    console = Console(record=True, width=160)
    for table in report.tables(results):
        console.print(table)
    shown = " ".join(console.export_text().split())
    assert "throughput_ratio_same_shape 0.56" in shown
    assert "same-shape floor submit → status" in shown


def test_the_ratios_compare_saturations_and_the_p99_at_half_of_saturation() -> None:
    assert report.ratios(synthetic()) == {"throughput_ratio": 0.25, "p99_ratio": 3.0, "http_path_ratio": None}


def test_the_http_path_alone_is_compared_with_the_floor_when_it_ran() -> None:
    assert report.ratios(with_http_path(synthetic()))["http_path_ratio"] == 0.4
    skipped = synthetic()
    skipped["http_path"] = {"skipped": "measured only on a stack the bench starts: it stops services"}
    assert report.ratios(skipped)["http_path_ratio"] is None


def test_the_report_writes_the_json_files_and_the_plot(tmp_path: Path) -> None:
    console = Console(record=True, width=160)
    written = report.write(synthetic(), tmp_path, console)

    latest = json.loads((tmp_path / "latest.json").read_text())
    assert json.loads(written.read_text()) == latest
    assert latest["throughput_ratio"] == 0.25
    assert latest["p99_ratio"] == 3.0
    assert latest["read_path"] == {"purchase_orders_p99_ms": 4.1}
    assert (tmp_path / "latest.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = console.export_text()
    assert "pipeline submit → status" in text
    assert "throughput_ratio 0.25" in text
    assert "CPU per invoice (ms)" in text


def test_the_markdown_tables_carry_the_ratios_and_every_rate() -> None:
    results = synthetic()
    results.update(report.ratios(results))
    text = report.markdown(results)
    assert "`throughput_ratio` = **0.25**, `p99_ratio` = **3.0**, `http_path_ratio` = **None**" in text
    assert text.count("| pipeline submit → status |") == 3
    assert "same-shape" not in text
    assert f"| pipeline: {PIPELINE_HOPS[0]} |" in text
    assert "| CPU per invoice (ms) | pipeline at saturation |" in text
    assert "| invoicing | 9.5 |" in text
    assert "| total | 15.5 |" in text
    assert "Cores kept busy: pipeline at saturation, 1.55." in text
    assert "HTTP path alone" not in text


def test_the_http_path_alone_has_its_throughput_row_and_cpu_column() -> None:
    results = with_http_path(synthetic())
    results.update(report.ratios(results))
    text = report.markdown(results)
    assert "| HTTP path alone | 160.0 | 1900 |" in text
    assert "`http_path_ratio` = **0.4**" in text
    assert "| CPU per invoice (ms) | pipeline at saturation | HTTP path alone |" in text
    # Processes in the pipeline's order; those stopped for the HTTP path show "-".
    assert "| invoicing | 9.5 | 4.0 |\n| matching | 6.0 | - |\n| gateway | - | 2.0 |\n| total | 15.5 | 6.0 |" in text
    assert "Cores kept busy: pipeline at saturation, 1.55; HTTP path alone, 0.96." in text

    console = Console(record=True, width=160)
    for table in report.tables(results):
        console.print(table)
    shown = " ".join(console.export_text().split())  # the caption wraps at the table's width
    assert "HTTP path alone" in shown
    assert "http_path_ratio 0.4" in shown


ORDER_ID = "166adfc4-3513-498c-a7f8-ab5705727bb5"


def with_web_pages(results: dict[str, Any]) -> dict[str, Any]:
    def figures(p50: float, p99: float) -> dict[str, Any]:
        return {"count": 100, "p50_ms": p50, "p99_ms": p99, "max_ms": p99 + 1, "bytes": 1000}

    results["read_path"] = {
        "purchase_orders_p99_ms": 4.1,
        "web_pages": {
            "dashboard": {
                "page": "/",
                "api": "/portal/summary",
                "page_ms": figures(12.0, 20.0),
                "api_ms": figures(8.0, 10.0),
                "page_to_api_p50_ratio": 1.5,
                "page_to_api_p99_ratio": 2.0,
            },
            "orders_list": {
                "page": "/purchase-orders",
                "api": "/purchase-orders?limit=25",
                "page_ms": figures(30.0, 45.0),
                "api_ms": figures(10.0, 15.0),
                "page_to_api_p50_ratio": 3.0,
                "page_to_api_p99_ratio": 3.0,
            },
            "order_page": {
                "page": f"/purchase-orders/{ORDER_ID}",
                "api": f"/purchase-orders/{ORDER_ID}",
                "page_ms": figures(9.0, 12.0),
                "api_ms": figures(4.5, 6.0),
                "page_to_api_p50_ratio": 2.0,
                "page_to_api_p99_ratio": 2.0,
            },
        },
        "targets": {"p99_ms": 20.0, "page_to_api_ratio": 2.0},
        "met": {
            "dashboard_page_to_api_p50": True,
            "dashboard_page_to_api_p99": True,
            "orders_list_page_to_api_p50": False,
            "orders_list_page_to_api_p99": False,
            "order_page_page_to_api_p50": True,
            "order_page_page_to_api_p99": True,
        },
    }
    return results


def test_the_web_pages_have_a_table_of_their_own_beside_the_api_calls_they_wrap(tmp_path: Path) -> None:
    results = with_web_pages(synthetic())
    console = Console(record=True, width=200)
    report.write(results, tmp_path, console)

    latest = json.loads((tmp_path / "latest.json").read_text())
    assert latest["read_path"]["web_pages"]["dashboard"]["page_to_api_p99_ratio"] == 2.0
    assert latest["read_path"]["met"]["orders_list_page_to_api_p50"] is False
    shown = " ".join(console.export_text().replace("│", " ").split())  # the cells, without the table's rules
    assert "Web pages beside the API call each wraps (ms)" in shown
    assert "dashboard 12.0 20.0 8.0 10.0 1.5 2.0 /portal/summary" in shown
    assert "orders_list 30.0 45.0 10.0 15.0 3.0 3.0 /purchase-orders?limit=25" in shown
    assert "order_page 9.0 12.0 4.5 6.0 2.0 2.0 /purchase-orders/{id}" in shown
    assert "Target: page ÷ API ≤ 2.0 at p50 and p99; missed: orders_list p50, orders_list p99" in shown
    # Not again, as one long line, in the read path's plain table.
    assert shown.count("/portal/summary") == 1


def test_the_markdown_has_the_web_pages_and_their_ratios() -> None:
    results = with_web_pages(synthetic())
    results.update(report.ratios(results))
    text = report.markdown(results)

    assert (
        "| page | API call | page p50 (ms) | page p99 (ms) | API p50 (ms) | API p99 (ms) "
        "| `page_to_api_p50_ratio` | `page_to_api_p99_ratio` |"
    ) in text
    assert "| dashboard | `/portal/summary` | 12.0 | 20.0 | 8.0 | 10.0 | 1.5 | 2.0 |" in text
    assert "| orders_list | `/purchase-orders?limit=25` | 30.0 | 45.0 | 10.0 | 15.0 | 3.0 | 3.0 |" in text
    assert "| order_page | `/purchase-orders/{id}` | 9.0 | 12.0 | 4.5 | 6.0 | 2.0 | 2.0 |" in text
    assert "Target: page ÷ API ≤ 2.0 at p50 and p99; missed: orders_list p50, orders_list p99." in text
    assert "Web" not in report.markdown(synthetic() | report.ratios(synthetic()))
