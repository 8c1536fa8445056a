"""HTTP API of the invoicing service: thin translation between JSON and the use cases."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from invoicing.adapters.pages import invoice_document
from invoicing.entrypoints.deps import ArrivalWait, Uow
from invoicing.entrypoints.schemas import (
    CreditLineIn,
    InvoiceCreate,
    InvoiceOut,
    InvoicePage,
    InvoicePatch,
    InvoiceSummary,
    LineIn,
    LineOut,
    MatchingOut,
    PaymentIn,
    PaymentOut,
    RejectIn,
)
from invoicing.service import commands, queries
from shared import json_documents
from shared.contracts.invoicing import InvoiceKind, InvoiceStatus
from shared.pagination import CursorParam, LimitParam, decode_cursor, page_of
from shared.runtime import CurrentPrincipal
from shared.uploads import download

router = APIRouter(prefix="/api/v1", tags=["invoices"])


@router.post(
    "/invoices",
    status_code=status.HTTP_201_CREATED,
    response_model=InvoiceOut,
    responses={
        503: {
            "description": "The purchase order is not known to invoicing yet and too many requests are "
            "waiting for theirs; see Retry-After"
        }
    },
)
async def create_invoice(body: InvoiceCreate, caller: CurrentPrincipal, uow: Uow, arrival: ArrivalWait) -> InvoiceOut:
    """The supplier's users create invoices and credit notes (``kind``); the buyer's staff only
    while the supplier portal is off. A credit note credits lines of an approved invoice
    (``credited_invoice_id``, lines ``{invoice_line_id, quantity, unit_price}``).

    A purchase order the supplier has just seen may not have reached invoicing yet: the request
    then waits a few seconds for it before answering 404."""
    body.ensure_consistent()
    if body.kind == "credit_note":
        assert body.credited_invoice_id is not None and body.lines  # ensure_consistent says so
        invoice = await commands.create_credit_note(
            uow,
            caller,
            credited_invoice_id=body.credited_invoice_id,
            purchase_order_id=body.purchase_order_id,
            number=body.number,
            issue_date=body.issue_date,
            lines=[line.draft() for line in body.lines if isinstance(line, CreditLineIn)],
        )
        return InvoiceOut.of(invoice, caller)
    assert body.purchase_order_id is not None
    invoice = await commands.create_invoice(
        uow,
        caller,
        purchase_order_id=body.purchase_order_id,
        number=body.number,
        issue_date=body.issue_date,
        lines=None if body.lines is None else [line.draft() for line in body.lines if isinstance(line, LineIn)],
        arrival=arrival,
    )
    return InvoiceOut.of(invoice, caller)


# Each invoice of a page is written by PostgreSQL as InvoiceOut writes it (invoicing.adapters.pages);
# a supplier's without the buyer's tolerance.
INVOICE_DOCUMENT = invoice_document(InvoiceOut, LineOut, PaymentOut, MatchingOut)
SUPPLIER_INVOICE_DOCUMENT = invoice_document(InvoiceOut, LineOut, PaymentOut, MatchingOut, tolerance_hidden=True)


@router.get("/invoices", response_model=InvoicePage)
async def list_invoices(
    caller: CurrentPrincipal,
    uow: Uow,
    status: InvoiceStatus | None = Query(None),
    purchase_order_id: UUID | None = Query(None),
    supplier_id: UUID | None = Query(None, description="only this supplier's invoices"),
    waiting_for_me: bool = Query(
        False,
        description="only the pending invoices routed to the caller for a decision, the longest waiting "
        "(oldest) first; the cursor follows that order",
    ),
    kind: InvoiceKind | None = Query(None, description="only invoices, or only credit notes"),
    credited_invoice_id: UUID | None = Query(None, description="only the credit notes of this invoice"),
    overdue: bool | None = Query(
        None,
        description="true: only the invoices approved or partly paid whose due date has passed (UTC); "
        "false: only the others",
    ),
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Response:
    found = await queries.list_invoices(
        uow,
        caller,
        SUPPLIER_INVOICE_DOCUMENT if caller.is_supplier else INVOICE_DOCUMENT,
        status=status,
        purchase_order_id=purchase_order_id,
        supplier_id=supplier_id,
        waiting_for_me=waiting_for_me,
        overdue=overdue,
        kind=kind,
        credited_invoice_id=credited_invoice_id,
        limit=limit + 1,
        after=decode_cursor(cursor),
    )
    documents, next_cursor = page_of(found, limit, lambda i: i.document)
    return Response(json_documents.page(documents, next_cursor), media_type="application/json")


# A literal path: declared before /invoices/{invoice_id}, which would otherwise take it.
@router.get("/invoices/summary", response_model=InvoiceSummary)
async def invoice_summary(caller: CurrentPrincipal, uow: Uow) -> InvoiceSummary:
    """The caller's invoices counted by status (a supplier: its own; a buyer: the tenant's), and the
    held ones waiting for the caller's decision."""
    by_status, waiting = await queries.invoice_summary(uow, caller)
    return InvoiceSummary(invoices_by_status=by_status, waiting_for_me=waiting)


@router.get("/invoices/{invoice_id}", response_model=InvoiceOut)
async def get_invoice(invoice_id: UUID, caller: CurrentPrincipal, uow: Uow) -> InvoiceOut:
    return InvoiceOut.of(await queries.get_invoice(uow, caller, invoice_id), caller)


@router.patch("/invoices/{invoice_id}", response_model=InvoiceOut)
async def patch_invoice(invoice_id: UUID, body: InvoicePatch, caller: CurrentPrincipal, uow: Uow) -> InvoiceOut:
    return InvoiceOut.of(await commands.edit_invoice(uow, caller, invoice_id, body.changes()), caller)


@router.post("/invoices/{invoice_id}/submit", status_code=status.HTTP_202_ACCEPTED, response_model=InvoiceOut)
async def submit_invoice(invoice_id: UUID, caller: CurrentPrincipal, uow: Uow) -> InvoiceOut:
    """Accepted for matching: the verdict moves the invoice on to approved or pending."""
    return InvoiceOut.of(await commands.submit_invoice(uow, caller, invoice_id), caller)


@router.post("/invoices/{invoice_id}/approve", response_model=InvoiceOut)
async def approve_invoice(invoice_id: UUID, caller: CurrentPrincipal, uow: Uow) -> InvoiceOut:
    return InvoiceOut.of(await commands.approve_invoice(uow, caller, invoice_id), caller)


@router.post("/invoices/{invoice_id}/reject", response_model=InvoiceOut)
async def reject_invoice(invoice_id: UUID, body: RejectIn, caller: CurrentPrincipal, uow: Uow) -> InvoiceOut:
    return InvoiceOut.of(await commands.reject_invoice(uow, caller, invoice_id, body.reason), caller)


@router.post("/invoices/{invoice_id}/cancel", response_model=InvoiceOut)
async def cancel_invoice(invoice_id: UUID, caller: CurrentPrincipal, uow: Uow) -> InvoiceOut:
    return InvoiceOut.of(await commands.cancel_invoice(uow, caller, invoice_id), caller)


@router.post("/invoices/{invoice_id}/payments", status_code=status.HTTP_201_CREATED, response_model=InvoiceOut)
async def record_payment(invoice_id: UUID, body: PaymentIn, caller: CurrentPrincipal, uow: Uow) -> InvoiceOut:
    """Record a payment (a buyer admin's; a buyer user gets 403); the invoice becomes partly_paid, or paid
    once nothing is left to pay."""
    return InvoiceOut.of(await commands.record_payment(uow, caller, invoice_id, body.amount), caller)


@router.get(
    "/invoices/{invoice_id}/export",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "the invoice as a document"}},
)
async def export_invoice(
    invoice_id: UUID,
    caller: CurrentPrincipal,
    uow: Uow,
    export_format: Annotated[str, Query(alias="format", description="pdf")] = "pdf",
) -> Response:
    document = await queries.export_invoice(uow, caller, invoice_id, export_format)
    return download(document.filename, document.media_type, document.content)
