"""Invoices left in matching past ``INVOICING_STALL_MATCHING_S`` show in /metrics and in
/health/ready, which still answers 200: the service can serve, and a restart would not bring the
lost verdicts back. Rows are back-dated in the database instead of waiting."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from invoicing import migrate as invoicing_migrate
from invoicing.bootstrap import stall_checks
from invoicing.config import Settings
from portal_dev.query_plans import generic_plans
from portal_dev.testing import Servers
from shared.metrics import Samples, parse_samples, sample_value
from tests.invoicing.integration.conftest import Service

KIND = "invoice_matching"


_INSERT_INVOICE = text(
    "INSERT INTO invoices (id, tenant_id, supplier_id, purchase_order_id, purchase_order_number, number, currency,"
    " status, net_total, tax_total, gross_total, balance_due, submission, submitted_at, revision, created_at,"
    " updated_at) VALUES (:id, :tenant_id, :supplier_id, :purchase_order_id, 'PO-1', :number, 'EUR', :status,"
    " 100, 0, 100, 100, 1,"
    " now() - make_interval(secs => :waited_s), 2, now() - interval '1 hour', now() - make_interval(secs => :waited_s))"
)


async def add_invoice(service: Service, status: str, *, submitted_s_ago: float) -> None:
    """An invoice submitted ``submitted_s_ago`` seconds ago, now in ``status``."""
    async with service.runtime.engine.begin() as conn:
        await conn.execute(
            _INSERT_INVOICE,
            {
                "id": uuid4(),
                "tenant_id": uuid4(),
                "supplier_id": uuid4(),
                "purchase_order_id": uuid4(),
                "number": f"INV-{uuid4().hex[:8]}",
                "status": status,
                "waited_s": float(submitted_s_ago),
            },
        )


async def scrape(service: Service) -> Samples:
    answer = await service.client.get("/metrics")
    assert answer.status_code == 200
    return parse_samples(answer.text)


async def ready(service: Service) -> tuple[int, dict[str, Any]]:
    answer = await service.client.get("/health/ready")
    return answer.status_code, answer.json()


async def test_invoices_waiting_in_matching_too_long_are_counted_and_the_service_stays_ready(
    service: Service,
) -> None:
    await add_invoice(service, "matching", submitted_s_ago=400)
    await add_invoice(service, "matching", submitted_s_ago=90)
    await add_invoice(service, "matching", submitted_s_ago=5)  # waiting, not for too long yet
    await add_invoice(service, "pending", submitted_s_ago=900)  # had its verdict: waits for a person

    samples = await scrape(service)
    assert sample_value(samples, "portal_stalled_documents", kind=KIND) == 2
    assert 400 <= (sample_value(samples, "portal_stalled_oldest_age_seconds", kind=KIND) or 0) < 460
    assert sample_value(samples, "portal_stalled_threshold_seconds", kind=KIND) == 60

    status_code, body = await ready(service)
    assert status_code == 200
    assert body["status"] == "ok" and body["checks"] == {"database": True, "broker": True}
    assert body["stalled"].keys() == {KIND}
    assert body["stalled"][KIND]["count"] == 2
    assert body["stalled"][KIND]["threshold_s"] == 60
    assert 400 <= body["stalled"][KIND]["oldest_age_s"] < 460

    # The verdicts arrive at last: nothing waits any more.
    async with service.runtime.engine.begin() as conn:
        await conn.exec_driver_sql("UPDATE invoices SET status = 'approved' WHERE status = 'matching'")
    status_code, body = await ready(service)
    assert (status_code, body["stalled"]) == (200, {})
    samples = await scrape(service)
    assert sample_value(samples, "portal_stalled_documents", kind=KIND) == 0
    assert sample_value(samples, "portal_stalled_oldest_age_seconds", kind=KIND) == 0


async def test_the_stall_check_reads_only_the_index_of_invoices_in_matching_in_any_plan(
    servers: Servers, service_env_factory
) -> None:  # type: ignore[no-untyped-def]
    url = await servers.migrated_database(
        "invoicing", invoicing_migrate.main, lambda url: service_env_factory("INVOICING", url, "127.0.0.1:9")
    )
    (check,) = stall_checks(Settings())

    async def look_up(session: AsyncSession) -> None:
        await session.execute(check.query, {"threshold_s": check.threshold_s})

    (plan,) = await generic_plans(url, look_up)
    assert "ix_invoices_matching" in plan, plan
    assert "Seq Scan" not in plan, plan
