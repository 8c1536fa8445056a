"""The benchmark's pipeline measurement runs against the whole system (a smoke test of the bench
code with a handful of invoices; no timing is asserted)."""

from __future__ import annotations

import os

import httpx
import pytest
import typer

from bench import http_path
from bench.__main__ import attached
from bench.pipeline import Pipeline
from portal_dev.ports import free_port
from portal_dev.stack import Stack
from portal_dev.testing import CLIENT_LIMITS


async def test_the_bench_drives_invoices_to_their_verdict_in_an_organisation_of_its_own_and_meters_the_cpu(
    stack: Stack,
) -> None:
    async with httpx.AsyncClient(
        base_url=stack.config.gateway_url + "/api/v1", timeout=60, limits=CLIENT_LIMITS
    ) as api:
        pipeline = Pipeline(stack, api)
        await pipeline.prepare()
        me = await api.get("/me", headers=pipeline.buyer)
        assert me.status_code == 200
        assert me.json()["email"] == f"admin@bench-{pipeline.run_id}.example"

        purchase_orders = await pipeline.purchase_orders(6)
        saturation = await pipeline.saturation(purchase_orders[:3], 30.0, clients=2)
        run = await pipeline.at_rate(await pipeline.drafts(purchase_orders[3:]), 3.0, 1.0)

    assert saturation["submitted"] == 3
    assert saturation["ran_out_of_purchase_orders"] is True
    assert saturation["statuses"] == {"approved": 3}
    cpu = saturation["cpu_ms_per_invoice"]
    assert {"gateway", "invoicing", "matching", "notifier", "orders", "postgres", "broker", "bench"} <= set(cpu)
    assert cpu["total"] > 0
    assert 0 < saturation["cpu_cores_busy"] <= (os.cpu_count() or 1) * 1.05
    assert run["sent"] == 3
    assert run["to_status_ms"]["count"] == run["to_email_ms"]["count"] == 3
    assert run["confirmed_via_api"] == 3


def test_the_bench_attaches_to_the_running_system_the_environment_describes(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = stack.config
    monkeypatch.setenv("PORTAL_DATA_DIR", str(config.data_dir))
    monkeypatch.setenv("PORTAL_HTTP_PORT", str(config.http_port))
    monkeypatch.setenv("PORTAL_POSTGRES_PORT", str(config.postgres_port))
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrap_servers)
    for service, port in config.service_ports.items():
        monkeypatch.setenv(f"{service.upper()}_HTTP_PORT", str(port))
    monkeypatch.delenv("SMTP_HOST", raising=False)

    attached_stack = attached()
    assert attached_stack.config.gateway_url == config.gateway_url
    assert attached_stack.bootstrap_servers == stack.bootstrap_servers
    assert attached_stack.database_url("orders") == stack.database_url("orders")
    assert attached_stack.config.mail_sink_dir == config.mail_sink_dir
    assert attached_stack.processes == {}  # nothing of it is ours to start or stop
    assert not http_path.runnable(attached_stack)  # so the HTTP path alone, which stops services, is skipped
    assert http_path.runnable(stack)

    monkeypatch.setenv("PORTAL_HTTP_PORT", str(free_port()))
    with pytest.raises(typer.BadParameter, match="no running system answers"):
        attached()
