"""Read use cases of the invoicing service: the caller's invoices, one or a page of them,
their count by status, and one as a document."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from invoicing.adapters.pages import page_query
from invoicing.adapters.pdf import PrintedBeside, invoice_pdf
from invoicing.domain.model import Invoice
from invoicing.domain.summary import invoices_by_status
from invoicing.service.unit_of_work import UnitOfWork
from shared.auth import Principal
from shared.documents import Party
from shared.errors import InvalidInput
from shared.json_documents import PageItem
from shared.uploads import ExportedFile

EXPORT_FORMATS = ("pdf",)


def today() -> date:
    """The day (UTC) against which due dates are read."""
    return datetime.now(UTC).date()


async def get_invoice(uow: UnitOfWork, caller: Principal, invoice_id: UUID) -> Invoice:
    async with uow:
        return await uow.invoices.get(invoice_id, scope=caller)


async def list_invoices(
    uow: UnitOfWork,
    caller: Principal,
    document: Any,
    *,
    status: str | None,
    purchase_order_id: UUID | None,
    limit: int,
    after: tuple[datetime, UUID] | None,
    supplier_id: UUID | None = None,
    waiting_for_me: bool = False,
    overdue: bool | None = None,
    kind: str | None = None,
    credited_invoice_id: UUID | None = None,
) -> Sequence[PageItem]:
    """A page of the invoices the caller sees, each as ``document`` (``invoice_document``) writes it;
    ``waiting_for_me``: the held ones routed to the caller for a decision, the longest waiting first;
    ``overdue``: only those overdue today (UTC), or only those not; ``kind``: invoices or credit notes;
    ``credited_invoice_id``: the credit notes of that invoice."""
    query = page_query(
        document,
        scope=caller,
        status=status,
        purchase_order_id=purchase_order_id,
        supplier_id=supplier_id,
        waiting_for_caller=waiting_for_me,
        overdue=overdue,
        kind=kind,
        credited_invoice_id=credited_invoice_id,
        today=today(),
        limit=limit,
        after=after,
    )
    async with uow:
        return await uow.pages.items(query)


async def invoice_summary(uow: UnitOfWork, caller: Principal) -> tuple[dict[str, int], int]:
    """The caller's invoices by status, and how many held ones wait for the caller's decision."""
    async with uow:
        by_status = invoices_by_status(await uow.invoices.count_by_status(scope=caller))
        waiting = await uow.invoices.count_waiting_for(caller) if caller.is_buyer else 0
    return by_status, waiting


async def export_invoice(uow: UnitOfWork, caller: Principal, invoice_id: UUID, export_format: str) -> ExportedFile:
    if export_format not in EXPORT_FORMATS:
        raise InvalidInput(
            f"invoices are exported as {', '.join(EXPORT_FORMATS)}; {export_format!r} is not supported",
            errors=[{"field": "format", "message": "one of: " + ", ".join(EXPORT_FORMATS)}],
        )
    async with uow:
        invoice = await uow.invoices.get(invoice_id, scope=caller)
        organisation = await uow.organisations.find(invoice.tenant_id)
        # The PO's last snapshot named both parties too: the fall-back while a directory lags.
        po_supplier_name, po_buyer_name, delivery_date = await uow.purchase_orders.document_details(
            invoice.purchase_order_id
        )
        supplier_details = await uow.suppliers.legal_details(invoice.supplier_id)
        credited = await uow.invoices.find(invoice.credited_invoice_id) if invoice.credited_invoice_id else None
    buyer_name = organisation.name if organisation is not None and organisation.name else po_buyer_name
    supplier_name = invoice.supplier_name or po_supplier_name
    beside = PrintedBeside(
        supplier=Party(supplier_name, *supplier_details),
        buyer=Party(buyer_name, *organisation.legal_details) if organisation is not None else Party(buyer_name),
        delivery_date=delivery_date,
        credited_number=credited.number if credited is not None else None,
    )
    content = await invoice_pdf(invoice, beside)
    # Invoice numbers may hold slashes ("2026/17"); a file name may not.
    filename = invoice.number.replace("/", "-").replace("\\", "-") + ".pdf"
    return ExportedFile(filename=filename, media_type="application/pdf", content=content)
