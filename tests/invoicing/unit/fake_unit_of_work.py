"""An in-memory unit of work for the invoicing use cases: the repositories they call, scoped to
the caller as the SQL ones are, an outbox, and a transaction that ``commit`` keeps.

``async with uow`` starts a transaction on a copy of the stored invoices; ``commit`` stores that
copy, and a unit left without it keeps nothing (its outbox included), like a rolled-back one.
Every load and save copies the aggregate, so what a use case changes in memory before it
refuses never reaches the store. ``for_update`` is accepted and means nothing: one test, one task.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from decimal import Decimal
from types import TracebackType
from typing import Self
from uuid import UUID

from invoicing.adapters.drafts import DraftBasis
from invoicing.domain.errors import InvoiceNotFound, PurchaseOrderNotFound
from invoicing.domain.model import Invoice
from invoicing.domain.read_models import OrganisationSettings, PurchaseOrder
from invoicing.domain.status import Status
from shared.auth import Principal
from shared.contracts.base import EventPayload
from shared.contracts.invoicing import LIVE_INVOICE_STATUSES


def visible(scope: Principal, *, tenant_id: UUID, supplier_id: UUID) -> bool:
    """``shared.db.caller_scope``: a buyer sees its tenant's rows, a supplier user its suppliers'."""
    if scope.is_buyer:
        return scope.tenant_id is not None and tenant_id == scope.tenant_id
    return supplier_id in scope.supplier_ids


def _copy(invoice: Invoice) -> Invoice:
    copied = copy.deepcopy(invoice)
    copied.events.clear()
    return copied


class FakeInvoiceRepository:
    """``adapters.repository.InvoiceRepository`` on the transaction's rows."""

    def __init__(
        self,
        rows: dict[UUID, Invoice],
        organisations: FakeOrganisationDirectory,
        suppliers: FakeSupplierDirectory,
        purchase_orders: dict[UUID, PurchaseOrder],
    ) -> None:
        self._rows = rows
        self._purchase_orders = purchase_orders
        self._organisations = organisations
        self._suppliers = suppliers

    async def get(self, invoice_id: UUID, *, scope: Principal, for_update: bool = False) -> Invoice:
        return _copy(self._visible(invoice_id, scope))

    async def get_with_settings(
        self, invoice_id: UUID, *, scope: Principal
    ) -> tuple[Invoice, OrganisationSettings, int | None]:
        invoice = await self.get(invoice_id, scope=scope, for_update=True)
        portal = await self._organisations.settings_of(invoice.tenant_id)
        return invoice, portal, self._suppliers.payment_terms_of(invoice.supplier_id)

    async def find(self, invoice_id: UUID, *, for_update: bool = False) -> Invoice | None:
        row = self._rows.get(invoice_id)
        return _copy(row) if row is not None else None

    async def find_with_order_initiator(self, invoice_id: UUID) -> tuple[Invoice, UUID | None] | None:
        invoice = await self.find(invoice_id, for_update=True)
        if invoice is None:
            return None
        po = self._purchase_orders.get(invoice.purchase_order_id)
        return invoice, po.initiator_id if po is not None else None

    async def number_taken(self, supplier_id: UUID, number: str, *, other_than: UUID | None = None) -> bool:
        return any(
            row.supplier_id == supplier_id and row.number == number and row.status != Status.canceled
            for row in self._rows.values()
            if row.id != other_than
        )

    async def invoiced_quantities(self, purchase_order_id: UUID) -> dict[UUID, Decimal]:
        quantities: dict[UUID, Decimal] = {}
        for row in self._rows.values():
            if row.purchase_order_id != purchase_order_id or row.status not in LIVE_INVOICE_STATUSES:
                continue
            for line in row.lines:
                if line.purchase_order_line_id is not None:
                    billed = quantities.get(line.purchase_order_line_id, Decimal(0))
                    quantities[line.purchase_order_line_id] = billed + line.quantity
        return quantities

    async def save(self, invoice: Invoice, *, new: bool = False) -> None:
        assert not new or invoice.id not in self._rows, "a new invoice is not stored yet"
        self._rows[invoice.id] = _copy(invoice)

    def _visible(self, invoice_id: UUID, scope: Principal) -> Invoice:
        """The caller's invoice; another party's is not found, exactly like a missing one."""
        row = self._rows.get(invoice_id)
        if row is None or not visible(scope, tenant_id=row.tenant_id, supplier_id=row.supplier_id):
            raise InvoiceNotFound()
        return row


class FakePurchaseOrderRepository:
    """``adapters.read_models.PurchaseOrderRepository`` on the stored orders."""

    def __init__(self, rows: dict[UUID, PurchaseOrder]) -> None:
        self._rows = rows

    async def find(self, purchase_order_id: UUID, *, for_update: bool = False) -> PurchaseOrder | None:
        return self._rows.get(purchase_order_id)

    async def exists(self, purchase_order_id: UUID) -> bool:
        return purchase_order_id in self._rows


class FakeDraftReader:
    """``adapters.drafts.DraftReader`` on the fakes' rows."""

    def __init__(
        self,
        purchase_orders: dict[UUID, PurchaseOrder],
        organisations: FakeOrganisationDirectory,
        invoices: FakeInvoiceRepository,
    ) -> None:
        self._purchase_orders = purchase_orders
        self._organisations = organisations
        self._invoices = invoices

    async def basis(self, purchase_order_id: UUID, *, scope: Principal, number: str, claimed: bool) -> DraftBasis:
        po = self._purchase_orders.get(purchase_order_id)
        if po is None or not visible(scope, tenant_id=po.tenant_id, supplier_id=po.supplier_id):
            raise PurchaseOrderNotFound()
        return DraftBasis(
            po,
            await self._organisations.settings_of(po.tenant_id),
            await self._invoices.number_taken(po.supplier_id, number),
            await self._invoices.invoiced_quantities(po.id) if claimed else None,
        )


class FakeOrganisationDirectory:
    """``adapters.directory.OrganisationDirectory``: the buyer's settings, the defaults when unknown."""

    def __init__(self, rows: dict[UUID, OrganisationSettings]) -> None:
        self._rows = rows

    async def settings_of(self, tenant_id: UUID) -> OrganisationSettings:
        return self._rows.get(tenant_id) or OrganisationSettings.unknown(tenant_id)


class FakeSupplierDirectory:
    """``adapters.read_models.SupplierDirectory``: each supplier's own payment terms, where it has them."""

    def __init__(self, payment_terms: dict[UUID, int | None]) -> None:
        self._payment_terms = payment_terms

    def payment_terms_of(self, supplier_id: UUID) -> int | None:
        return self._payment_terms.get(supplier_id)


class FakeOutbox:
    """The events a unit of work added, with the tenant each goes out under."""

    def __init__(self) -> None:
        self.added: list[tuple[EventPayload, UUID]] = []

    def add(self, payload: EventPayload, *, tenant_id: UUID) -> None:
        self.added.append((payload, tenant_id))

    def take(self, recorded: list[EventPayload], *, tenant_id: UUID) -> None:
        for payload in recorded:
            self.add(payload, tenant_id=tenant_id)
        recorded.clear()

    @property
    def events(self) -> list[EventPayload]:
        return [payload for payload, _ in self.added]


class FakeUnitOfWork:
    """What the invoicing use cases use of ``service.unit_of_work.UnitOfWork``.

    ``stored_*`` are the committed rows (seed them before, read them after); ``outbox`` and
    ``committed`` tell what the last unit of work did. The read models are not written by these
    use cases, so they are shared, not copied, by each transaction.
    """

    invoices: FakeInvoiceRepository
    purchase_orders: FakePurchaseOrderRepository
    organisations: FakeOrganisationDirectory
    suppliers: FakeSupplierDirectory
    drafts: FakeDraftReader

    def __init__(self, *purchase_orders: PurchaseOrder, organisations: Iterable[OrganisationSettings] = ()) -> None:
        self.stored_invoices: dict[UUID, Invoice] = {}
        self.stored_payment_terms: dict[UUID, int | None] = {}
        self.stored_purchase_orders = {po.id: po for po in purchase_orders}
        self.stored_organisations = {settings.tenant_id: settings for settings in organisations}
        self.outbox = FakeOutbox()
        self.committed = False
        self._rows: dict[UUID, Invoice] | None = None

    def store(self, *invoices: Invoice) -> None:
        """Invoices as an earlier, committed unit of work left them."""
        for invoice in invoices:
            self.stored_invoices[invoice.id] = _copy(invoice)

    async def __aenter__(self) -> Self:
        assert self._rows is None, "a unit of work is not entered while it is open"
        self._rows = dict(self.stored_invoices)
        self.organisations = FakeOrganisationDirectory(self.stored_organisations)
        self.purchase_orders = FakePurchaseOrderRepository(self.stored_purchase_orders)
        self.suppliers = FakeSupplierDirectory(self.stored_payment_terms)
        self.invoices = FakeInvoiceRepository(
            self._rows, self.organisations, self.suppliers, self.stored_purchase_orders
        )
        self.drafts = FakeDraftReader(self.stored_purchase_orders, self.organisations, self.invoices)
        self.outbox = FakeOutbox()
        self.committed = False
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self.committed:
            self.outbox = FakeOutbox()
        self._rows = None

    async def commit(self) -> None:
        assert self._rows is not None, "commit outside a unit of work"
        self.stored_invoices = dict(self._rows)
        self.committed = True

    async def save(self, invoice: Invoice, *, new: bool = False) -> None:
        """As ``UnitOfWork.save``: the aggregate's row, and its recorded events into the outbox."""
        await self.invoices.save(invoice, new=new)
        self.outbox.take(invoice.events, tenant_id=invoice.tenant_id)
