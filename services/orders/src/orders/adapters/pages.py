"""Pages of purchase orders as the JSON documents of the response models, written by PostgreSQL
(``shared.json_documents``): a supplier's or buyer's list of orders without decoding every line."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import Integer, Select, Text, bindparam, case, cast, func, literal_column, null, select

from orders.adapters.acknowledgement import change_unacknowledged
from orders.adapters.repository import (
    BUYER_DETAILS,
    SUPPLIER_DETAILS,
    joined_parties,
    order_scope_values,
    payment_terms_column,
    visible_to_bound,
)
from orders.adapters.tables import organisations, purchase_order_lines, purchase_orders, suppliers, users
from orders.domain.model import OPEN_STATUSES
from shared.auth import Principal
from shared.contracts.orders import PartyDetails, TermsWarning
from shared.db import LIKE_ESCAPE, contains_pattern
from shared.json_documents import (
    PAGE_LIMIT,
    PageQuery,
    decimal,
    instant,
    json_array,
    json_object,
    page_values,
    stored_list,
)
from shared.pagination import keyset_after_cursor


def _party_document(details: dict[str, Any], known: Any) -> Any:
    """A party's ``PartyDetails`` as ``_party`` loads them: null while its read model is absent."""
    values = {name: null() if column is None else column for name, column in details.items()}
    return case((known.is_(None), null()), else_=json_object(PartyDetails, values))


def order_document(order_model: type[BaseModel], line_model: type[BaseModel]) -> Any:
    """The JSON ``order_model`` writes for an order of ``joined_parties()`` with its lines as ``line_model``.

    Its values are those ``_order`` and ``_line`` load: the stored columns (the totals are
    stored by ``save`` from the lines), the buyer's name, the parties' details, the initiator and
    the payment terms (the supplier's, else the organisation's default, as ``payment_terms_days``
    decides), the remaining quantity as ``remaining_quantity`` computes it (never below zero)."""
    po, line = purchase_orders.c, purchase_order_lines.c
    line_document = json_object(
        line_model,
        {
            "id": line.id,
            "line_no": line.line_no,
            "sku": line.sku,
            "description": line.description,
            "unit": line.unit,
            "quantity": decimal(line.quantity),
            "unit_price": decimal(line.unit_price),
            "net_amount": decimal(line.net_amount),
            "tax_rate": decimal(line.tax_rate),
            "tax_amount": decimal(line.tax_amount),
            "invoiced_quantity": decimal(line.invoiced_quantity),
            "remaining_quantity": decimal(func.greatest(line.quantity - line.invoiced_quantity, literal_column("0"))),
            "received_quantity": decimal(line.received_quantity),
        },
    )
    lines = (
        select(json_array(line_document, order_by=line.line_no))
        .where(line.purchase_order_id == po.id)
        .scalar_subquery()
    )
    return json_object(
        order_model,
        {
            "id": po.id,
            "number": po.number,
            "status": po.status,
            "tenant_id": po.tenant_id,
            "supplier_id": po.supplier_id,
            "supplier_name": po.supplier_name,
            "buyer_name": organisations.c.name,
            "currency": po.currency,
            "delivery_date": po.delivery_date,
            "delivery_address": po.delivery_address,
            "buyer": _party_document(BUYER_DETAILS, organisations.c.tenant_id),
            "supplier": _party_document(SUPPLIER_DETAILS, suppliers.c.id),
            "initiator_id": po.initiator_id,
            "initiator_name": users.c.name,
            "initiator_email": users.c.email,
            "payment_terms_days": payment_terms_column(),
            "net_total": decimal(po.net_total),
            "tax_total": decimal(po.tax_total),
            "gross_total": decimal(po.gross_total),
            "lines": lines,
            "warnings": stored_list(TermsWarning, po.warnings),
            "created_at": instant(po.created_at),
            "updated_at": instant(po.updated_at),
            "submitted_at": instant(po.submitted_at),
            "acknowledged_at": instant(po.acknowledged_at),
            "source_rfp_id": po.source_rfp_id,
            "revision": po.revision,
            "acknowledged_revision": po.acknowledged_revision,
            "change_unacknowledged": change_unacknowledged(),
            "match_against_receipts": po.match_against_receipts,
        },
    )


class _Shape(NamedTuple):
    """What a page statement of orders filters on (its values are bound at execution)."""

    buyer: bool
    after_cursor: bool
    status: bool
    open_only: bool | None
    supplier: bool
    number: bool


def page_query(
    document: Any,
    *,
    scope: Principal,
    limit: int,
    after: tuple[datetime, UUID] | None,
    status: str | None = None,
    supplier_id: UUID | None = None,
    open_only: bool | None = None,
    number: str | None = None,
) -> PageQuery:
    """The orders ``scope`` sees, filtered, newest first after the cursor: (created_at, id, document).

    ``open_only``: True keeps the open orders (``OPEN_STATUSES``), False all the others.
    ``number``: the orders whose number holds this text, in any case ("0042" finds "PO-000042")."""
    shape = _Shape(
        buyer=scope.is_buyer,
        after_cursor=after is not None,
        status=status is not None,
        open_only=open_only,
        supplier=supplier_id is not None,
        number=number is not None,
    )
    values = page_values(
        scope,
        limit=limit,
        after=after,
        status=status,
        supplier_id=supplier_id,
        number=None if number is None else contains_pattern(number),
    )
    return PageQuery(_page_statement(document, shape), values | order_scope_values(scope))


@functools.cache
def _page_statement(document: Any, shape: _Shape) -> Select[Any]:
    po = purchase_orders.c
    query = (
        select(po.created_at, po.id, cast(document, Text))
        .select_from(joined_parties())
        .where(visible_to_bound(buyer=shape.buyer))
    )
    if shape.after_cursor:
        query = query.where(keyset_after_cursor(po.created_at, po.id))
    if shape.status:
        query = query.where(po.status == bindparam("status"))
    if shape.open_only is not None:
        is_open = po.status.in_(sorted(OPEN_STATUSES))
        query = query.where(is_open if shape.open_only else ~is_open)
    if shape.supplier:
        query = query.where(po.supplier_id == bindparam("supplier_id"))
    if shape.number:
        # No index for it (a contains search could only use a trigram index): a tenant has a few
        # thousand orders, and ILIKE reads only the rows the caller's scope already narrows to
        # (ix_purchase_orders_tenant_created / _supplier_created), which is cheap at that size.
        query = query.where(po.number.ilike(bindparam("number"), escape=LIKE_ESCAPE))
    return query.order_by(po.created_at.desc(), po.id.desc()).limit(bindparam(PAGE_LIMIT, type_=Integer))
