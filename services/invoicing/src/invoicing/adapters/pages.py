"""Pages of invoices as the JSON documents of the response models, written by PostgreSQL
(``shared.json_documents``): a list of invoices without decoding every line, payment and verdict."""

from __future__ import annotations

import functools
import json
from datetime import date, datetime
from typing import Any, NamedTuple
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import (
    Date,
    Integer,
    Select,
    Text,
    and_,
    bindparam,
    cast,
    false,
    func,
    literal_column,
    not_,
    select,
    text,
)

from invoicing.adapters.read_models import known_supplier_name
from invoicing.adapters.repository import visible_to_bound
from invoicing.adapters.tables import invoice_lines, invoices, payments
from shared.auth import Principal
from shared.json_documents import (
    PAGE_LIMIT,
    PageQuery,
    decimal,
    instant,
    json_array,
    json_object,
    money,
    page_values,
    stored,
)
from shared.pagination import keyset_after_cursor

# As the partial indexes of the invoices awaiting payment state it, so that the planner uses them.
AWAITING_PAYMENT = text("invoices.status IN ('approved', 'partly_paid')")
# Today (UTC) as the request sees it, bound at execution: the day ``Invoice.overdue_on`` is asked for.
TODAY = bindparam("today", type_=Date)


def overdue() -> Any:
    """``Invoice.overdue_on(today)`` in SQL: awaiting payment after the due date, something left to pay."""
    return func.coalesce(and_(AWAITING_PAYMENT, invoices.c.due_date < TODAY, invoices.c.balance_due > 0), false())


def invoice_document(
    invoice_model: type[BaseModel],
    line_model: type[BaseModel],
    payment_model: type[BaseModel],
    matching_model: type[BaseModel],
    *,
    tolerance_hidden: bool = False,
) -> Any:
    """The JSON ``invoice_model`` writes for an invoice row, with its lines, payments and verdict.

    Its values are those the repository loads: the stored columns (the totals are stored by
    ``save`` from the lines), the supplier's name from the directory, the verdict as it was
    stored, payments in the order they were made, and the paid total as ``Invoice.paid_total``
    computes it (the balance due is stored by ``save`` as ``Invoice.balance_due`` computes it).
    ``tolerance_hidden``: the verdict's tolerance rate, amount and limit are null (a supplier's view)."""
    invoice, line, payment = invoices.c, invoice_lines.c, payments.c
    line_document = json_object(
        line_model,
        {
            "id": line.id,
            "line_no": line.line_no,
            "purchase_order_line_id": line.purchase_order_line_id,
            "description": line.description,
            "quantity": decimal(line.quantity),
            "unit_price": decimal(line.unit_price),
            "net_amount": decimal(line.net_amount),
            "tax_rate": decimal(line.tax_rate),
            "tax_amount": decimal(line.tax_amount),
            "credited_line_id": line.credited_line_id,
        },
    )
    payment_document = json_object(
        payment_model, {"id": payment.id, "amount": decimal(payment.amount), "paid_at": instant(payment.paid_at)}
    )
    lines = select(json_array(line_document, order_by=line.line_no)).where(line.invoice_id == invoice.id)
    paid = select(json_array(payment_document, order_by=(payment.paid_at, payment.id))).where(
        payment.invoice_id == invoice.id
    )
    paid_sum = func.coalesce(func.sum(payment.amount), literal_column("0"))
    paid_total = select(money(paid_sum, invoice.currency)).where(payment.invoice_id == invoice.id)
    return json_object(
        invoice_model,
        {
            "id": invoice.id,
            "tenant_id": invoice.tenant_id,
            "number": invoice.number,
            "status": invoice.status,
            "purchase_order_id": invoice.purchase_order_id,
            "purchase_order_number": invoice.purchase_order_number,
            "supplier_id": invoice.supplier_id,
            "supplier_name": known_supplier_name(invoice.supplier_id, invoice.tenant_id),
            "currency": invoice.currency,
            "issue_date": invoice.issue_date,
            "net_total": decimal(invoice.net_total),
            "tax_total": decimal(invoice.tax_total),
            "gross_total": decimal(invoice.gross_total),
            "lines": lines.scalar_subquery(),
            "submission": invoice.submission,
            "submitted_at": instant(invoice.submitted_at),
            "matching": stored(
                matching_model, _without_tolerance(invoice.matching) if tolerance_hidden else invoice.matching
            ),
            "approver_id": invoice.approver_id,
            "rejection_reason": invoice.rejection_reason,
            "payments": paid.scalar_subquery(),
            "paid_total": paid_total.scalar_subquery(),
            "credited_total": decimal(invoice.credited_total),
            "balance_due": decimal(invoice.balance_due),
            "kind": invoice.kind,
            "credited_invoice_id": invoice.credited_invoice_id,
            "created_by_buyer": invoice.created_by_buyer,
            "due_date": invoice.due_date,
            "overdue": overdue(),
            "created_at": instant(invoice.created_at),
            "updated_at": instant(invoice.updated_at),
        },
    )


def _without_tolerance(verdict: Any) -> Any:
    # NULL stays NULL: jsonb || jsonb is NULL where either side is.
    hidden = json.dumps(dict.fromkeys(("tolerance_rate", "tolerance_amount", "tolerance_limit")))
    return verdict.op("||")(literal_column(f"'{hidden}'::jsonb"))


class _Shape(NamedTuple):
    """What a page statement of invoices filters on (its values are bound at execution)."""

    buyer: bool
    after_cursor: bool
    status: bool
    purchase_order: bool
    supplier: bool = False
    # The held invoices routed to the caller, the longest waiting first.
    waiting_for_caller: bool = False
    # True: only the overdue ones; False: only those that are not; None: both.
    overdue: bool | None = None
    kind: bool = False
    credited_invoice: bool = False


def page_query(
    document: Any,
    *,
    scope: Principal,
    status: str | None,
    purchase_order_id: UUID | None,
    limit: int,
    after: tuple[datetime, UUID] | None,
    supplier_id: UUID | None = None,
    waiting_for_caller: bool = False,
    overdue: bool | None = None,
    kind: str | None = None,
    credited_invoice_id: UUID | None = None,
    today: date,
) -> PageQuery:
    """The invoices ``scope`` sees, filtered, newest first after the cursor: (created_at, id, document).
    ``waiting_for_caller``: only the pending invoices whose approver is the caller, oldest first."""
    shape = _Shape(
        buyer=scope.is_buyer,
        after_cursor=after is not None,
        status=status is not None,
        purchase_order=purchase_order_id is not None,
        supplier=supplier_id is not None,
        waiting_for_caller=waiting_for_caller,
        overdue=overdue,
        kind=kind is not None,
        credited_invoice=credited_invoice_id is not None,
    )
    approver_id = scope.user_id if waiting_for_caller else None
    values = page_values(
        scope,
        limit=limit,
        after=after,
        status=status,
        purchase_order_id=purchase_order_id,
        supplier_id=supplier_id,
        approver_id=approver_id,
        today=today,
        kind=kind,
        credited_invoice_id=credited_invoice_id,
    )
    return PageQuery(_page_statement(document, shape), values)


@functools.cache
def _page_statement(document: Any, shape: _Shape) -> Select:
    query = select(invoices.c.created_at, invoices.c.id, cast(document, Text)).where(
        visible_to_bound(buyer=shape.buyer)
    )
    oldest_first = shape.waiting_for_caller
    if shape.after_cursor:
        query = query.where(keyset_after_cursor(invoices.c.created_at, invoices.c.id, oldest_first=oldest_first))
    if shape.status:
        query = query.where(invoices.c.status == bindparam("status"))
    if shape.purchase_order:
        query = query.where(invoices.c.purchase_order_id == bindparam("purchase_order_id"))
    if shape.supplier:
        query = query.where(invoices.c.supplier_id == bindparam("supplier_id"))
    if shape.overdue is True:
        query = query.where(AWAITING_PAYMENT, invoices.c.due_date < TODAY, invoices.c.balance_due > 0)
    elif shape.overdue is False:
        query = query.where(not_(overdue()))
    if shape.kind:
        query = query.where(invoices.c.kind == bindparam("kind"))
    if shape.credited_invoice:
        query = query.where(invoices.c.credited_invoice_id == bindparam("credited_invoice_id"))
    if shape.waiting_for_caller:
        query = query.where(invoices.c.status == "pending", invoices.c.approver_id == bindparam("approver_id"))
    order = (
        (invoices.c.created_at, invoices.c.id) if oldest_first else (invoices.c.created_at.desc(), invoices.c.id.desc())
    )
    return query.order_by(*order).limit(bindparam(PAGE_LIMIT, type_=Integer))
