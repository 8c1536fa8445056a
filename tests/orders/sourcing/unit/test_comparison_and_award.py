"""The buyer's side-by-side comparison, and the award that turns the winner into a draft purchase order."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from orders.domain.model import PurchaseOrder
from orders.domain.read_models import SupplierRecord
from orders.sourcing.domain.award import award, check_award, participants, purchase_order_lines
from orders.sourcing.domain.comparison import compare
from orders.sourcing.domain.errors import ProposalNotFound, ProposalStateConflict, RfpStateConflict
from shared.contracts.rfps import RfpAwarded
from tests.orders.sourcing.unit.builders import NOW, proposal, published_rfp, rfp_line


def three_answers():  # type: ignore[no-untyped-def]
    rfp = published_rfp()
    rfp.supplier_ids.append(uuid4())
    first = proposal(rfp, "2.00", None, supplier_id=rfp.supplier_ids[0])
    declined = proposal(rfp, None, None, supplier_id=rfp.supplier_ids[1], submitted_at=NOW + timedelta(hours=1))
    draft = proposal(rfp, "1.00", "1.00", supplier_id=rfp.supplier_ids[2], submitted=False)
    return rfp, first, declined, draft


def test_the_comparison_shows_submitted_answers_side_by_side_and_never_drafts() -> None:
    rfp, first, declined, draft = three_answers()
    comparison = compare(rfp, [draft, declined, first])
    assert [p.proposal_id for p in comparison.proposals] == [first.id, declined.id]
    assert [(p.status, p.total) for p in comparison.proposals] == [("submitted", Decimal("20.00")), ("rejected", None)]
    bolts, nuts = comparison.lines
    assert (bolts.rfp_line_id, bolts.quantity, bolts.unit) == (rfp.lines[0].id, Decimal(10), "pcs")
    assert [(o.supplier_id, o.unit_price, o.line_total) for o in bolts.offers] == [
        (first.supplier_id, Decimal("2.00"), Decimal("20.00")),
        (declined.supplier_id, None, None),
    ]
    assert [o.unit_price for o in nuts.offers] == [None, None]
    assert draft.id not in {o.proposal_id for line in comparison.lines for o in line.offers}


def test_the_purchase_order_takes_the_priced_lines_with_the_rfps_quantity_and_unit() -> None:
    rfp = published_rfp(rfp_line("Bolts", "10", "pcs"), rfp_line("Nuts", "5", "box"), rfp_line("Washers", "3", None))
    winner = proposal(rfp, "1.005", None, "2")
    lines = purchase_order_lines(rfp, winner)
    assert [(x.description, x.quantity, x.unit, x.unit_price) for x in lines] == [
        ("Bolts", Decimal(10), "pcs", Decimal("1.005")),
        ("Washers", Decimal(3), None, Decimal(2)),
    ]
    supplier = SupplierRecord(winner.supplier_id, rfp.tenant_id, "Acme", "EUR", "active", 1)
    order = PurchaseOrder.draft(
        number="PO-000001",
        supplier=supplier,
        currency="EUR",
        delivery_date=date(2026, 6, 1),
        lines=lines,
        initiator_id=uuid4(),
        now=NOW,
    )
    assert (order.status, order.net_total) == ("draft", Decimal("16.05"))


def test_awarding_settles_every_proposal_and_tells_the_suppliers_that_answered() -> None:
    rfp, first, declined, draft = three_answers()
    other = proposal(rfp, "3.00", "9.00", supplier_id=uuid4())
    order_id = uuid4()
    award(rfp, first, [first, declined, draft, other], purchase_order_id=order_id, now=NOW)
    assert (rfp.status, rfp.awarded_proposal_id, rfp.purchase_order_id) == ("awarded", first.id, order_id)
    assert [p.status for p in (first, declined, draft, other)] == ["awarded", "rejected", "draft", "lost"]
    [event] = rfp.events
    assert isinstance(event, RfpAwarded)
    assert set(event.participant_ids) == {first.supplier_id, declined.supplier_id, other.supplier_id}
    assert (event.awarded_supplier_id, event.purchase_order_id) == (first.supplier_id, order_id)
    with pytest.raises(RfpStateConflict):
        check_award(rfp, other)


def test_only_a_submitted_proposal_of_the_rfp_can_win() -> None:
    rfp, first, declined, draft = three_answers()
    with pytest.raises(ProposalStateConflict):
        check_award(rfp, declined)
    with pytest.raises(ProposalNotFound):
        check_award(rfp, draft)
    with pytest.raises(ProposalNotFound):
        check_award(published_rfp(), first)
    assert participants([draft]) == []
