"""Loads and saves ``PurchaseOrder`` aggregates, scoped to the caller, and hands out their numbers."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from sqlalchemy import Row, Select, and_, bindparam, delete, func, literal_column, or_, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import NullType

from orders.adapters import counters
from orders.adapters.tables import (
    organisations,
    purchase_order_counters,
    purchase_order_lines,
    purchase_orders,
    suppliers,
    users,
)
from orders.domain.errors import PurchaseOrderNotFound
from orders.domain.lines import PurchaseOrderLine
from orders.domain.model import PurchaseOrder
from orders.domain.portal_switch import SHOWN_WHILE_SWITCHED_OFF
from orders.domain.read_models import payment_terms_days
from orders.domain.status import Status
from shared.auth import Principal, scope_values
from shared.contracts.orders import PartyDetails, TermsWarning
from shared.db import caller_scope, member_of, upsert
from shared.driver import driver_first, driver_rows
from shared.fields import made_of, values_of

# The bound parameter of a supplier user's records whose buyer switched its portal off.
SCOPE_RESTRICTED = "scope_restricted_suppliers"
_NOBODY = UUID(int=0)


def order_scope_values(principal: Principal) -> dict[str, object]:
    """The values ``visible_to_bound`` binds for ``principal``: ``shared.auth.scope_values`` and,
    for a supplier user, its restricted records (``Principal.restricted_supplier_ids``)."""
    values = scope_values(principal)
    if not principal.is_buyer:
        values[SCOPE_RESTRICTED] = sorted(principal.restricted_supplier_ids) or [_NOBODY]
    return values


def visible_to(principal: Principal) -> Any:
    """A buyer sees its tenant's orders; a supplier user the non-draft orders of its suppliers,
    and of a buyer that switched its supplier portal off only those still to invoice."""
    return visible_to_bound(buyer=principal.is_buyer, values=order_scope_values(principal))


def visible_to_bound(*, buyer: bool, values: Mapping[str, object] | None = None, one_row: bool = False) -> Any:
    """``visible_to`` for a buyer or a supplier user, with the caller's ``values``
    (``order_scope_values``), or, without, the caller left to bind: statements built once.
    ``one_row``: for an order found by its id (``shared.db.caller_scope``)."""
    po = purchase_orders.c
    scope = caller_scope(po.tenant_id, po.supplier_id, buyer=buyer, values=values, one_row=one_row)
    if buyer:
        return scope
    restricted = member_of(po.supplier_id, SCOPE_RESTRICTED, values, one_row=one_row)
    still_to_invoice = po.status.in_(sorted(SHOWN_WHILE_SWITCHED_OFF))
    return and_(scope, po.status != "draft", or_(~restricted, still_to_invoice))


def joined_parties() -> Any:
    """Orders outer-joined with the read models of their buyer organisation, their supplier and
    their initiator (each absent until its announcement arrives)."""
    po = purchase_orders.c
    return (
        purchase_orders.outerjoin(organisations, organisations.c.tenant_id == po.tenant_id)
        .outerjoin(suppliers, suppliers.c.id == po.supplier_id)
        .outerjoin(users, users.c.user_id == po.initiator_id)
    )


# The columns of ``PartyDetails`` each party's read model has: the supplier keeps no contact.
BUYER_DETAILS = {name: organisations.c[name] for name in PartyDetails.model_fields}
SUPPLIER_DETAILS = {name: suppliers.c.get(name) for name in PartyDetails.model_fields}


def payment_terms_column() -> Any:
    """``payment_terms_days`` in SQL: the supplier's terms, else its organisation's default."""
    return func.coalesce(suppliers.c.payment_terms_days, organisations.c.default_payment_terms_days)


def _party_columns(prefix: str, details: dict[str, Any], known: Any) -> list[Any]:
    return [known.isnot(None).label(f"{prefix}_known")] + [
        column.label(f"{prefix}_{name}") for name, column in details.items() if column is not None
    ]


def _orders_query() -> Select[Any]:
    """Orders with what their events and documents say of the parties as orders knows them now:
    the buyer's name, both parties' details, the initiator and the payment terms."""
    return select(
        purchase_orders,
        organisations.c.name.label("buyer_name"),
        *_party_columns("buyer", BUYER_DETAILS, organisations.c.tenant_id),
        *_party_columns("supplier", SUPPLIER_DETAILS, suppliers.c.id),
        organisations.c.default_payment_terms_days,
        suppliers.c.payment_terms_days.label("supplier_payment_terms_days"),
        users.c.name.label("initiator_name"),
        users.c.email.label("initiator_email"),
    ).select_from(joined_parties())


def _party(row: Row[Any], prefix: str) -> PartyDetails | None:
    values = row._mapping
    if not values[f"{prefix}_known"]:
        return None
    return PartyDetails(**{name: values.get(f"{prefix}_{name}") for name in PartyDetails.model_fields})


def _line(row: Any) -> PurchaseOrderLine:
    return made_of(PurchaseOrderLine, row)


def _order(row: Row[Any], lines: list[PurchaseOrderLine]) -> PurchaseOrder:
    warnings = [TermsWarning.model_validate(warning) for warning in row.warnings]
    return made_of(
        PurchaseOrder,
        row,
        status=Status(row.status),
        lines=lines,
        warnings=warnings,
        buyer=_party(row, "buyer"),
        supplier=_party(row, "supplier"),
        payment_terms_days=payment_terms_days(row.supplier_payment_terms_days, row.default_payment_terms_days),
    )


# An order's lines as one value of its row: an array of anonymous records (each line's columns in
# the table's order, the lines in their order), which asyncpg decodes in the columns' own types.
_LINE_COLUMNS = tuple(purchase_order_lines.c.keys())
_LINES_OF_THE_ORDER = (
    select(
        func.array_agg(
            aggregate_order_by(tuple_(*purchase_order_lines.c), purchase_order_lines.c.line_no), type_=NullType()
        )
    )
    .where(purchase_order_lines.c.purchase_order_id == purchase_orders.c.id)
    .scalar_subquery()
    .label("order_lines")
)

# Whether the order's row as locked is the one the statement's snapshot holds. A statement that
# waited for another transaction's lock on the row locks that transaction's version of it, but
# reads everything else, the lines among them, as they were when it began: a writer that changed
# the lines while it waited (every writer of lines saves the order's row too) left a newer row.
_seen = purchase_orders.alias("seen")
_ROW_AS_SEEN = (
    literal_column("purchase_orders.xmin")
    == select(literal_column("seen.xmin")).where(_seen.c.id == purchase_orders.c.id).scalar_subquery()
).label("lines_as_locked")


# The statements of every event and request that loads an order, built once per shape; the
# values are bound at execution. Built on every call, each cost its construction and the walk of
# its whole expression (every column of the order and of its parties) for its cache key.
@functools.cache
def _order_by_id(*, buyer: bool | None, for_update: bool) -> Any:
    """The order ``order_id`` with its lines as a buyer (True) or a supplier user (False) sees it,
    the caller bound at execution (``order_scope_values``), or unscoped (None) for the consumers."""
    query = _orders_query().add_columns(_LINES_OF_THE_ORDER).where(purchase_orders.c.id == bindparam("order_id"))
    if buyer is not None:
        query = query.where(visible_to_bound(buyer=buyer, one_row=True))
    if not for_update:
        return query
    # Only the order's row: the organisation is the nullable side of an outer join.
    return query.add_columns(_ROW_AS_SEEN).with_for_update(of=purchase_orders)


def _lines_of_the_order(records: Sequence[tuple[Any, ...]] | None) -> list[PurchaseOrderLine]:
    return [_line(SimpleNamespace(**dict(zip(_LINE_COLUMNS, record, strict=True)))) for record in records or ()]


_LINES_OF = (
    select(purchase_order_lines)
    .where(purchase_order_lines.c.purchase_order_id.in_(bindparam("order_ids", expanding=True)))
    .order_by(purchase_order_lines.c.line_no)
)


async def _lines_read_again(session: AsyncSession, order_id: UUID) -> list[PurchaseOrderLine]:
    return [_line(line) for line in (await session.execute(_LINES_OF, {"order_ids": [order_id]})).all()]


def _line_rows(order_id: UUID, lines: Sequence[PurchaseOrderLine]) -> dict[UUID, dict[str, Any]]:
    return {line.id: values_of(purchase_order_lines.c.keys(), line, purchase_order_id=order_id) for line in lines}


def _stored(rows: dict[UUID, dict[str, Any]]) -> dict[UUID, str]:
    # repr, not ==: Decimal("1.50") == Decimal("1.5") but is not stored alike.
    return {line_id: repr(values) for line_id, values in rows.items()}


# What a save never changes of a stored order.
_IMMUTABLE = ("tenant_id", "number", "created_at", "initiator_id")


@functools.cache
def _order_with_lines_saved(order_columns: tuple[str, ...], line_columns: tuple[str, ...]) -> Any:
    """The order's row upserted and its changed lines upserted in one statement, built once per
    shape: the order's values bound by their columns' names, the lines' as one array per column
    (``line_<column>``), which ``unnest`` zips back into rows."""
    given = insert(purchase_orders).values(
        {name: bindparam(name, type_=purchase_orders.c[name].type) for name in order_columns}
    )
    order = given.on_conflict_do_update(
        index_elements=[purchase_orders.c.id],
        set_={name: given.excluded[name] for name in order_columns if name not in ("id", *_IMMUTABLE)},
    ).cte("saved_order")
    arrays = [bindparam(f"line_{name}", type_=ARRAY(purchase_order_lines.c[name].type)) for name in line_columns]
    changed = func.unnest(*arrays).table_valued(*line_columns, name="changed").render_derived()
    lines = insert(purchase_order_lines).from_select(line_columns, select(*changed.c))
    return lines.on_conflict_do_update(
        index_elements=[purchase_order_lines.c.id],
        set_={name: lines.excluded[name] for name in line_columns if name not in ("id", "purchase_order_id")},
    ).add_cte(order)


class PurchaseOrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        # Each line's row as loaded for update or last saved in this unit of work, per order: a
        # save writes only the lines that changed (an invoice moves the invoiced quantity of a few
        # lines of an order that may have hundreds) and deletes only the ones that are gone. Reads
        # take no copy; an order saved without one has all its lines written.
        self._stored_lines: dict[UUID, dict[UUID, str]] = {}

    async def get(self, order_id: UUID, *, scope: Principal | None, for_update: bool = False) -> PurchaseOrder:
        """The order if ``scope`` may see it; ``scope=None`` is the service itself (consumers)."""
        values: dict[str, object] = {"order_id": order_id}
        if scope is not None:
            values.update(order_scope_values(scope))
        query = _order_by_id(buyer=None if scope is None else scope.is_buyer, for_update=for_update)
        row = await driver_first(self._session, query, values)
        if row is None:
            raise PurchaseOrderNotFound()
        if for_update and not row.lines_as_locked:
            # The lock waited for a writer of the order: its lines as that writer left them.
            lines = await _lines_read_again(self._session, order_id)
        else:
            lines = _lines_of_the_order(row.order_lines)
        order = _order(row, lines)
        if for_update:
            self._stored_lines[order.id] = _stored(_line_rows(order.id, order.lines))
        return order

    async def next_number(self, tenant_id: UUID) -> int:
        """The tenant's next order number, counted in the caller's transaction."""
        return await counters.next_number(self._session, purchase_order_counters, tenant_id)

    async def save(self, order: PurchaseOrder) -> None:
        """The order's row and the lines that changed since it was loaded or last saved (all of
        them without either), in one statement; a revised draft's dropped lines deleted first."""
        values = values_of(
            purchase_orders.c.keys(), order, warnings=[warning.model_dump(mode="json") for warning in order.warnings]
        )
        rows = _line_rows(order.id, order.lines)
        now_stored = _stored(rows)
        stored = self._stored_lines.get(order.id, {})
        if not stored or stored.keys() - rows.keys():
            # A revised draft replaces its lines: drop the ones that are gone.
            await self._session.execute(
                delete(purchase_order_lines).where(
                    purchase_order_lines.c.purchase_order_id == order.id,
                    purchase_order_lines.c.id.not_in(list(rows)),
                )
            )
        changed = [values for line_id, values in rows.items() if stored.get(line_id) != now_stored[line_id]]
        if changed:
            line_columns = tuple(changed[0])
            arrays = {f"line_{name}": [line[name] for line in changed] for name in line_columns}
            await driver_rows(self._session, _order_with_lines_saved(tuple(values), line_columns), values | arrays)
        else:
            await driver_rows(self._session, upsert(purchase_orders, tuple(values), keep=_IMMUTABLE), values)
        self._stored_lines[order.id] = now_stored
