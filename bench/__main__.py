"""``python -m bench [--quick] [--out var/bench]``: how fast the pipeline is, against its floors.

Starts the whole system on the embedded servers (free ports, a data directory under /tmp), then
measures in this order: the pipeline's saturation, the minimal floor's saturation, both at
10/50/80 % of the pipeline's saturation (open loop), the matching cost, the read path, on a stack
it started itself the HTTP path alone (``bench.http_path``: the consumers stopped), and last the
same-shape floor (``bench.same_shape``), at saturation and at the same rates, with the services
stopped when the stack is the bench's own. See
docs/performance.md for what each figure means. Before each phase the bench takes its own heap out
of the garbage collector's reach (``gc.freeze``, as the services do after start-up), so that a full
collection does not stop the clock of the requests in flight.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import typer
from httpx_aiohttp import AiohttpTransport
from rich.console import Console

from bench import http_path, report
from bench.floor import Floor
from bench.pipeline import Pipeline
from bench.same_shape import SameShapeFloor
from portal_dev.broker import EmbeddedBroker
from portal_dev.postgres import EmbeddedPostgres
from portal_dev.stack import SERVICES, Stack, StackConfig
from shared.runtime import settle_garbage_collector
from shared.settings import plain_database_url

FRACTIONS = (0.1, 0.5, 0.8)


@dataclass(frozen=True)
class Sizes:
    saturation_s: float
    saturation_pos: int
    rate_s: float
    http_path_s: float
    http_path_pos: int
    clients: int = 32

    @classmethod
    def of(cls, quick: bool) -> Sizes:
        """The pipeline's saturation has POs for 66 invoices/s through its whole time: a closed loop
        that runs out of them ends its window early (200 POs gave the quick run about 2.5 s of
        window at 55/s instead of 4.5)."""
        if quick:
            return cls(saturation_s=6, saturation_pos=400, rate_s=3, http_path_s=3, http_path_pos=600)
        return cls(saturation_s=30, saturation_pos=2000, rate_s=20, http_path_s=12, http_path_pos=2400)


console = Console()
app = typer.Typer(add_completion=False)


async def measure(stack: Stack, sizes: Sizes, quick: bool) -> dict[str, Any]:
    # Idle connections are dropped after 2 s, before the server's keep-alive timeout (uvicorn: 5 s)
    # closes them, so a request never goes out on a connection the server is closing. The clients'
    # pool is aiohttp's, as the gateway's: httpcore's looks at every pooled connection on every
    # request, a cost that grew with the 32 clients' connections and ran on the cores measured.
    limits = httpx.Limits(max_connections=64, keepalive_expiry=2.0)
    transport = AiohttpTransport(limits=limits)
    async with httpx.AsyncClient(
        base_url=stack.config.gateway_url + "/api/v1", timeout=60, limits=limits, transport=transport
    ) as api:
        return await _measure(stack, api, sizes, quick)


async def _measure(stack: Stack, api: httpx.AsyncClient, sizes: Sizes, quick: bool) -> dict[str, Any]:
    started = time.monotonic()
    results: dict[str, Any] = {"mode": "quick" if quick else "full", "sizes": vars(sizes)}
    phases: dict[str, float] = results.setdefault("phases_s", {})
    mark = [time.monotonic()]

    def lap(name: str) -> None:
        now = time.monotonic()
        phases[name] = round(now - mark[0], 1)
        mark[0] = now

    pipeline = Pipeline(stack, api)
    await pipeline.prepare()
    console.print(f"Creating {sizes.saturation_pos} purchase orders...")
    pos = await pipeline.purchase_orders(sizes.saturation_pos)
    console.print(f"Pipeline saturation ({sizes.saturation_s:g} s, {sizes.clients} clients)...")
    settle_garbage_collector()
    saturation = await pipeline.saturation(pos, sizes.saturation_s, clients=sizes.clients)
    console.print(f"  {saturation['throughput_per_s']}/s")
    rates = [max(1.0, round(saturation["throughput_per_s"] * f, 1)) for f in FRACTIONS]
    needed = [round(r * sizes.rate_s) for r in rates]
    console.print(f"Creating {sum(needed)} purchase orders and draft invoices for the open loops...")
    drafts = await pipeline.drafts(await pipeline.purchase_orders(sum(needed)))
    runs = []
    for fraction, rate, count in zip(FRACTIONS, rates, needed, strict=True):
        console.print(f"Pipeline open loop at {rate:g}/s ({fraction:.0%})...")
        settle_garbage_collector()
        run = await pipeline.at_rate(drafts[:count], rate, sizes.rate_s)
        drafts = drafts[count:]
        runs.append({"fraction": fraction, **run})
    results["pipeline"] = {"saturation": saturation, "rates": runs, "setup_retries": pipeline.retries}
    lap("pipeline")

    floor = Floor(dsn=floor_database(stack), bootstrap_servers=stack.bootstrap_servers)
    async with floor.running():
        console.print(f"Floor saturation ({sizes.saturation_s:g} s)...")
        settle_garbage_collector()
        floor_saturation = await floor.saturation(sizes.saturation_s, clients=sizes.clients)
        console.print(f"  {floor_saturation['throughput_per_s']}/s")
        floor_runs = []
        for fraction, rate in zip(FRACTIONS, rates, strict=True):
            console.print(f"Floor open loop at {rate:g}/s ({fraction:.0%})...")
            settle_garbage_collector()
            floor_runs.append({"fraction": fraction, **await floor.at_rate(rate, sizes.rate_s)})
    results["floor"] = {"saturation": floor_saturation, "rates": floor_runs, "errors": floor.errors}
    lap("floor")

    missing = []
    try:
        matching_cost = importlib.import_module("bench.matching_cost")
        console.print("Matching cost...")
        settle_garbage_collector()
        results["matching_cost"] = matching_cost.run(quick)
        lap("matching_cost")
    except ModuleNotFoundError as exc:
        missing.append(f"bench.matching_cost ({exc})")
    try:
        read_path = importlib.import_module("bench.read_path")
        console.print("Read path...")
        settle_garbage_collector()
        results["read_path"] = await read_path.run(stack, quick)
        lap("read_path")
    except ModuleNotFoundError as exc:
        missing.append(f"bench.read_path ({exc})")
    own_stack = http_path.runnable(stack)
    if own_stack:
        # After the phases that need the services: it leaves the consumers stopped.
        console.print(f"Creating {sizes.http_path_pos} purchase orders for the HTTP path alone...")
        pos = await pipeline.purchase_orders(sizes.http_path_pos)
        console.print(f"HTTP path alone ({sizes.http_path_s:g} s, {', '.join(http_path.CONSUMERS)} stopped)...")
        settle_garbage_collector()
        results["http_path"] = await http_path.saturation(
            pipeline, stack, pos, sizes.http_path_s, clients=sizes.clients
        )
        console.print(f"  {results['http_path']['throughput_per_s']}/s")
        lap("http_path")
    else:
        results["http_path"] = {"skipped": "measured only on a stack the bench starts: it stops services"}
        console.print(f"HTTP path alone: skipped ({results['http_path']['skipped']})")
    results["same_shape_floor"] = await same_shape_floor(stack, sizes, rates, needed, stop_services=own_stack)
    lap("same_shape_floor")
    results["missing"] = missing
    results["elapsed_s"] = round(time.monotonic() - started, 1)
    return results


async def same_shape_floor(
    stack: Stack, sizes: Sizes, rates: list[float], needed: list[int], *, stop_services: bool
) -> dict[str, Any]:
    """The same-shape floor (``bench.same_shape``) at saturation and at the pipeline's open-loop
    rates. On a stack the bench started, the product's services are stopped first, so that the
    floor has the cores to itself as the pipeline had them (their idle polling is the pipeline's
    cost, not the floor's); attached to a running system, they keep running beside it."""
    if stop_services:
        stack.stop_services()
        stack.stop_service("web")
    work_dir = Path(tempfile.mkdtemp(prefix="portal-bench-same-shape-"))
    floor = SameShapeFloor(stack, work_dir)
    orders = round(sizes.saturation_s * 400) + sum(needed) + 100
    console.print(f"Starting the same-shape floor ({orders} purchase orders)...")
    try:
        async with floor.running(orders):
            console.print(f"Same-shape floor saturation ({sizes.saturation_s:g} s, {sizes.clients} clients)...")
            settle_garbage_collector()
            saturation = await floor.saturation(sizes.saturation_s, clients=sizes.clients)
            console.print(f"  {saturation['throughput_per_s']}/s")
            drafts = await floor.drafts(sum(needed))
            runs = []
            for fraction, rate, count in zip(FRACTIONS, rates, needed, strict=True):
                console.print(f"Same-shape floor open loop at {rate:g}/s ({fraction:.0%})...")
                settle_garbage_collector()
                runs.append({"fraction": fraction, **await floor.at_rate(drafts[:count], rate, sizes.rate_s)})
                drafts = drafts[count:]
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    return {
        "saturation": saturation,
        "rates": runs,
        "errors": floor.errors,
        "services_stopped": stop_services,
    }


def floor_database(stack: Stack) -> str:
    """The floor's own database: on the embedded PostgreSQL, or ``BENCH_FLOOR_DATABASE_URL``."""
    if os.environ.get("BENCH_FLOOR_DATABASE_URL"):
        return plain_database_url(os.environ["BENCH_FLOOR_DATABASE_URL"])
    if stack.postgres is None:
        raise typer.BadParameter("the services use external databases: set BENCH_FLOOR_DATABASE_URL for the floor")
    stack.postgres.create_databases(["bench_floor"])
    return plain_database_url(stack.postgres.url("bench_floor"))


def attached() -> Stack:
    """The system ``make up`` runs, described by the same environment, without starting anything:
    its embedded PostgreSQL and broker (unless external ones are configured), its gateway, and
    the SMTP sink's directory, where the bench reads the emails."""
    config = StackConfig.from_environment()
    stack = Stack(config)
    if any(service not in config.database_urls for service in SERVICES):
        stack.postgres = EmbeddedPostgres(config.data_dir / "postgres" / "data", config.postgres_port)
    if not config.kafka_bootstrap_servers:
        stack.broker = EmbeddedBroker(config.broker_port, stack.logs_dir / "broker.log")
    if config.smtp_host:
        raise typer.BadParameter("the emails go to an external SMTP server: the bench reads them in the SMTP sink")
    try:
        httpx.get(config.gateway_url + "/api/v1/health", timeout=5).raise_for_status()
    except httpx.HTTPError as exc:
        raise typer.BadParameter(
            f"no running system answers at {config.gateway_url} ({exc}): start it with make up"
        ) from None
    return stack


@app.command()
def main(
    quick: bool = typer.Option(False, "--quick", help="Short phases and small sizes (under 2 minutes)."),
    out: Path = typer.Option(Path("var/bench"), "--out", help="Where the JSON files and the plot go."),
    keep: bool = typer.Option(False, "--keep", help="Keep the stack's data directory (logs) afterwards."),
    running: bool = typer.Option(
        False,
        "--running",
        help="Measure the system `make up` runs (read from the same environment) instead of starting one. "
        "The bench works in organisations of its own, but leaves their data in that system's databases.",
    ),
) -> None:
    """Measure the pipeline, its floor, the matching cost, the read path and the HTTP path alone;
    write the report."""
    if running:
        measure_running(quick, out)
        return
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
    finish(results, began, out)


def measure_running(quick: bool, out: Path) -> None:
    began = time.monotonic()
    stack = attached()
    console.print(f"Measuring the running system at {stack.config.gateway_url}...")
    results = asyncio.run(measure(stack, Sizes.of(quick), quick))
    results["attached_to"] = stack.config.gateway_url
    finish(results, began, out)


def finish(results: dict[str, Any], began: float, out: Path) -> None:
    results["total_s"] = round(time.monotonic() - began, 1)
    report.write(results, out, console)
    if results["missing"]:
        console.print(f"[red]Not measured, module missing: {', '.join(results['missing'])}[/red]")
        sys.exit(1)


if __name__ == "__main__":
    app()
