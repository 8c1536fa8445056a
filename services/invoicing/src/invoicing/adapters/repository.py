"""Loads and saves ``Invoice`` aggregates (with lines and payments), always scoped to the caller.

Each invoice loaded or saved carries its supplier's name as the directory knows it, read by the
same statement (a column of the load, returned by the save's upsert): answers name the supplier
exactly as a page of invoices does, without another round trip."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import TypeAdapter
from sqlalchemy import Row, and_, bindparam, case, delete, func, literal_column, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from invoicing.adapters.read_models import known_supplier_name
from invoicing.adapters.tables import invoice_lines, invoices, payments
from invoicing.domain.errors import DuplicateInvoiceNumber, InvoiceNotFound
from invoicing.domain.lines import InvoiceLine
from invoicing.domain.model import Invoice
from invoicing.domain.payments import Payment
from invoicing.domain.status import Status
from invoicing.domain.verdicts import Verdict
from shared.auth import Principal, scope_values
from shared.contracts.invoicing import CREDITING_STATUSES, LIVE_INVOICE_STATUSES
from shared.db import caller_scope
from shared.fields import made_of, values_of

# Stored for lists and queries, computed by the invoice from its lines: never loaded into it.
_TOTALS = ("net_total", "tax_total", "gross_total", "balance_due")
_ROW_FIELDS = [c.name for c in invoices.c if c.name not in ("matching", *_TOTALS)]
# The verdict as the ``matching`` column keeps it: the JSON of the verdict the API shows (earlier
# rows also hold the event's other fields, which loading ignores).
_VERDICT = TypeAdapter(Verdict)
_SUPPLIER_NAME = known_supplier_name(invoices.c.supplier_id, invoices.c.tenant_id).label("supplier_name")

# Built once (the values are bound at execution): saving is on every event and request path.
# The upsert answers with the supplier's name. It is a CTE because a subquery in an INSERT's
# RETURNING is not correlated with the row written; its columns are bound by name because the
# execution's values reach an INSERT inside a CTE only through parameters of its own.
_insert = insert(invoices).values({c.name: bindparam(c.name, type_=c.type) for c in invoices.c})
_upserted = (
    _insert.on_conflict_do_update(
        index_elements=[invoices.c.id],
        set_={c.name: _insert.excluded[c.name] for c in invoices.c if c.name not in ("id", "tenant_id", "created_at")},
    )
    .returning(invoices.c.supplier_id, invoices.c.tenant_id)
    .cte("upserted")
)
_UPSERT = select(known_supplier_name(_upserted.c.supplier_id, _upserted.c.tenant_id)).select_from(_upserted)
_DELETE_LINES = delete(invoice_lines).where(invoice_lines.c.invoice_id == bindparam("invoice_id"))


def visible_to(principal: Principal) -> Any:
    """A buyer sees its tenant's invoices; a supplier user those of its suppliers."""
    return visible_to_bound(buyer=principal.is_buyer, values=scope_values(principal))


def visible_to_bound(*, buyer: bool, values: Mapping[str, object] | None = None) -> Any:
    """``visible_to`` for a buyer or a supplier user, with the caller's ``values``
    (``shared.auth.scope_values``), or, without, the caller left to bind: statements built once."""
    return caller_scope(invoices.c.tenant_id, invoices.c.supplier_id, buyer=buyer, values=values)


# The statements of every request and event, built once per shape; the values are bound at
# execution. Built on every call, each cost its construction and its cache key's walk.
@functools.cache
def _invoice_by_id(*, buyer: bool | None, for_update: bool) -> Any:
    """The invoice ``invoice_id`` as a buyer (True) or a supplier user (False) sees it, the caller
    bound at execution (``scope_values``), or unscoped (None) for the consumers."""
    query = select(invoices, _SUPPLIER_NAME).where(invoices.c.id == bindparam("invoice_id"))
    if buyer is not None:
        query = query.where(visible_to_bound(buyer=buyer))
    # OF invoices: the invoice is locked, its supplier's name only read (a rename never waits).
    return query.with_for_update(of=invoices) if for_update else query


@functools.cache
def _tenant_by_id(*, buyer: bool) -> Any:
    return select(invoices.c.tenant_id).where(invoices.c.id == bindparam("invoice_id"), visible_to_bound(buyer=buyer))


_LINES_OF = (
    select(invoice_lines)
    .where(invoice_lines.c.invoice_id.in_(bindparam("invoice_ids", expanding=True)))
    .order_by(invoice_lines.c.line_no)
)
_PAYMENTS_OF = (
    select(payments)
    .where(payments.c.invoice_id.in_(bindparam("invoice_ids", expanding=True)))
    .order_by(payments.c.paid_at, payments.c.id)
)
# "canceled" is written into the statement, not bound: the unique index of the numbers that count
# is partial (status <> 'canceled') and serves only a predicate PostgreSQL can see, also in the
# plan it keeps for a prepared statement, made without the values. Otherwise the check reads
# every invoice of the supplier.
_SUPPLIERS_NUMBER = select(invoices.c.id).where(
    invoices.c.supplier_id == bindparam("supplier_id"),
    invoices.c.number == bindparam("number"),
    invoices.c.status != literal_column("'canceled'"),
)
_NUMBER_TAKEN = _SUPPLIERS_NUMBER.limit(1)
_NUMBER_TAKEN_BY_ANOTHER = _SUPPLIERS_NUMBER.where(invoices.c.id != bindparam("other_than")).limit(1)
# Quantities per PO line on a PO's live invoices (drafts, rejected, canceled don't count).
_IS_CREDIT_NOTE = invoices.c.kind == literal_column("'credit_note'")
# Quantities per PO line on a PO's live invoices less its approved credit notes (``billing_sign``).
_INVOICED_QUANTITIES = (
    select(
        invoice_lines.c.purchase_order_line_id,
        func.sum(case((_IS_CREDIT_NOTE, -invoice_lines.c.quantity), else_=invoice_lines.c.quantity)),
    )
    .join(invoices, invoices.c.id == invoice_lines.c.invoice_id)
    .where(
        invoices.c.purchase_order_id == bindparam("purchase_order_id"),
        or_(
            and_(~_IS_CREDIT_NOTE, invoices.c.status.in_(sorted(LIVE_INVOICE_STATUSES))),
            and_(_IS_CREDIT_NOTE, invoices.c.status.in_(sorted(CREDITING_STATUSES))),
        ),
        invoice_lines.c.purchase_order_line_id.is_not(None),
    )
    .group_by(invoice_lines.c.purchase_order_line_id)
)
# The gross totals of an invoice's approved credit notes.
_CREDITED_TOTAL = select(func.coalesce(func.sum(invoices.c.gross_total), literal_column("0"))).where(
    invoices.c.credited_invoice_id == bindparam("invoice_id"),
    _IS_CREDIT_NOTE,
    invoices.c.status.in_(sorted(CREDITING_STATUSES)),
)
_INSERT_LINES = insert(invoice_lines)


class InvoiceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        # The line rows as loaded for update or last saved in this unit of work, per invoice: a
        # save that leaves the lines as they are (a submission, a verdict, a payment) does not
        # rewrite them. Reads take no copy; an invoice saved without one has its lines written.
        self._stored_lines: dict[UUID, str] = {}

    async def get(self, invoice_id: UUID, *, scope: Principal, for_update: bool = False) -> Invoice:
        """The caller's invoice; another party's is not found, exactly like a missing one."""
        query = _invoice_by_id(buyer=scope.is_buyer, for_update=for_update)
        found = await self._load(query, {"invoice_id": invoice_id, **scope_values(scope)}, for_update)
        if not found:
            raise InvoiceNotFound()
        return found[0]

    async def tenant_of(self, invoice_id: UUID, *, scope: Principal) -> UUID:
        """The buyer of the caller's invoice, without loading it; another party's is not found."""
        values = {"invoice_id": invoice_id, **scope_values(scope)}
        tenant_id = (await self._session.execute(_tenant_by_id(buyer=scope.is_buyer), values)).scalar()
        if tenant_id is None:
            raise InvoiceNotFound()
        return tenant_id

    async def find(self, invoice_id: UUID, *, for_update: bool = False) -> Invoice | None:
        """Unscoped, for consumers acting on the system's behalf."""
        query = _invoice_by_id(buyer=None, for_update=for_update)
        found = await self._load(query, {"invoice_id": invoice_id}, for_update)
        return found[0] if found else None

    async def count_by_status(self, *, scope: Principal) -> dict[str, int]:
        query = select(invoices.c.status, func.count()).where(visible_to(scope)).group_by(invoices.c.status)
        return {status: count for status, count in (await self._session.execute(query)).all()}

    async def count_waiting_for(self, scope: Principal) -> int:
        """The held invoices of the caller's tenant routed to the caller for a decision."""
        query = select(func.count()).where(
            visible_to(scope), invoices.c.status == "pending", invoices.c.approver_id == scope.user_id
        )
        return int((await self._session.execute(query)).scalar_one())

    async def delete_supplier_drafts(self, tenant_id: UUID) -> int:
        """Remove the tenant's drafts that suppliers wrote (lines, comments, files cascade)."""
        statement = (
            delete(invoices)
            .where(
                invoices.c.tenant_id == tenant_id,
                invoices.c.status == "draft",
                invoices.c.created_by_buyer.is_(False),
            )
            .returning(invoices.c.id)
        )
        return len((await self._session.execute(statement)).all())

    async def number_taken(self, supplier_id: UUID, number: str, *, other_than: UUID | None = None) -> bool:
        values = {"supplier_id": supplier_id, "number": number}
        if other_than is None:
            return (await self._session.execute(_NUMBER_TAKEN, values)).first() is not None
        values["other_than"] = other_than
        return (await self._session.execute(_NUMBER_TAKEN_BY_ANOTHER, values)).first() is not None

    async def invoiced_quantities(self, purchase_order_id: UUID) -> dict[UUID, Decimal]:
        """Quantities per PO line on this PO's live invoices (drafts, rejected, canceled don't count),
        less what its approved credit notes gave back."""
        rows = (await self._session.execute(_INVOICED_QUANTITIES, {"purchase_order_id": purchase_order_id})).all()
        return {line_id: quantity for line_id, quantity in rows}

    async def credited_total(self, invoice_id: UUID) -> Decimal:
        """The gross totals of the invoice's approved credit notes, as stored in this transaction."""
        return Decimal((await self._session.execute(_CREDITED_TOTAL, {"invoice_id": invoice_id})).scalar_one())

    async def save(self, invoice: Invoice, *, new: bool = False) -> None:
        """Write the invoice, its lines when they changed and its payments; ``new``: an invoice
        just made (a draft, a credit note), which has no stored lines to replace yet."""
        values = {name: getattr(invoice, name) for name in _ROW_FIELDS}
        values.update(vars(invoice.totals), balance_due=invoice.balance_due)
        values["matching"] = _VERDICT.dump_python(invoice.matching, mode="json") if invoice.matching else None
        try:
            invoice.supplier_name = (await self._session.execute(_UPSERT, values)).scalar_one()
        except IntegrityError as exc:
            if "uq_invoices_supplier_number" in str(exc.orig):
                raise DuplicateInvoiceNumber(invoice.number) from None
            raise
        # Lines are replaced as a whole when they changed; payments are only ever added.
        lines = _line_rows(invoice.id, invoice.lines)
        stored = repr(lines)  # repr, not ==: Decimal("1.50") == Decimal("1.5") but is not stored alike
        if self._stored_lines.get(invoice.id) != stored:
            if not new:
                await self._session.execute(_DELETE_LINES, {"invoice_id": invoice.id})
            if lines:
                await self._session.execute(_INSERT_LINES, lines)
            self._stored_lines[invoice.id] = stored
        if invoice.payments:
            rows = [
                {"id": p.payment_id, "invoice_id": invoice.id, "amount": p.amount, "paid_at": p.paid_at}
                for p in invoice.payments
            ]
            await self._session.execute(insert(payments).values(rows).on_conflict_do_nothing())

    async def _load(self, query: Any, values: dict[str, Any], for_update: bool) -> Sequence[Invoice]:
        rows = (await self._session.execute(query, values)).all()
        if not rows:
            return []
        ids = [row.id for row in rows]
        lines: dict[UUID, list[InvoiceLine]] = {i: [] for i in ids}
        paid: dict[UUID, list[Payment]] = {i: [] for i in ids}
        for line in (await self._session.execute(_LINES_OF, {"invoice_ids": ids})).all():
            lines[line.invoice_id].append(_line(line))
        if for_update:
            for invoice_id, loaded in lines.items():
                self._stored_lines[invoice_id] = repr(_line_rows(invoice_id, loaded))
        for payment in (await self._session.execute(_PAYMENTS_OF, {"invoice_ids": ids})).all():
            paid[payment.invoice_id].append(Payment(payment.id, payment.amount, payment.paid_at))
        return [_invoice(row, lines[row.id], paid[row.id]) for row in rows]


def _line_rows(invoice_id: UUID, lines: Sequence[InvoiceLine]) -> list[dict[str, Any]]:
    return [values_of(invoice_lines.c.keys(), line, id=line.line_id, invoice_id=invoice_id) for line in lines]


def _line(row: Row) -> InvoiceLine:
    return made_of(InvoiceLine, row, line_id=row.id)


def _invoice(row: Row, lines: list[InvoiceLine], paid: list[Payment]) -> Invoice:
    fields = {name: getattr(row, name) for name in _ROW_FIELDS}
    fields["status"] = Status(fields["status"])
    matching = _VERDICT.validate_python(row.matching) if row.matching else None
    return Invoice(**fields, lines=lines, payments=paid, matching=matching, supplier_name=row.supplier_name)
