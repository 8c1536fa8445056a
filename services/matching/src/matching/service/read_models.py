"""Effects of consumed events that keep matching's copies of other services' data: purchase
orders, the suppliers' and organisations' tolerances and the invoices as they move on after matching. Each runs
in the unit of work its consumer opened, which records the event in the inbox and commits."""

from __future__ import annotations

from matching.domain.model import Invoice, OrganisationTolerance, PurchaseOrder, SupplierTolerance
from matching.service import handlers
from matching.service.unit_of_work import UnitOfWork


async def record_purchase_order(uow: UnitOfWork, po: PurchaseOrder) -> None:
    """A PO's newer state; where it matches against receipts, its held invoices are matched again."""
    if await uow.purchase_orders.save(po) and po.match_against_receipts:
        await handlers.rematch_held_invoices(uow, po)


async def record_supplier(uow: UnitOfWork, tolerance: SupplierTolerance) -> None:
    await uow.suppliers.save(tolerance)


async def record_organisation(uow: UnitOfWork, tolerance: OrganisationTolerance) -> None:
    await uow.suppliers.save_organisation(tolerance)


async def record_invoice(uow: UnitOfWork, invoice: Invoice) -> None:
    """An invoice moved (approval requested, approved, rejected, canceled, paid). One that no longer
    bills (rejected, canceled) or a credit note that now gives back lowers what the PO's other
    invoices find billed before them: on a PO matched against receipts, the invoices held for them
    are matched again, as when a receipt arrives, so that the outcome does not depend on which
    came first."""
    if invoice.bills:
        await uow.invoices.save(invoice)
        return
    # The PO row first, as every other writer of the PO's matching takes it.
    po = await uow.purchase_orders.get(invoice.purchase_order_id, for_update=True)
    await uow.invoices.save(invoice)
    if po is not None and po.match_against_receipts:
        await handlers.rematch_held_invoices(uow, po)
