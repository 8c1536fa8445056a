"""``python -m bench [--quick] [--out var/bench]``: how fast the pipeline is, against its floor.

Starts the whole system on the embedded servers (free ports, a data directory under /tmp), then
measures in this order: the pipeline's saturation, the floor's saturation, both at 10/50/80 % of
the pipeline's saturation (open loop), the matching cost and the read path. See
docs/performance.md for what each figure means.
"""

from __future__ import annotations

import asyncio
import importlib
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import typer
from rich.console import Console

from bench import report
from bench.floor import Floor
from bench.pipeline import Pipeline
from shared.devstack.stack import Stack, StackConfig
from shared.settings import plain_database_url

FRACTIONS = (0.1, 0.5, 0.8)


@dataclass(frozen=True)
class Sizes:
    saturation_s: float
    saturation_pos: int
    rate_s: float
    clients: int = 32

    @classmethod
    def of(cls, quick: bool) -> Sizes:
        return cls(saturation_s=6, saturation_pos=200, rate_s=3) if quick else cls(30, 1200, 20)


console = Console()
app = typer.Typer(add_completion=False)


async def measure(stack: Stack, sizes: Sizes, quick: bool) -> dict[str, Any]:
    started = time.monotonic()
    results: dict[str, Any] = {"mode": "quick" if quick else "full", "sizes": vars(sizes)}
    phases: dict[str, float] = results.setdefault("phases_s", {})
    mark = [time.monotonic()]

    def lap(name: str) -> None:
        now = time.monotonic()
        phases[name] = round(now - mark[0], 1)
        mark[0] = now

    # Idle connections are dropped after 2 s, before the server's keep-alive timeout (uvicorn: 5 s)
    # closes them, so a request never goes out on a connection the server is closing.
    limits = httpx.Limits(max_connections=64, keepalive_expiry=2.0)
    async with httpx.AsyncClient(base_url=stack.config.gateway_url + "/api/v1", timeout=60, limits=limits) as api:
        pipeline = Pipeline(stack, api)
        await pipeline.prepare()
        console.print(f"Creating {sizes.saturation_pos} purchase orders...")
        pos = await pipeline.purchase_orders(sizes.saturation_pos)
        console.print(f"Pipeline saturation ({sizes.saturation_s:g} s, {sizes.clients} clients)...")
        saturation = await pipeline.saturation(pos, sizes.saturation_s, clients=sizes.clients)
        console.print(f"  {saturation['throughput_per_s']}/s")
        rates = [max(1.0, round(saturation["throughput_per_s"] * f, 1)) for f in FRACTIONS]
        needed = [round(r * sizes.rate_s) for r in rates]
        console.print(f"Creating {sum(needed)} purchase orders and draft invoices for the open loops...")
        drafts = await pipeline.drafts(await pipeline.purchase_orders(sum(needed)))
        runs = []
        for fraction, rate, count in zip(FRACTIONS, rates, needed, strict=True):
            console.print(f"Pipeline open loop at {rate:g}/s ({fraction:.0%})...")
            run = await pipeline.at_rate(drafts[:count], rate, sizes.rate_s)
            drafts = drafts[count:]
            runs.append({"fraction": fraction, **run})
        results["pipeline"] = {"saturation": saturation, "rates": runs, "setup_retries": pipeline.retries}
    lap("pipeline")

    assert stack.postgres is not None
    stack.postgres.create_databases(["bench_floor"])
    floor = Floor(dsn=plain_database_url(stack.postgres.url("bench_floor")), bootstrap_servers=stack.bootstrap_servers)
    async with floor.running():
        console.print(f"Floor saturation ({sizes.saturation_s:g} s)...")
        floor_saturation = await floor.saturation(sizes.saturation_s, clients=sizes.clients)
        console.print(f"  {floor_saturation['throughput_per_s']}/s")
        floor_runs = []
        for fraction, rate in zip(FRACTIONS, rates, strict=True):
            console.print(f"Floor open loop at {rate:g}/s ({fraction:.0%})...")
            floor_runs.append({"fraction": fraction, **await floor.at_rate(rate, sizes.rate_s)})
    results["floor"] = {"saturation": floor_saturation, "rates": floor_runs, "errors": floor.errors}
    lap("floor")

    missing = []
    try:
        matching_cost = importlib.import_module("bench.matching_cost")
        console.print("Matching cost...")
        results["matching_cost"] = matching_cost.run(quick)
        lap("matching_cost")
    except ModuleNotFoundError as exc:
        missing.append(f"bench.matching_cost ({exc})")
    try:
        read_path = importlib.import_module("bench.read_path")
        console.print("Read path...")
        results["read_path"] = await read_path.run(stack, quick)
        lap("read_path")
    except ModuleNotFoundError as exc:
        missing.append(f"bench.read_path ({exc})")
    results["missing"] = missing
    results["elapsed_s"] = round(time.monotonic() - started, 1)
    return results


@app.command()
def main(
    quick: bool = typer.Option(False, "--quick", help="Short phases and small sizes (under 2 minutes)."),
    out: Path = typer.Option(Path("var/bench"), "--out", help="Where the JSON files and the plot go."),
    keep: bool = typer.Option(False, "--keep", help="Keep the stack's data directory (logs) afterwards."),
) -> None:
    """Measure the pipeline, its floor, the matching cost and the read path; write the report."""
    began = time.monotonic()
    data_dir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    stack = Stack(StackConfig.for_tests(data_dir))
    failed = True
    try:
        console.print(f"Starting the system in {data_dir}...")
        stack.start()
        start_s = round(time.monotonic() - began, 1)
        console.print(f"  started in {start_s:g} s")
        results = asyncio.run(measure(stack, Sizes.of(quick), quick))
        results["phases_s"] = {"stack_start": start_s, **results["phases_s"]}
        failed = False
    finally:
        stack.stop()
        if failed or keep:
            console.print(f"Stack data and logs kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    results["total_s"] = round(time.monotonic() - began, 1)
    report.write(results, out, console)
    if results["missing"]:
        console.print(f"[red]Not measured, module missing: {', '.join(results['missing'])}[/red]")
        sys.exit(1)


if __name__ == "__main__":
    app()
