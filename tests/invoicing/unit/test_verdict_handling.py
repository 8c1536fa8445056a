"""The verdict use case against in-memory repositories: waiting for what is missing, ignoring the stale."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from invoicing.domain.model import Invoice
from invoicing.domain.read_models import PurchaseOrder
from invoicing.service import handlers
from shared.errors import RetryLater
from tests.invoicing.unit.fakes import NOW, make_invoice, make_verdict_event


class FakeUnitOfWork:
    """Just what ``record_verdict`` uses: two finders and ``save``."""

    def __init__(self, invoice: Invoice | None, po: PurchaseOrder | None) -> None:
        self.saved: list[Invoice] = []
        self.invoices = self._Finder(invoice)
        self.purchase_orders = self._Finder(po)

    class _Finder:
        def __init__(self, found: Any) -> None:
            self.found = found

        async def find(self, _id: UUID, **_: Any) -> Any:
            return self.found

    async def save(self, invoice: Invoice) -> None:
        self.saved.append(invoice)


def submitted(po: PurchaseOrder) -> Invoice:
    invoice = make_invoice(po)
    invoice.submit(NOW)
    invoice.events.clear()
    return invoice


async def test_a_verdict_for_an_invoice_not_here_yet_is_retried_later(po: PurchaseOrder) -> None:
    verdict = make_verdict_event(submitted(po))
    with pytest.raises(RetryLater):
        await handlers.record_verdict(FakeUnitOfWork(None, po), verdict)  # type: ignore[arg-type]


async def test_a_verdict_makes_the_po_initiator_the_approver(po: PurchaseOrder) -> None:
    invoice = submitted(po)
    uow = FakeUnitOfWork(invoice, po)
    await handlers.record_verdict(uow, make_verdict_event(invoice, "needs_approval"))  # type: ignore[arg-type]
    assert uow.saved == [invoice]
    assert (invoice.status, invoice.approver_id) == ("pending", po.initiator_id)


async def test_a_verdict_on_an_older_submission_saves_nothing(po: PurchaseOrder) -> None:
    invoice = submitted(po)
    uow = FakeUnitOfWork(invoice, po)
    await handlers.record_verdict(uow, make_verdict_event(invoice, submission=0))  # type: ignore[arg-type]
    assert uow.saved == [] and invoice.status == "matching"


async def test_a_verdict_naming_another_tenant_is_ignored(po: PurchaseOrder) -> None:
    invoice = submitted(po)
    uow = FakeUnitOfWork(invoice, po)
    await handlers.record_verdict(uow, make_verdict_event(invoice, tenant_id=po.supplier_id))  # type: ignore[arg-type]
    assert uow.saved == [] and invoice.status == "matching"
