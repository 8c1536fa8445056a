"""The floor of the benchmark runs on real servers: every invoice it submits is routed once."""

from __future__ import annotations

import itertools

import pytest

from bench.floor import HOPS, Floor
from portal_dev.testing import Servers
from shared.settings import plain_database_url

pytestmark = pytest.mark.integration


async def test_floor_routes_every_invoice_it_submits_at_a_fixed_rate(servers: Servers, broker: str) -> None:
    dsn = plain_database_url(await servers.create_database("bench_floor"))
    floor = Floor(dsn=dsn, bootstrap_servers=broker)
    async with floor.running():
        result = await floor.at_rate(20, 1.0)
        saturation = await floor.saturation(1.0, clients=4, warmup_s=0.2)

    assert result["sent"] == 20
    assert result["end_to_end_ms"]["count"] == 20
    assert set(result["hops_ms"]) == set(HOPS)
    assert all(hop["count"] == 20 for hop in result["hops_ms"].values())
    assert floor.errors == 0
    assert saturation["submitted"] == len(floor.traces) > 0
    assert floor.done(list(floor.traces)) == saturation["submitted"]
    # A closed loop: each client waits until its invoice is routed before it submits the next.
    changes = sorted(
        [(t.scheduled, 1) for t in floor.traces.values()] + [(t.routed, -1) for t in floor.traces.values()]
    )
    in_flight = list(itertools.accumulate(change for _, change in changes))
    assert max(in_flight) <= 4
