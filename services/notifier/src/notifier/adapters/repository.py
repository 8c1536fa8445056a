"""Loads and saves emails.

Emails are inserted at most once per (event, recipient); the sender claims due ones with
``FOR UPDATE SKIP LOCKED`` so that several instances never send the same email at once. The
statement that claims an email also says when the next of the other pending ones falls due, so
that the sender knows how long it may sleep without asking again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import Row, bindparam, func, literal_column, select, true, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.adapters.tables import emails
from notifier.domain.model import Email
from shared import tracing
from shared.driver import driver_rows
from shared.pagination import keyset_after

_SUMMARY_COLUMNS = [c for c in emails.c if c.name not in ("message", "trace_context", "sealed_links")]

# Written into the statement, not bound: the partial index of pending emails (``ix_emails_due``)
# serves only a query whose predicate PostgreSQL can see, and the plan it keeps for a prepared
# statement after five runs is made without the parameters' values. Bound, every pass of the
# sender would scan all the emails ever sent.
_PENDING = emails.c.status == literal_column("'pending'")

# Built once; the values are bound at execution (every email is queued, claimed and saved).
_ADD = insert(emails).on_conflict_do_nothing().returning(emails.c.id)
_CLAIMED = (
    select(emails)
    .where(_PENDING, emails.c.next_attempt_at <= bindparam("now"))
    .order_by(emails.c.next_attempt_at)
    .limit(1)
    .with_for_update(skip_locked=True)
    .cte("claimed")
)
_other_emails = emails.alias("other_emails")
_NEXT_DUE_AT = (
    select(func.min(_other_emails.c.next_attempt_at))
    .where(
        _other_emails.c.status == literal_column("'pending'"),
        _other_emails.c.id.not_in(select(_CLAIMED.c.id)),
    )
    .scalar_subquery()
    .label("next_due_at")
)
# One row whether an email was claimed or not (its columns null then): the claim and the next due
# time in one round trip. (A ``VALUES`` list would do the same, but a statement holding one has no
# cache key: SQLAlchemy would compile it again at every execution.)
_ONE_ROW = select(literal_column("1").label("one")).subquery("one_row")
_CLAIM_DUE = select(*_CLAIMED.c, _NEXT_DUE_AT).select_from(_ONE_ROW.outerjoin(_CLAIMED, true()))
_BY_ID = select(emails).where(emails.c.id == bindparam("email_id"))
# The columns to set are the parameters' other names (the delivery state below).
_SAVE = update(emails).where(emails.c.id == bindparam("email_id"))


@dataclass(frozen=True)
class Claim:
    """What a look for due emails found: the most overdue pending email, locked for the
    transaction (None when none is due or the due ones are being sent elsewhere), and when the
    earliest of the other pending emails falls due (None when there is no other)."""

    email: Email | None
    others_due_at: datetime | None


@dataclass(frozen=True)
class EmailSummary:
    """An email without its message bytes, as the audit list shows it."""

    id: UUID
    tenant_id: UUID
    source_event_id: UUID
    recipient: str
    subject: str
    template: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


def _to_email(row: Row) -> Email:
    return Email(**{c.name: getattr(row, c.name) for c in emails.c})


class EmailRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, email: Email) -> bool:
        """Queue ``email``; False when this (event, recipient) already has one."""
        values = {c.name: getattr(email, c.name) for c in emails.c}
        # Queued in a handler's transaction, sent later: the sending continues this trace.
        values["trace_context"] = email.trace_context or tracing.context_headers() or None
        return bool(await driver_rows(self._session, _ADD, values))

    async def claim_due(self, now: datetime) -> Claim:
        """The most overdue pending email, locked for this transaction (emails being sent by
        another transaction are skipped), and when the next of the others falls due."""
        (row,) = await driver_rows(self._session, _CLAIM_DUE, {"now": now})
        return Claim(None if row.id is None else _to_email(row), row.next_due_at)

    async def save(self, email: Email) -> None:
        """Store the delivery state; the rendered message never changes."""
        values = {
            "email_id": email.id,
            "status": email.status,
            "attempts": email.attempts,
            "next_attempt_at": email.next_attempt_at,
            "last_error": email.last_error,
            "sent_at": email.sent_at,
            "sealed_links": email.sealed_links,
        }
        await driver_rows(self._session, _SAVE, values)

    async def get(self, email_id: UUID) -> Email | None:
        row = (await self._session.execute(_BY_ID, {"email_id": email_id})).first()
        return None if row is None else _to_email(row)

    async def list(
        self, *, tenant_id: UUID, status: str | None, limit: int, after: tuple[datetime, UUID] | None
    ) -> Sequence[EmailSummary]:
        query = select(*_SUMMARY_COLUMNS).where(
            emails.c.tenant_id == tenant_id, keyset_after(emails.c.created_at, emails.c.id, after)
        )
        if status is not None:
            query = query.where(emails.c.status == status)
        query = query.order_by(emails.c.created_at.desc(), emails.c.id.desc()).limit(limit)
        return [EmailSummary(**row._asdict()) for row in (await self._session.execute(query)).all()]
