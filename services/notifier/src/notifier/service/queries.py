"""Use cases of the notifier that only read: the organisation's emails, a page at a time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from notifier.adapters.repository import EmailSummary
from notifier.service.unit_of_work import UnitOfWork
from shared.auth import Principal


async def list_emails(
    uow: UnitOfWork,
    caller: Principal,
    *,
    status: str | None,
    limit: int,
    after: tuple[datetime, UUID] | None,
) -> Sequence[EmailSummary]:
    tenant_id = caller.require_admin()
    async with uow:
        return await uow.emails.list(tenant_id=tenant_id, status=status, limit=limit, after=after)
