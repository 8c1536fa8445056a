"""The invoices that reminders are about, each organisation's reminder days and the ledger of the
reminders sent.

The scheduler claims an invoice with ``FOR UPDATE SKIP LOCKED`` (two instances never work on one
invoice at once) and records each reminder with ``INSERT ... ON CONFLICT DO NOTHING`` on its key
before queuing its emails, in one transaction: whatever runs twice, a reminder is queued once.
An invoice event is kept with one conditional upsert (``track``), the domain's rule
(``notifier.domain.reminders.tracked``) written in its ``ON CONFLICT`` clause.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from uuid import UUID

from sqlalchemy import Date, String, and_, bindparam, case, cast, func, literal_column, or_, select
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.adapters.tables import reminder_invoices, reminder_policies, reminders_sent
from notifier.domain.reminders import DEFAULT_APPROVAL_REMINDER_DAYS, OVERDUE_STATUSES, Reminder, TrackedInvoice
from shared.db import upsert
from shared.driver import driver_rows
from shared.fields import made_of, values_of

_SAVE = upsert(reminder_invoices, tuple(reminder_invoices.c.keys()), key=("invoice_id",))


def _tracking() -> Insert:
    """``reminders.tracked`` as one statement: the invoice as its event makes it on its own
    (``reminders.first_seen``) replaces a stored one of a lower revision only, keeps the stored
    overdue notice, and keeps the stored spell's start and last reminder while
    ``reminders.still_waiting``. In an ``ON CONFLICT`` update the stored row is the latest
    version, locked: a scheduler's claim of the invoice is waited for, as a ``FOR UPDATE`` read was."""
    statement = insert(reminder_invoices)
    stored, incoming = reminder_invoices.c, statement.excluded
    pending = literal_column("'pending'", String())
    still_waiting = and_(
        incoming.status == pending,
        stored.status == pending,
        stored.submission == incoming.submission,
        stored.pending_since.is_not(None),
    )
    carried_over = {
        "pending_since": case((still_waiting, stored.pending_since), else_=incoming.pending_since),
        "last_reminded_on": case((still_waiting, stored.last_reminded_on), else_=incoming.last_reminded_on),
        "overdue_noticed_for": stored.overdue_noticed_for,
    }
    replaced = {c.name: incoming[c.name] for c in stored if c.name != "invoice_id" and c.name not in carried_over}
    return statement.on_conflict_do_update(
        index_elements=[stored.invoice_id],
        set_={**replaced, **carried_over},
        where=stored.revision < incoming.revision,
    )


_TRACK = _tracking()
_SAVE_POLICY = upsert(
    reminder_policies, tuple(reminder_policies.c.keys()), key=("tenant_id",), newer="revision", or_equal=True
)

# Built once; the ids are bound at execution (the scheduler claims each invoice it looks at).
_INVOICE = select(reminder_invoices).where(reminder_invoices.c.invoice_id == bindparam("invoice_id"))
_CLAIM = _INVOICE.with_for_update(skip_locked=True)
_REMINDER_DAYS = select(reminder_policies.c.approval_reminder_days).where(
    reminder_policies.c.tenant_id == bindparam("tenant_id")
)


class ReminderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, invoice_id: UUID) -> TrackedInvoice | None:
        """The invoice locked for this transaction; None when another scheduler holds it now."""
        row = (await self._session.execute(_CLAIM, {"invoice_id": invoice_id})).first()
        return None if row is None else made_of(TrackedInvoice, row)

    async def track(self, incoming: TrackedInvoice) -> None:
        """Keep ``incoming`` (``reminders.first_seen`` of an invoice event) as ``reminders.tracked``
        says: nothing changes when the stored invoice's revision is the same or higher."""
        await driver_rows(self._session, _TRACK, values_of(reminder_invoices.c.keys(), incoming))

    async def save(self, invoice: TrackedInvoice) -> None:
        await self._session.execute(_SAVE, values_of(reminder_invoices.c.keys(), invoice))

    async def save_policy(self, tenant_id: UUID, approval_reminder_days: int, revision: int) -> None:
        values = {"tenant_id": tenant_id, "approval_reminder_days": approval_reminder_days, "revision": revision}
        await self._session.execute(_SAVE_POLICY, values)

    async def approval_reminder_days(self, tenant_id: UUID) -> int:
        days = (await self._session.execute(_REMINDER_DAYS, {"tenant_id": tenant_id})).scalar_one_or_none()
        return DEFAULT_APPROVAL_REMINDER_DAYS if days is None else days

    async def candidates(self, today: date, *, overdue_catch_up_days: int, tenant_id: UUID | None) -> Sequence[UUID]:
        """The invoices a reminder may be due about ``today``: a coarse filter, the domain decides."""
        r, p = reminder_invoices.c, reminder_policies.c
        every = func.coalesce(p.approval_reminder_days, DEFAULT_APPROVAL_REMINDER_DAYS)
        pending_on = cast(func.timezone(literal_column("'UTC'"), r.pending_since), Date)
        waiting = and_(
            r.status == literal_column("'pending'"),
            r.approver_id.is_not(None),
            func.coalesce(r.last_reminded_on, pending_on) + every <= today,
        )
        overdue = and_(
            r.status.in_(sorted(OVERDUE_STATUSES)),
            r.balance_due > 0,
            r.due_date < today,
            r.due_date >= today - timedelta(days=overdue_catch_up_days),
            r.overdue_noticed_for.is_distinct_from(r.due_date),
        )
        query = (
            select(r.invoice_id)
            .select_from(reminder_invoices.outerjoin(reminder_policies, p.tenant_id == r.tenant_id))
            .where(or_(waiting, overdue))
            .order_by(r.invoice_id)
        )
        if tenant_id is not None:
            query = query.where(r.tenant_id == tenant_id)
        return (await self._session.execute(query)).scalars().all()

    async def record_sent(self, reminder: Reminder, *, tenant_id: UUID, recipients: int, now: datetime) -> bool:
        """Record that ``reminder`` goes out now; False when it went out before."""
        statement = (
            insert(reminders_sent)
            .values(
                invoice_id=reminder.invoice_id,
                kind=reminder.kind.value,
                reminder_day=reminder.day,
                tenant_id=tenant_id,
                recipients=recipients,
                sent_at=now,
            )
            .on_conflict_do_nothing()
            .returning(reminders_sent.c.invoice_id)
        )
        return (await self._session.execute(statement)).first() is not None
