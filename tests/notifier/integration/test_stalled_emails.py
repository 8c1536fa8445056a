"""Emails queued and not sent past ``NOTIFIER_STALL_EMAIL_S`` show in /metrics and in
/health/ready; the check reads the partial index of pending emails only. Rows are back-dated in
the database instead of waiting; the service is built but not started (no broker, no sender)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from notifier import migrate as notifier_migrate
from notifier.bootstrap import bootstrap, stall_checks
from notifier.config import Settings
from portal_dev.query_plans import generic_plans
from portal_dev.testing import Servers, Tokens
from shared.metrics import parse_samples, sample_value
from shared.runtime import ServiceRuntime

KIND = "email_delivery"

_INSERT_EMAIL = text(
    "INSERT INTO emails (id, tenant_id, source_event_id, recipient, subject, template, message, status,"
    " attempts, next_attempt_at, created_at)"
    " VALUES (:id, :tenant_id, :source_event_id, 'buyer@example.com', 'Invoice approved', 'invoice_approved',"
    " 'message', :status, 3, now() + interval '1 minute', now() - make_interval(secs => :queued_s))"
)


@pytest.fixture
async def notifier(servers: Servers, tokens: Tokens, service_env_factory) -> AsyncIterator[ServiceRuntime]:  # type: ignore[no-untyped-def]
    url = await servers.migrated_database(
        "notifier", notifier_migrate.main, lambda url: service_env_factory("NOTIFIER", url, "127.0.0.1:9")
    )
    runtime = bootstrap(
        Settings(
            database_url=url,
            kafka_bootstrap_servers="127.0.0.1:9",
            jwt_public_key_file=tokens.public_key_file,
            log_format="console",
            stall_email_s=120,
        )
    )
    yield runtime
    await runtime.engine.dispose()


async def add_email(runtime: ServiceRuntime, status: str, *, queued_s_ago: float) -> None:
    async with runtime.engine.begin() as conn:
        await conn.execute(
            _INSERT_EMAIL,
            {
                "id": uuid4(),
                "tenant_id": uuid4(),
                "source_event_id": uuid4(),
                "status": status,
                "queued_s": float(queued_s_ago),
            },
        )


async def test_emails_queued_too_long_are_counted_even_while_the_service_is_not_ready(
    notifier: ServiceRuntime,
) -> None:
    await add_email(notifier, "pending", queued_s_ago=1000)
    await add_email(notifier, "pending", queued_s_ago=30)  # retrying, not for too long yet
    await add_email(notifier, "sent", queued_s_ago=5000)
    await add_email(notifier, "failed", queued_s_ago=90_000)  # given up on: no longer waits

    transport = httpx.ASGITransport(app=notifier.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://notifier") as http:
        samples = parse_samples((await http.get("/metrics")).text)
        ready = await http.get("/health/ready")

    assert sample_value(samples, "portal_stalled_documents", kind=KIND) == 1
    assert 1000 <= (sample_value(samples, "portal_stalled_oldest_age_seconds", kind=KIND) or 0) < 1060
    assert sample_value(samples, "portal_stalled_threshold_seconds", kind=KIND) == 120
    # Not started, so no broker: not ready, for that reason only; the stall is reported all the same.
    assert ready.status_code == 503
    body = ready.json()
    assert body["checks"] == {"database": True, "broker": False}
    assert body["stalled"] == {
        KIND: {"count": 1, "threshold_s": 120, "oldest_age_s": pytest.approx(1000, abs=60)},
    }


async def test_the_stall_check_reads_only_the_index_of_pending_emails_in_any_plan(
    notifier: ServiceRuntime,
) -> None:
    (check,) = stall_checks(Settings())

    async def look_up(session: AsyncSession) -> None:
        await session.execute(check.query, {"threshold_s": check.threshold_s})

    (plan,) = await generic_plans(notifier.settings.database_url, look_up)
    assert "ix_emails_due" in plan, plan
    assert "Seq Scan" not in plan, plan
