"""``/metrics`` and the readiness in detail are for the internal networks only: a service on
``ServiceRuntime`` with real PostgreSQL and broker answers an outside caller, or any caller whose
request came through a proxy, 404 problem details for ``/metrics`` and the bare status of
``/health/ready``; Prometheus and probes on the internal networks read them as before."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from portal_dev.testing import Servers, running
from shared.runtime import ServiceRuntime
from tests.shared.integration.test_metrics_runtime import Handler, tiny_service
from tests.shared.integration.test_outbox_relay import outbox_database


@asynccontextmanager
async def caller(runtime: ServiceRuntime, address: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=runtime.app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        yield client


async def test_metrics_and_readiness_detail_only_for_straight_internal_callers(servers: Servers, broker: str) -> None:
    runtime = tiny_service(await outbox_database(servers), broker, servers, Handler())
    async with running(runtime):
        async with caller(runtime, "203.0.113.9") as outside, caller(runtime, "10.1.2.3") as pod:
            outside_metrics = await outside.get("/metrics")
            outside_ready = await outside.get("/health/ready")
            pod_metrics = await pod.get("/metrics")
            pod_ready = await pod.get("/health/ready")
            # Through a proxy (a load balancer, the gateway) the peer is internal, the caller is not.
            proxied = await pod.get("/metrics", headers={"x-forwarded-for": "203.0.113.9"})
            proxied_ready = await pod.get("/health/ready", headers={"forwarded": "for=203.0.113.9"})
            live = await outside.get("/health/live")
        async with caller(runtime, "::1") as loopback:
            loopback_metrics = await loopback.get("/metrics")

    assert outside_metrics.status_code == 404
    assert outside_metrics.headers["content-type"] == "application/problem+json"
    assert outside_metrics.json()["status"] == 404 and "portal_" not in outside_metrics.text
    assert outside_ready.status_code == 200 and outside_ready.json() == {"status": "ok"}
    assert pod_metrics.status_code == 200 and "portal_outbox_backlog" in pod_metrics.text
    assert pod_ready.status_code == 200 and pod_ready.json()["checks"] == {"database": True, "broker": True}
    assert proxied.status_code == 404
    assert proxied_ready.json() == {"status": "ok"}
    assert loopback_metrics.status_code == 200
    assert live.status_code == 200


async def test_the_internal_networks_are_a_setting(servers: Servers, broker: str) -> None:
    runtime = tiny_service(await outbox_database(servers), broker, servers, Handler())
    runtime = ServiceRuntime(
        runtime.settings.model_copy(update={"internal_networks": "127.0.0.1, 192.0.2.0/28"}), title="metrics"
    )
    async with caller(runtime, "192.0.2.5") as monitoring, caller(runtime, "10.1.2.3") as pod:
        assert (await monitoring.get("/metrics")).status_code == 200
        assert (await pod.get("/metrics")).status_code == 404
