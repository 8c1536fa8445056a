"""The supplier hears of every change the buyer makes to what it works on: a purchase order
canceled or closed, an invoice the buyer canceled, an RFP that closed or went to another
supplier. Each email names the buyer and the document and links the document's page; the rules
say who is told, and when nobody is."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID, uuid4

import pytest

from notifier.domain import cancellations, rfps
from notifier.domain.errors import BuyerNotKnownYet
from notifier.domain.read_models import BuyerOrganisation, SupplierContact
from notifier.service import cancellation_emails, rfp_emails
from tests.notifier import samples
from tests.notifier.rendered import PORTAL_URL, SUPPLIER, SUPPLIER_ID, TENANT, render
from tests.notifier.unit.fakes import FakeRenderer, FakeUnitOfWork

BUYER = samples.BUYER_NAME


def known(*suppliers: SupplierContact, buyer: str | None = BUYER) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    for supplier in suppliers:
        uow.directory.suppliers[supplier.supplier_id] = supplier
    if buyer is not None:
        uow.directory.organisations[TENANT] = BuyerOrganisation(tenant_id=TENANT, name=buyer, revision=1)
    return uow


def supplier(name: str) -> SupplierContact:
    return replace(SUPPLIER, supplier_id=uuid4(), name=name, email=f"{name.lower()}@suppliers.example")


# --- purchase orders -----------------------------------------------------------------------------


@pytest.mark.parametrize("ending", ["canceled", "closed"])
def test_a_sent_po_canceled_or_closed_tells_the_supplier_naming_the_buyer_and_the_number(ending: str) -> None:
    po = samples.purchase_order_ended(TENANT, SUPPLIER_ID, ending, buyer_name="Initech Purchasing")
    draft = cancellations.purchase_order_ended(po, SUPPLIER, "Initech Purchasing")
    message, plain, html = render(draft)

    assert draft.template == f"purchase_order_{ending}"
    assert message["To"] == "sales@acme.example"
    assert message["Subject"] == f"Purchase order PO-2026-0042 from Initech Purchasing was {ending}"
    for body in (plain, html):
        assert "Initech Purchasing" in body and "PO-2026-0042" in body
        assert "4,475.00 EUR" in body
        assert "takes no new invoices" in body
    assert f"{ending} purchase order PO-2026-0042" in plain
    assert f"\n{PORTAL_URL}/purchase-orders/{po.purchase_order_id}\n" in plain


@pytest.mark.parametrize("ending", ["canceled", "closed"])
async def test_a_po_the_supplier_never_received_tells_nobody_and_waits_for_nothing(ending: str) -> None:
    uow = known(buyer=None)  # neither the supplier nor the buyer is known: no lookup may happen
    po = samples.purchase_order_ended(TENANT, SUPPLIER_ID, ending, sent=False)

    await cancellation_emails.email_purchase_order_end(uow, FakeRenderer(), uuid4(), po)  # type: ignore[arg-type]

    assert not cancellations.supplier_saw(po)
    assert uow.sent() == []


async def test_the_po_names_the_buyer_it_carries_else_the_one_the_gateway_announced() -> None:
    renderer = FakeRenderer()
    carried = samples.purchase_order_ended(TENANT, SUPPLIER_ID, "canceled", buyer_name="Named On The Order")
    await cancellation_emails.email_purchase_order_end(known(SUPPLIER), renderer, uuid4(), carried)  # type: ignore[arg-type]
    bare = samples.purchase_order_ended(TENANT, SUPPLIER_ID, "closed")
    await cancellation_emails.email_purchase_order_end(known(SUPPLIER), renderer, uuid4(), bare)  # type: ignore[arg-type]

    assert [d.context["buyer_name"] for d in renderer.drafts] == ["Named On The Order", BUYER]
    with pytest.raises(BuyerNotKnownYet):  # retried until the organisation arrives
        await cancellation_emails.email_purchase_order_end(known(SUPPLIER, buyer=None), renderer, uuid4(), bare)  # type: ignore[arg-type]


def test_a_long_buyer_name_is_cut_in_the_subject_but_the_news_stays() -> None:
    po = samples.purchase_order_ended(TENANT, SUPPLIER_ID, "closed")
    draft = cancellations.purchase_order_ended(po, SUPPLIER, "Buying\r\nBcc: x@evil.example " + "B" * 300)
    message, plain, _ = render(draft)

    assert "\n" not in draft.subject and draft.subject.endswith("… was closed")
    assert message["Bcc"] is None
    assert "B" * 300 in plain  # the body names it whole


# --- invoices ------------------------------------------------------------------------------------


def test_an_invoice_the_buyer_canceled_tells_the_supplier() -> None:
    invoice = samples.invoice_canceled(TENANT, SUPPLIER_ID, canceled_by="buyer")
    message, plain, html = render(cancellations.invoice_canceled(invoice, SUPPLIER, BUYER))

    assert message["To"] == "sales@acme.example"
    assert message["Subject"] == "Invoice INV-77 for PO PO-2026-0042 was canceled by Globex Buying"
    assert "Globex Buying canceled your invoice INV-77 for purchase order PO-2026-0042." in plain
    assert "4,712.30 EUR" in plain and "Globex Buying" in html
    assert f"\n{PORTAL_URL}/invoices/{invoice.invoice_id}\n" in plain


@pytest.mark.parametrize("canceled_by, told", [("buyer", True), ("supplier", False), (None, False)])
async def test_only_the_buyers_cancellation_of_an_invoice_is_emailed(canceled_by: str | None, told: bool) -> None:
    uow = known(SUPPLIER)
    invoice = samples.invoice_canceled(TENANT, SUPPLIER_ID, canceled_by=canceled_by)

    await cancellation_emails.email_invoice_canceled(uow, FakeRenderer(), uuid4(), invoice)  # type: ignore[arg-type]

    assert cancellations.buyer_canceled(invoice) is told
    assert uow.sent() == ([("sales@acme.example", "invoice_canceled")] if told else [])


# --- RFPs ----------------------------------------------------------------------------------------


def test_a_closed_rfp_tells_the_supplier_it_no_longer_takes_proposals() -> None:
    rfp = samples.rfp_closed(TENANT, SUPPLIER_ID)
    message, plain, html = render(rfps.rfp_closed(rfp, SUPPLIER, BUYER))

    assert message["Subject"] == "Request for proposals RFP-000001 from Globex Buying has closed"
    assert "Request for proposals RFP-000001: Fasteners for 2027 from Globex Buying has closed." in plain
    assert "2026-12-01 16:00 UTC" in plain and "can no longer be submitted or changed" in html
    assert f"\n{PORTAL_URL}/rfps/{rfp.rfp_id}\n" in plain


def test_the_invited_suppliers_that_did_not_answer_are_the_onlookers_of_an_award() -> None:
    winner, loser, silent, quiet = uuid4(), uuid4(), uuid4(), uuid4()
    rfp = samples.rfp_awarded(
        TENANT, winner, loser, participant_ids=[loser, winner], supplier_ids=[quiet, winner, silent, loser, quiet]
    )
    assert rfps.rfp_participants(rfp) == [winner, loser]
    assert rfps.rfp_onlookers(rfp) == [quiet, silent]


def test_an_invited_supplier_that_did_not_answer_hears_the_rfp_went_to_another_without_thanks() -> None:
    silent = supplier("Silent")
    rfp = samples.rfp_awarded(TENANT, SUPPLIER_ID, supplier_ids=[SUPPLIER_ID, silent.supplier_id])
    draft = rfps.rfp_outcome(rfp, silent, BUYER)
    _, plain, html = render(draft)

    assert draft.template == "rfp_lost" and draft.context["proposal_submitted"] is False
    assert draft.subject == "RFP-000001 was awarded to another supplier by Globex Buying"
    assert "It no longer takes proposals." in plain and "Thank you" not in plain + html


def _outcomes(uow: FakeUnitOfWork) -> dict[str, list[str]]:
    by_recipient: dict[str, list[str]] = {}
    for recipient, template in uow.sent():
        by_recipient.setdefault(recipient, []).append(template)
    return by_recipient


async def test_a_closed_then_awarded_rfp_tells_each_supplier_once_that_it_is_over() -> None:
    winner, loser, silent = supplier("Winner"), supplier("Loser"), supplier("Silent")
    uow = known(winner, loser, silent)
    invited = [winner.supplier_id, loser.supplier_id, silent.supplier_id]
    closed = samples.rfp_closed(TENANT, *invited)
    awarded = samples.rfp_awarded(
        TENANT, winner.supplier_id, loser.supplier_id, rfp_id=closed.rfp_id, supplier_ids=invited
    )

    await rfp_emails.email_rfp_closing(uow, FakeRenderer(), uuid4(), closed)  # type: ignore[arg-type]
    await rfp_emails.email_rfp_outcome(uow, FakeRenderer(), uuid4(), awarded)  # type: ignore[arg-type]

    assert _outcomes(uow) == {
        "winner@suppliers.example": ["rfp_closed", "rfp_won"],
        "loser@suppliers.example": ["rfp_closed", "rfp_lost"],  # the outcome of its proposal is news
        "silent@suppliers.example": ["rfp_closed"],  # told it is over once, by the closing
    }


async def test_an_rfp_awarded_before_it_closed_tells_the_invited_suppliers_that_did_not_answer() -> None:
    winner, silent = supplier("Winner"), supplier("Silent")
    uow = known(winner, silent)
    awarded = samples.rfp_awarded(TENANT, winner.supplier_id, supplier_ids=[winner.supplier_id, silent.supplier_id])

    await rfp_emails.email_rfp_outcome(uow, FakeRenderer(), uuid4(), awarded)  # type: ignore[arg-type]

    assert _outcomes(uow) == {"winner@suppliers.example": ["rfp_won"], "silent@suppliers.example": ["rfp_lost"]}


async def test_an_rfp_event_waits_for_every_invited_supplier_and_queues_nothing_meanwhile() -> None:
    known_one = supplier("Known")
    uow = known(known_one)
    closed = samples.rfp_closed(TENANT, known_one.supplier_id, UUID(int=1))

    with pytest.raises(Exception, match="not in the read model yet"):
        await rfp_emails.email_rfp_closing(uow, FakeRenderer(), uuid4(), closed)  # type: ignore[arg-type]
    assert uow.sent() == [] and uow.rfp_end_notices.told == set()
