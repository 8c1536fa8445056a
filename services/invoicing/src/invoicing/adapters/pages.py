"""Pages of invoices as the JSON documents of the response models, written by PostgreSQL
(``shared.json_documents``): a list of invoices without decoding every line, payment and verdict."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import Select, Text, cast, func, literal_column, select

from invoicing.adapters.repository import visible_to
from invoicing.adapters.tables import invoice_lines, invoices, payments
from shared.auth import Principal
from shared.json_documents import decimal, instant, json_array, json_object, money, stored
from shared.pagination import keyset_after


def invoice_document(
    invoice_model: type[BaseModel],
    line_model: type[BaseModel],
    payment_model: type[BaseModel],
    matching_model: type[BaseModel],
) -> Any:
    """The JSON ``invoice_model`` writes for an invoice row, with its lines, payments and verdict.

    Its values are those the repository loads: the stored columns (``net_total`` is stored by
    ``save`` from the lines), the verdict as it was stored, payments in the order they were made,
    and the paid total as ``Invoice.paid_total`` computes it."""
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
        },
    )
    payment_document = json_object(
        payment_model, {"id": payment.id, "amount": decimal(payment.amount), "paid_at": instant(payment.paid_at)}
    )
    lines = select(json_array(line_document, order_by=line.line_no)).where(line.invoice_id == invoice.id)
    paid = select(json_array(payment_document, order_by=(payment.paid_at, payment.id))).where(
        payment.invoice_id == invoice.id
    )
    paid_total = select(money(func.coalesce(func.sum(payment.amount), literal_column("0")), invoice.currency)).where(
        payment.invoice_id == invoice.id
    )
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
            "currency": invoice.currency,
            "issue_date": invoice.issue_date,
            "net_total": decimal(invoice.net_total),
            "lines": lines.scalar_subquery(),
            "submission": invoice.submission,
            "submitted_at": instant(invoice.submitted_at),
            "matching": stored(matching_model, invoice.matching),
            "approver_id": invoice.approver_id,
            "rejection_reason": invoice.rejection_reason,
            "payments": paid.scalar_subquery(),
            "paid_total": paid_total.scalar_subquery(),
            "created_by_buyer": invoice.created_by_buyer,
            "created_at": instant(invoice.created_at),
            "updated_at": instant(invoice.updated_at),
        },
    )


def page_query(
    document: Any,
    *,
    scope: Principal,
    status: str | None,
    purchase_order_id: UUID | None,
    limit: int,
    after: tuple[datetime, UUID] | None,
) -> Select:  # type: ignore[type-arg]
    """The invoices ``scope`` sees, filtered, newest first after the cursor: (created_at, id, document)."""
    query = select(invoices.c.created_at, invoices.c.id, cast(document, Text)).where(
        visible_to(scope), keyset_after(invoices.c.created_at, invoices.c.id, after)
    )
    if status is not None:
        query = query.where(invoices.c.status == status)
    if purchase_order_id is not None:
        query = query.where(invoices.c.purchase_order_id == purchase_order_id)
    return query.order_by(invoices.c.created_at.desc(), invoices.c.id.desc()).limit(limit)
