"""The sender's look-up of due emails (the claim and the next due time) uses the partial index
of pending emails in every plan, also the generic plan PostgreSQL keeps for a prepared
statement: the table keeps every email ever sent, and a scan of it on every pass of the sender
would grow with it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from notifier import migrate as notifier_migrate
from notifier.adapters.repository import EmailRepository
from portal_dev.query_plans import generic_plans
from portal_dev.testing import Servers


async def test_due_emails_are_found_through_the_index_of_pending_ones_in_any_plan(
    servers: Servers, service_env_factory
) -> None:  # type: ignore[no-untyped-def]
    url = await servers.migrated_database(
        "notifier", notifier_migrate.main, lambda url: service_env_factory("NOTIFIER", url, "127.0.0.1:9")
    )

    async def look_up(session: AsyncSession) -> None:
        emails = EmailRepository(session)
        await emails.claim_due(datetime.now(UTC))

    [plan] = await generic_plans(url, look_up)
    # Once for the email claimed, once for the earliest of the others.
    assert plan.count("ix_emails_due") == 2, plan
    assert "Seq Scan" not in plan, plan
