"""Loads and saves ``Invoice`` aggregates (with lines and payments), always scoped to the caller.

An invoice is loaded by one statement: its row, its supplier's name as the directory knows it,
and its lines and payments, each list a JSON array written by PostgreSQL (``_rows_of``). Each
invoice saved carries the supplier's name too, returned by the save's upsert: answers name the
supplier exactly as a page of invoices does, without another round trip."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import TypeAdapter
from sqlalchemy import (
    Column,
    DateTime,
    Numeric,
    Row,
    Table,
    Text,
    Uuid,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from invoicing.adapters.read_models import (
    known_supplier_name,
    purchase_order_initiator,
    settings_held_for,
    settings_read_with,
    supplier_payment_terms,
)
from invoicing.adapters.tables import invoice_lines, invoices, payments
from invoicing.domain.errors import DuplicateInvoiceNumber, InvoiceNotFound
from invoicing.domain.lines import InvoiceLine
from invoicing.domain.model import Invoice
from invoicing.domain.payments import Payment
from invoicing.domain.read_models import OrganisationSettings
from invoicing.domain.status import Status
from invoicing.domain.verdicts import Verdict
from shared.auth import Principal, scope_values
from shared.contracts.invoicing import CREDITING_STATUSES, LIVE_INVOICE_STATUSES
from shared.db import caller_scope
from shared.driver import driver_first, driver_rows
from shared.fields import values_of

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
    .returning(invoices.c.id, invoices.c.supplier_id, invoices.c.tenant_id)
    .cte("upserted")
)
_UPSERT = select(known_supplier_name(_upserted.c.supplier_id, _upserted.c.tenant_id)).select_from(_upserted)
# A new invoice's lines are written by its upsert's statement, a second CTE: one array per column
# (``lines_<column>``), which ``unnest`` in the select list turns into rows side by side.
_LINE_COLUMNS = [c for c in invoice_lines.c if c.name != "invoice_id"]
_written_lines = insert(invoice_lines).from_select(
    [*(c.name for c in _LINE_COLUMNS), "invoice_id"],
    select(
        *(func.unnest(bindparam(f"lines_{c.name}", type_=ARRAY(c.type))) for c in _LINE_COLUMNS), _upserted.c.id
    ).select_from(_upserted),
)
_UPSERT_WITH_LINES = _UPSERT.add_cte(_written_lines.cte("written_lines"))
_DELETE_LINES = delete(invoice_lines).where(invoice_lines.c.invoice_id == bindparam("invoice_id"))


def visible_to(principal: Principal) -> Any:
    """A buyer sees its tenant's invoices; a supplier user those of its suppliers."""
    return visible_to_bound(buyer=principal.is_buyer, values=scope_values(principal))


def visible_to_bound(*, buyer: bool, values: Mapping[str, object] | None = None, one_row: bool = False) -> Any:
    """``visible_to`` for a buyer or a supplier user, with the caller's ``values``
    (``shared.auth.scope_values``), or, without, the caller left to bind: statements built once.
    ``one_row``: for an invoice found by its id (``shared.db.caller_scope``)."""
    return caller_scope(invoices.c.tenant_id, invoices.c.supplier_id, buyer=buyer, values=values, one_row=one_row)


def _json_value(column: Column[Any]) -> tuple[Any, Callable[[Any], Any]]:
    """The column as a JSON value that loses nothing, and the Python value of that JSON value:
    the one the driver gives for the column. A numeric as its text keeps its scale ("1.50"
    stays ``Decimal("1.50")``), a timestamp as UTC text with its microseconds."""
    if isinstance(column.type, Numeric):
        return cast(column, Text), Decimal
    if isinstance(column.type, Uuid):
        return column, UUID
    if isinstance(column.type, DateTime):
        utc = func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS.US')
        return utc, lambda text: datetime.fromisoformat(text).replace(tzinfo=UTC)
    return column, lambda value: value  # integers and strings: JSON has them as they are


def _rows_of(table: Table, *order_by: Any) -> tuple[Any, Callable[[str], list[dict[str, Any]]]]:
    """A column of the invoice's load: the invoice's rows of ``table`` in ``order_by`` as one
    JSON array of arrays (``[]`` for none), and the decoder of that text into the rows' values
    by column name, as a select of the rows would give them."""
    columns = [column for column in table.c if column.name != "invoice_id"]
    values, decoders = zip(*(_json_value(column) for column in columns), strict=True)
    names = [column.name for column in columns]
    rows = func.json_agg(aggregate_order_by(func.json_build_array(*values), *order_by))
    query = select(func.coalesce(rows, literal_column("'[]'::json"))).where(table.c.invoice_id == invoices.c.id)

    def decoded(text: str) -> list[dict[str, Any]]:
        return [
            {
                name: None if value is None else decode(value)
                for name, decode, value in zip(names, decoders, row, strict=True)
            }
            for row in json.loads(text)
        ]

    # As text: the driver hands it over as PostgreSQL wrote it, decoded once, here.
    return cast(query.scalar_subquery(), Text), decoded


_LINES, _lines_of = _rows_of(invoice_lines, invoice_lines.c.line_no)
_PAYMENTS, _payments_of = _rows_of(payments, payments.c.paid_at, payments.c.id)
# The version of the invoice's row this statement's snapshot sees, against the one it locked
# (``xmin``: the transaction that wrote it). They differ when the lock waited for a transaction
# that changed the invoice: PostgreSQL then locks the newest row, but the lines and payments
# were read in the snapshot taken before the wait.
_seen = invoices.alias("seen")
_ORDER_INITIATOR = purchase_order_initiator(invoices.c.purchase_order_id).label("order_initiator_id")
_SEEN_VERSION = (
    select(literal_column("seen.xmin::text")).select_from(_seen).where(_seen.c.id == invoices.c.id).scalar_subquery()
)


# The statements of every request and event, built once per shape; the values are bound at
# execution. Built on every call, each cost its construction and its cache key's walk.
@functools.cache
def _invoice_with_order_initiator() -> Any:
    """The invoice ``invoice_id`` locked as a consumer finds it (unscoped), with the initiator of
    its purchase order: who approves a held invoice."""
    return _invoice_by_id(buyer=None, for_update=True).add_columns(_ORDER_INITIATOR)


@functools.cache
def _invoice_by_id(*, buyer: bool | None, for_update: bool, with_settings: bool = False) -> Any:
    """The invoice ``invoice_id`` with its lines and payments as a buyer (True) or a supplier user
    (False) sees it, the caller bound at execution (``scope_values``), or unscoped (None) for the
    consumers; ``with_settings``: with its buyer's settings, their row held FOR SHARE before the
    invoice is locked, and its supplier's payment terms."""
    columns = [invoices, _SUPPLIER_NAME, _LINES.label("lines"), _PAYMENTS.label("payments")]
    if for_update:
        columns += [literal_column("invoices.xmin::text").label("locked_version"), _SEEN_VERSION.label("seen_version")]
    query = select(*columns).where(invoices.c.id == bindparam("invoice_id"))
    if with_settings:
        held, settings = settings_held_for(invoices.c.tenant_id)
        terms = supplier_payment_terms(invoices.c.supplier_id).label("supplier_payment_terms_days")
        query = query.add_columns(*settings, terms).select_from(invoices.outerjoin(held, true()))
    if buyer is not None:
        query = query.where(visible_to_bound(buyer=buyer, one_row=True))
    # OF invoices: the invoice is locked, its supplier's name only read (a rename never waits).
    return query.with_for_update(of=invoices) if for_update else query


# "canceled" is written into the statement, not bound: the unique index of the numbers that count
# is partial (status <> 'canceled') and serves only a predicate PostgreSQL can see, also in the
# plan it keeps for a prepared statement, made without the values. Otherwise the check reads
# every invoice of the supplier.
def counted_number(supplier_id: Any) -> Any:
    """The condition of an invoice of ``supplier_id`` whose number (bound as ``number``) counts."""
    return and_(
        invoices.c.supplier_id == supplier_id,
        invoices.c.number == bindparam("number"),
        invoices.c.status != literal_column("'canceled'"),
    )


_SUPPLIERS_NUMBER = select(invoices.c.id).where(counted_number(bindparam("supplier_id")))
_NUMBER_TAKEN = _SUPPLIERS_NUMBER.limit(1)
_NUMBER_TAKEN_BY_ANOTHER = _SUPPLIERS_NUMBER.where(invoices.c.id != bindparam("other_than")).limit(1)
# Quantities per PO line on a PO's live invoices (drafts, rejected, canceled don't count).
_IS_CREDIT_NOTE = invoices.c.kind == literal_column("'credit_note'")
# Quantities per PO line on a PO's live invoices less its approved credit notes (``billing_sign``).
INVOICED_QUANTITIES = (
    select(
        invoice_lines.c.purchase_order_line_id,
        func.sum(case((_IS_CREDIT_NOTE, -invoice_lines.c.quantity), else_=invoice_lines.c.quantity)).label("quantity"),
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
        if found is None:
            raise InvoiceNotFound()
        return found

    async def get_with_settings(
        self, invoice_id: UUID, *, scope: Principal
    ) -> tuple[Invoice, OrganisationSettings, int | None]:
        """The caller's invoice locked FOR UPDATE, its buyer's settings (``settings_of``) and its
        supplier's own payment terms (``supplier_payment_terms``), read by one statement.

        The settings row is locked first (FOR SHARE), then the invoice: the order the portal
        switch-off consumer takes them in, so a command and a switch-off never deadlock."""
        query = _invoice_by_id(buyer=scope.is_buyer, for_update=True, with_settings=True)
        row = await self._locked_row(query, {"invoice_id": invoice_id, **scope_values(scope)})
        if row is None:
            raise InvoiceNotFound()
        invoice = self._loaded(row, for_update=True)
        return invoice, settings_read_with(row, invoice.tenant_id), row.supplier_payment_terms_days

    async def find(self, invoice_id: UUID, *, for_update: bool = False) -> Invoice | None:
        """Unscoped, for consumers acting on the system's behalf."""
        query = _invoice_by_id(buyer=None, for_update=for_update)
        return await self._load(query, {"invoice_id": invoice_id}, for_update)

    async def find_with_order_initiator(self, invoice_id: UUID) -> tuple[Invoice, UUID | None] | None:
        """Unscoped, locked FOR UPDATE as ``find`` locks it, and the initiator of its purchase
        order (``purchase_order_initiator``: None while the order is not here), read by one
        statement."""
        row = await self._locked_row(_invoice_with_order_initiator(), {"invoice_id": invoice_id})
        return (self._loaded(row, for_update=True), row.order_initiator_id) if row is not None else None

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
        rows = (await self._session.execute(INVOICED_QUANTITIES, {"purchase_order_id": purchase_order_id})).all()
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
        # Lines are replaced as a whole when they changed; payments are only ever added.
        lines = _line_rows(invoice.id, invoice.lines)
        stored = repr(lines)  # repr, not ==: Decimal("1.50") == Decimal("1.5") but is not stored alike
        changed = self._stored_lines.get(invoice.id) != stored
        # A new invoice has no stored lines to replace: its lines go with its row.
        with_lines = new and changed and bool(lines)
        if with_lines:
            values.update({f"lines_{c.name}": [line[c.name] for line in lines] for c in _LINE_COLUMNS})
        try:
            upsert = _UPSERT_WITH_LINES if with_lines else _UPSERT
            ((invoice.supplier_name,),) = await driver_rows(self._session, upsert, values)
        except IntegrityError as exc:
            if "uq_invoices_supplier_number" in str(exc.orig):
                raise DuplicateInvoiceNumber(invoice.number) from None
            raise
        if changed:
            if not with_lines:
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

    async def _load(self, query: Any, values: dict[str, Any], for_update: bool) -> Invoice | None:
        if for_update:
            row = await self._locked_row(query, values)
        else:
            row = await driver_first(self._session, query, values)
        return self._loaded(row, for_update=for_update) if row is not None else None

    async def _locked_row(self, query: Any, values: dict[str, Any]) -> Row[Any] | None:
        row = await driver_first(self._session, query, values)
        # Read again once the lock is held when it waited for a change (see ``_SEEN_VERSION``): no
        # other transaction can change the invoice now, and the new snapshot sees what it wrote.
        while row is not None and row.locked_version != row.seen_version:
            row = await driver_first(self._session, query, values)
        return row

    def _loaded(self, row: Row[Any], *, for_update: bool) -> Invoice:
        lines = [_line(line) for line in _lines_of(row.lines)]
        if for_update:
            self._stored_lines[row.id] = repr(_line_rows(row.id, lines))
        paid = [Payment(p["id"], p["amount"], p["paid_at"]) for p in _payments_of(row.payments)]
        return _invoice(row, lines, paid)


def _line_rows(invoice_id: UUID, lines: Sequence[InvoiceLine]) -> list[dict[str, Any]]:
    return [values_of(invoice_lines.c.keys(), line, id=line.line_id, invoice_id=invoice_id) for line in lines]


def _line(values: dict[str, Any]) -> InvoiceLine:
    line_id = values.pop("id")
    return InvoiceLine(line_id=line_id, **values)


def _invoice(row: Row, lines: list[InvoiceLine], paid: list[Payment]) -> Invoice:
    fields = {name: getattr(row, name) for name in _ROW_FIELDS}
    fields["status"] = Status(fields["status"])
    matching = _VERDICT.validate_python(row.matching) if row.matching else None
    return Invoice(**fields, lines=lines, payments=paid, matching=matching, supplier_name=row.supplier_name)
