"""HTTP API of the notifier: the audit list of outgoing emails for the buyer's admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from notifier.domain.model import EmailStatus
from notifier.entrypoints.deps import Uow
from notifier.entrypoints.schemas import EmailOut, EmailPage
from notifier.service import queries
from shared.pagination import CursorParam, LimitParam, decode_cursor, page_of
from shared.runtime import CurrentPrincipal

router = APIRouter(prefix="/api/v1", tags=["emails"])


@router.get("/emails", response_model=EmailPage)
async def list_emails(
    caller: CurrentPrincipal,
    uow: Uow,
    status: Annotated[EmailStatus | None, Query(description="pending, sent or failed")] = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> EmailPage:
    """The tenant's emails, newest first, with their delivery state (buyer admins only)."""
    found = await queries.list_emails(uow, caller, status=status, limit=limit + 1, after=decode_cursor(cursor))
    items, next_cursor = page_of(found, limit, EmailOut.of)
    return EmailPage(items=items, next_cursor=next_cursor)
