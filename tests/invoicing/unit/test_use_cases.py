"""The invoicing use cases on an in-memory unit of work: what each commits and records in the
outbox, what each refuses (leaving the store as it was), and whom each lets see what."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from invoicing.domain.errors import (
    BeyondWhatRemains,
    DuplicateInvoiceNumber,
    InvoiceNotFound,
    IssueDateRequired,
    NotAllowed,
    PaymentExceedsTotal,
    PurchaseOrderNotFound,
)
from invoicing.domain.lines import LineDraft
from invoicing.domain.model import Invoice
from invoicing.domain.read_models import OrganisationSettings, PurchaseOrder
from invoicing.domain.status import Status
from invoicing.service import commands, handlers
from shared.auth import Principal
from shared.contracts.invoicing import (
    InvoiceApproved,
    InvoiceCanceled,
    InvoicePaymentRecorded,
    InvoiceRejected,
    InvoiceSubmitted,
)
from shared.contracts.matching import MatchingVerdictIssued
from shared.errors import Forbidden, RetryLater
from tests.invoicing.unit.fake_unit_of_work import FakeUnitOfWork
from tests.invoicing.unit.fakes import NOW, make_invoice, make_po, make_verdict_event


def supplier_of(po: PurchaseOrder, *, restricted: bool = False) -> Principal:
    """A user of the order's supplier; ``restricted``: its buyer has switched the supplier portal off."""
    return Principal(
        user_id=uuid4(),
        role="supplier",
        supplier_ids=frozenset({po.supplier_id}),
        restricted_supplier_ids=frozenset({po.supplier_id}) if restricted else frozenset(),
    )


def buyer_of(po: PurchaseOrder, *, user_id: UUID | None = None) -> Principal:
    return Principal(user_id=user_id or uuid4(), role="buyer_user", tenant_id=po.tenant_id)


def admin_of(po: PurchaseOrder) -> Principal:
    return Principal(user_id=uuid4(), role="buyer_admin", tenant_id=po.tenant_id)


def approver_of(po: PurchaseOrder) -> Principal:
    """The order's initiator, whom a verdict makes the invoice's approver."""
    return buyer_of(po, user_id=po.initiator_id)


ANOTHER_SUPPLIER = Principal(user_id=uuid4(), role="supplier", supplier_ids=frozenset({uuid4()}))
ANOTHER_TENANTS_ADMIN = Principal(user_id=uuid4(), role="buyer_admin", tenant_id=uuid4())


def portal_off(po: PurchaseOrder, *, issue_date_required: bool = False) -> OrganisationSettings:
    return OrganisationSettings(
        po.tenant_id, "Buyer", supplier_portal_enabled=False, invoice_issue_date_required=issue_date_required
    )


def billing(po: PurchaseOrder, *quantities: str) -> list[LineDraft]:
    """Lines billing ``quantities[i]`` of the order's line i at its price."""
    return [LineDraft(line.line_id, Decimal(q), line.unit_price) for line, q in zip(po.lines, quantities, strict=False)]


def draft(po: PurchaseOrder, number: str = "INV-1", lines: list[LineDraft] | None = None) -> Invoice:
    invoice = make_invoice(po, lines)
    invoice.number = number
    return invoice


def submitted(po: PurchaseOrder, number: str = "INV-1", lines: list[LineDraft] | None = None) -> Invoice:
    invoice = draft(po, number, lines)
    invoice.submit(NOW)
    invoice.events.clear()
    return invoice


async def create(
    uow: FakeUnitOfWork,
    caller: Principal,
    po: PurchaseOrder,
    *,
    number: str = "INV-9",
    lines: list[LineDraft] | None = None,
) -> Invoice:
    return await commands.create_invoice(
        uow,  # type: ignore[arg-type]
        caller,
        purchase_order_id=po.id,
        number=number,
        issue_date=None,
        lines=lines,
    )


async def consume(uow: FakeUnitOfWork, verdict: MatchingVerdictIssued) -> None:
    """As the consumer engine runs the handler: in a unit of work it commits afterwards."""
    async with uow:
        await handlers.record_verdict(uow, verdict)  # type: ignore[arg-type]
        await uow.commit()


# Creating


async def test_creating_without_lines_bills_what_the_orders_live_invoices_leave_open() -> None:
    po = make_po(("10", "100.00"), ("5", "20.00"))
    uow = FakeUnitOfWork(po)
    uow.store(submitted(po, "INV-1", billing(po, "4")), draft(po, "INV-2", billing(po, "10", "5")))

    invoice = await create(uow, supplier_of(po), po)

    assert [(line.purchase_order_line_id, line.quantity) for line in invoice.lines] == [
        (po.lines[0].line_id, Decimal("6")),
        (po.lines[1].line_id, Decimal("5")),
    ]
    assert uow.committed and uow.stored_invoices[invoice.id] == invoice
    assert uow.outbox.events == []  # a draft is its author's own: nobody hears of it


async def test_a_number_the_supplier_already_uses_is_refused_and_nothing_is_created(po: PurchaseOrder) -> None:
    uow = FakeUnitOfWork(po)
    uow.store(submitted(po, "INV-1"))

    with pytest.raises(DuplicateInvoiceNumber):
        await create(uow, supplier_of(po), po, number="INV-1", lines=billing(po, "1"))

    assert not uow.committed and len(uow.stored_invoices) == 1


async def test_a_supplier_does_not_find_another_suppliers_order(po: PurchaseOrder) -> None:
    uow = FakeUnitOfWork(po)

    with pytest.raises(PurchaseOrderNotFound):
        await create(uow, ANOTHER_SUPPLIER, po)

    assert not uow.committed and uow.stored_invoices == {}


async def test_the_buyers_staff_may_not_create_invoices_while_the_supplier_portal_is_on(po: PurchaseOrder) -> None:
    uow = FakeUnitOfWork(po)

    with pytest.raises(NotAllowed):
        await create(uow, buyer_of(po), po)

    assert not uow.committed and uow.stored_invoices == {}


async def test_while_the_portal_is_off_the_buyers_staff_create_invoices_on_the_suppliers_behalf(
    po: PurchaseOrder,
) -> None:
    uow = FakeUnitOfWork(po, organisations=[portal_off(po)])

    invoice = await create(uow, buyer_of(po), po)

    assert uow.stored_invoices[invoice.id].created_by_buyer is True
    assert invoice.supplier_id == po.supplier_id


async def test_a_restricted_supplier_may_not_create_an_invoice_beyond_what_remains(po: PurchaseOrder) -> None:
    uow = FakeUnitOfWork(po, organisations=[portal_off(po)])
    uow.store(submitted(po, "INV-1", billing(po, "4")))

    with pytest.raises(BeyondWhatRemains):
        await create(uow, supplier_of(po, restricted=True), po, lines=billing(po, "7"))

    assert not uow.committed and len(uow.stored_invoices) == 1


# Editing


async def test_renaming_to_a_number_the_supplier_already_uses_is_refused_and_the_old_number_stays(
    po: PurchaseOrder,
) -> None:
    uow = FakeUnitOfWork(po)
    second = draft(po, "INV-2")
    uow.store(draft(po, "INV-1"), second)

    with pytest.raises(DuplicateInvoiceNumber):
        await commands.edit_invoice(uow, supplier_of(po), second.id, {"number": "INV-1"})  # type: ignore[arg-type]

    assert not uow.committed and uow.stored_invoices[second.id].number == "INV-2"


async def test_an_invoice_keeps_its_own_number_when_edited(po: PurchaseOrder) -> None:
    uow = FakeUnitOfWork(po)
    invoice = draft(po, "INV-1")
    uow.store(invoice)

    changes = {"number": "INV-1", "issue_date": date(2026, 3, 2)}
    await commands.edit_invoice(uow, supplier_of(po), invoice.id, changes)  # type: ignore[arg-type]

    assert uow.committed and uow.stored_invoices[invoice.id].issue_date == date(2026, 3, 2)


# Submitting


async def test_submitting_records_one_invoice_submitted_in_the_outbox_and_commits(po: PurchaseOrder) -> None:
    uow = FakeUnitOfWork(po)
    invoice = draft(po)
    uow.store(invoice)

    await commands.submit_invoice(uow, supplier_of(po), invoice.id)  # type: ignore[arg-type]

    assert uow.committed
    assert [type(event) for event in uow.outbox.events] == [InvoiceSubmitted]
    assert [tenant_id for _, tenant_id in uow.outbox.added] == [po.tenant_id]
    stored = uow.stored_invoices[invoice.id]
    assert (stored.status, stored.submission) == (Status.matching, 1)


async def test_submitting_makes_the_invoice_due_after_the_suppliers_own_payment_terms(po: PurchaseOrder) -> None:
    uow = FakeUnitOfWork(po, organisations=[OrganisationSettings(po.tenant_id, "Buyer", default_payment_terms_days=45)])
    uow.stored_payment_terms[po.supplier_id] = 10
    invoice = draft(po)
    invoice.issue_date = date(2028, 2, 25)
    uow.store(invoice)

    await commands.submit_invoice(uow, supplier_of(po), invoice.id)  # type: ignore[arg-type]

    assert uow.stored_invoices[invoice.id].due_date == date(2028, 3, 6)
    [event] = uow.outbox.events
    assert isinstance(event, InvoiceSubmitted) and event.due_date == date(2028, 3, 6)


async def test_a_supplier_without_terms_of_its_own_gets_the_organisations_default_or_thirty_days(
    po: PurchaseOrder,
) -> None:
    for organisations, days in (
        ([OrganisationSettings(po.tenant_id, "Buyer", default_payment_terms_days=45)], 45),
        ([], 30),
    ):
        uow = FakeUnitOfWork(po, organisations=organisations)
        invoice = draft(po)
        invoice.issue_date = date(2028, 1, 1)
        uow.store(invoice)
        await commands.submit_invoice(uow, supplier_of(po), invoice.id)  # type: ignore[arg-type]
        assert uow.stored_invoices[invoice.id].due_date == date(2028, 1, 1) + timedelta(days=days)


async def test_a_supplier_cannot_submit_another_suppliers_invoice(po: PurchaseOrder) -> None:
    uow = FakeUnitOfWork(po)
    invoice = draft(po)
    uow.store(invoice)

    with pytest.raises(InvoiceNotFound):
        await commands.submit_invoice(uow, ANOTHER_SUPPLIER, invoice.id)  # type: ignore[arg-type]

    assert not uow.committed and uow.outbox.events == []
    assert uow.stored_invoices[invoice.id].status == Status.draft


async def test_an_invoice_without_an_issue_date_is_refused_where_the_buyer_requires_one(po: PurchaseOrder) -> None:
    uow = FakeUnitOfWork(po, organisations=[portal_off(po, issue_date_required=True)])
    invoice = draft(po)
    uow.store(invoice)

    with pytest.raises(IssueDateRequired):
        await commands.submit_invoice(uow, supplier_of(po), invoice.id)  # type: ignore[arg-type]

    assert not uow.committed and uow.stored_invoices[invoice.id].status == Status.draft


async def test_an_invoice_with_its_issue_date_is_submitted_where_the_buyer_requires_one(po: PurchaseOrder) -> None:
    uow = FakeUnitOfWork(po, organisations=[portal_off(po, issue_date_required=True)])
    invoice = draft(po)
    invoice.issue_date = date(2026, 3, 1)
    uow.store(invoice)

    await commands.submit_invoice(uow, supplier_of(po), invoice.id)  # type: ignore[arg-type]

    assert uow.committed and uow.stored_invoices[invoice.id].status == Status.matching


async def test_a_restricted_supplier_may_not_submit_more_than_the_other_live_invoices_leave(po: PurchaseOrder) -> None:
    uow = FakeUnitOfWork(po, organisations=[portal_off(po)])
    invoice = draft(po, "INV-2", billing(po, "7"))
    uow.store(submitted(po, "INV-1", billing(po, "4")), invoice)

    with pytest.raises(BeyondWhatRemains):
        await commands.submit_invoice(uow, supplier_of(po, restricted=True), invoice.id)  # type: ignore[arg-type]

    assert not uow.committed and uow.stored_invoices[invoice.id].status == Status.draft


# Canceling


async def test_the_buyer_cancels_a_pending_invoice_and_records_invoice_canceled(
    po: PurchaseOrder, pending: Invoice
) -> None:
    uow = FakeUnitOfWork(po)
    uow.store(pending)

    await commands.cancel_invoice(uow, buyer_of(po), pending.id)  # type: ignore[arg-type]

    assert uow.committed and uow.stored_invoices[pending.id].status == Status.canceled
    [event] = uow.outbox.events
    assert isinstance(event, InvoiceCanceled) and event.canceled_by == "buyer"


# Deciding


async def test_the_approver_approves_a_pending_invoice_and_records_invoice_approved(
    po: PurchaseOrder, pending: Invoice
) -> None:
    uow = FakeUnitOfWork(po)
    uow.store(pending)

    await commands.approve_invoice(uow, approver_of(po), pending.id)  # type: ignore[arg-type]

    assert uow.committed and uow.stored_invoices[pending.id].status == Status.approved
    [event] = uow.outbox.events
    assert isinstance(event, InvoiceApproved) and event.auto_approved is False


async def test_the_approver_rejects_a_pending_invoice_with_the_reason_and_records_invoice_rejected(
    po: PurchaseOrder, pending: Invoice
) -> None:
    uow = FakeUnitOfWork(po)
    uow.store(pending)

    await commands.reject_invoice(uow, approver_of(po), pending.id, " wrong price ")  # type: ignore[arg-type]

    stored = uow.stored_invoices[pending.id]
    assert uow.committed and (stored.status, stored.rejection_reason) == (Status.rejected, "wrong price")
    assert [type(event) for event in uow.outbox.events] == [InvoiceRejected]


@pytest.mark.parametrize("decide", ["approve", "reject"])
async def test_the_supplier_may_not_decide_on_its_own_invoice(po: PurchaseOrder, pending: Invoice, decide: str) -> None:
    uow = FakeUnitOfWork(po)
    uow.store(pending)
    caller = supplier_of(po)

    with pytest.raises(Forbidden, match="only buyer staff"):
        if decide == "approve":
            await commands.approve_invoice(uow, caller, pending.id)  # type: ignore[arg-type]
        else:
            await commands.reject_invoice(uow, caller, pending.id, "no")  # type: ignore[arg-type]

    assert not uow.committed and uow.stored_invoices[pending.id].status == Status.pending


async def test_a_buyer_of_another_tenant_does_not_find_the_invoice(po: PurchaseOrder, pending: Invoice) -> None:
    uow = FakeUnitOfWork(po)
    uow.store(pending)

    with pytest.raises(InvoiceNotFound):
        await commands.approve_invoice(uow, ANOTHER_TENANTS_ADMIN, pending.id)  # type: ignore[arg-type]

    assert not uow.committed and uow.stored_invoices[pending.id].status == Status.pending


# Paying


async def test_a_buyer_user_records_no_payment_and_nothing_is_written(po: PurchaseOrder, approved: Invoice) -> None:
    uow = FakeUnitOfWork(po)
    uow.store(approved)

    with pytest.raises(NotAllowed, match="buyer admin"):
        await commands.record_payment(uow, approver_of(po), approved.id, Decimal("1.00"))  # type: ignore[arg-type]

    stored = uow.stored_invoices[approved.id]
    assert not uow.committed and (stored.status, stored.payments) == (Status.approved, [])


async def test_a_payment_over_what_is_left_to_pay_is_refused_and_nothing_is_written(
    po: PurchaseOrder, approved: Invoice
) -> None:
    uow = FakeUnitOfWork(po)
    uow.store(approved)  # net total 1000.00

    with pytest.raises(PaymentExceedsTotal):
        await commands.record_payment(uow, admin_of(po), approved.id, Decimal("1000.01"))  # type: ignore[arg-type]

    stored = uow.stored_invoices[approved.id]
    assert not uow.committed and (stored.status, stored.payments) == (Status.approved, [])


async def test_paying_the_rest_marks_the_invoice_paid_and_records_the_payment(
    po: PurchaseOrder, approved: Invoice
) -> None:
    uow = FakeUnitOfWork(po)
    uow.store(approved)
    buyer = admin_of(po)

    await commands.record_payment(uow, buyer, approved.id, Decimal("400.00"))  # type: ignore[arg-type]
    await commands.record_payment(uow, buyer, approved.id, Decimal("600.00"))  # type: ignore[arg-type]

    stored = uow.stored_invoices[approved.id]
    assert (stored.status, stored.paid_total) == (Status.paid, Decimal("1000.00"))
    [event] = uow.outbox.events
    assert isinstance(event, InvoicePaymentRecorded) and event.payment.amount == Decimal("600.00")


# Matching's verdict


async def test_a_verdict_for_an_invoice_not_here_yet_is_retried_later(po: PurchaseOrder) -> None:
    uow = FakeUnitOfWork(po)

    with pytest.raises(RetryLater):
        await consume(uow, make_verdict_event(submitted(po)))

    assert not uow.committed


async def test_a_verdict_whose_order_is_not_here_yet_is_retried_later(po: PurchaseOrder) -> None:
    uow = FakeUnitOfWork()
    invoice = submitted(po)
    uow.store(invoice)

    with pytest.raises(RetryLater):
        await consume(uow, make_verdict_event(invoice))

    assert not uow.committed and uow.stored_invoices[invoice.id].status == Status.matching


async def test_an_auto_approved_verdict_approves_the_invoice_and_records_invoice_approved(po: PurchaseOrder) -> None:
    uow = FakeUnitOfWork(po)
    invoice = submitted(po)
    uow.store(invoice)

    await consume(uow, make_verdict_event(invoice, "auto_approved"))

    assert uow.stored_invoices[invoice.id].status == Status.approved
    [event] = uow.outbox.events
    assert isinstance(event, InvoiceApproved) and event.auto_approved is True


async def test_a_verdict_that_needs_approval_makes_the_po_initiator_the_approver(po: PurchaseOrder) -> None:
    uow = FakeUnitOfWork(po)
    invoice = submitted(po)
    uow.store(invoice)

    await consume(uow, make_verdict_event(invoice, "needs_approval"))

    stored = uow.stored_invoices[invoice.id]
    assert (stored.status, stored.approver_id) == (Status.pending, po.initiator_id)


async def test_a_verdict_naming_another_tenant_changes_nothing(po: PurchaseOrder) -> None:
    uow = FakeUnitOfWork(po)
    invoice = submitted(po)
    uow.store(invoice)

    await consume(uow, make_verdict_event(invoice, tenant_id=uuid4()))

    assert uow.stored_invoices[invoice.id].status == Status.matching
    assert uow.outbox.events == []


async def test_a_verdict_on_an_older_submission_changes_nothing(po: PurchaseOrder, pending: Invoice) -> None:
    pending.reject(po.initiator_id, is_admin=False, reason="wrong", now=NOW)
    pending.submit(NOW)
    pending.events.clear()
    uow = FakeUnitOfWork(po)
    uow.store(pending)

    await consume(uow, make_verdict_event(pending, submission=1))

    stored = uow.stored_invoices[pending.id]
    assert (stored.status, stored.submission, stored.matching) == (Status.matching, 2, None)
    assert uow.outbox.events == []


# The fake itself: what "nothing committed" means above


async def test_a_unit_of_work_left_without_commit_keeps_neither_its_saves_nor_its_events(po: PurchaseOrder) -> None:
    uow = FakeUnitOfWork(po)
    invoice = draft(po)
    uow.store(invoice)

    async with uow:
        loaded = await uow.invoices.get(invoice.id, scope=supplier_of(po))
        loaded.submit(NOW)
        await uow.save(loaded)
        assert uow.outbox.events != []

    assert not uow.committed and uow.outbox.events == []
    assert uow.stored_invoices[invoice.id].status == Status.draft
