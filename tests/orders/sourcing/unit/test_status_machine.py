"""The RFP's status machine, its validation, its due date, and the events each step records."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from orders.sourcing.domain.errors import InvalidRfp, RfpClosedForProposals, RfpStateConflict
from orders.sourcing.domain.rfp import KEEP, Rfp, format_rfp_number
from shared.contracts.rfps import RfpClosed, RfpPublished
from tests.orders.sourcing.unit.builders import DUE, NOW, draft_rfp, published_rfp, rfp_line


def test_a_new_rfp_is_a_numbered_draft_that_publishes_nothing() -> None:
    rfp = draft_rfp()
    assert (rfp.status, rfp.number, rfp.events) == ("draft", "RFP-000001", [])
    assert [(x.line_no, x.description) for x in rfp.lines] == [(1, "Bolts M8"), (2, "Nuts M8")]
    assert format_rfp_number(42) == "RFP-000042"


@pytest.mark.parametrize(
    ("due", "field"),
    [
        (NOW, "due_date"),
        (NOW - timedelta(seconds=1), "due_date"),
        (NOW.replace(tzinfo=None) + timedelta(days=1), "due_date"),
    ],
)
def test_the_due_date_must_be_a_future_instant(due, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidRfp) as refused:
        Rfp.draft(
            tenant_id=uuid4(),
            number="RFP-000001",
            title="t",
            due_date=due,
            currency=None,
            lines=[rfp_line()],
            supplier_ids=[uuid4()],
            created_by=uuid4(),
            now=NOW,
        )
    assert refused.value.errors[0]["field"] == field


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([], "lines"),
        ([rfp_line(quantity="0")], "lines.0.quantity"),
        ([rfp_line(), rfp_line(" ")], "lines.1.description"),
    ],
)
def test_lines_need_a_description_and_a_positive_quantity(lines, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidRfp) as refused:
        draft_rfp().revise(now=NOW, lines=lines)
    assert refused.value.errors[0]["field"] == field


def test_an_rfp_invites_at_least_one_supplier_and_each_once() -> None:
    rfp = draft_rfp()
    with pytest.raises(InvalidRfp):
        rfp.revise(now=NOW, supplier_ids=[])
    twice = uuid4()
    rfp.revise(now=NOW, supplier_ids=[twice, twice])
    assert rfp.supplier_ids == [twice]


def test_a_draft_is_edited_and_keeps_its_currency_unless_told() -> None:
    rfp = draft_rfp(currency="EUR")
    rfp.revise(now=NOW, title="Fasteners", currency=KEEP)
    assert (rfp.title, rfp.currency, rfp.revision) == ("Fasteners", "EUR", 2)
    rfp.revise(now=NOW, currency=None, lines=[rfp_line(quantity="3")])
    assert rfp.currency is None
    assert [x.quantity for x in rfp.lines] == [Decimal(3)]


def test_publishing_records_the_whole_state_and_freezes_the_rfp() -> None:
    rfp = draft_rfp()
    rfp.publish(NOW)
    [event] = rfp.events
    assert isinstance(event, RfpPublished)
    assert (event.rfp_id, event.status, event.number, event.published_at) == (rfp.id, "published", "RFP-000001", NOW)
    assert [x.rfp_line_id for x in event.lines] == [x.id for x in rfp.lines]
    assert event.supplier_ids == rfp.supplier_ids
    with pytest.raises(RfpStateConflict):
        rfp.publish(NOW)
    with pytest.raises(RfpStateConflict):
        rfp.revise(now=NOW, title="too late")


def test_an_rfp_past_its_due_date_is_not_published() -> None:
    rfp = draft_rfp()
    with pytest.raises(InvalidRfp):
        rfp.publish(DUE)


def test_after_the_due_date_the_rfp_counts_as_closed_and_takes_no_proposals() -> None:
    rfp = published_rfp()
    rfp.ensure_accepts_proposals(DUE - timedelta(microseconds=1))
    assert rfp.effective_status(DUE) == "closed"
    with pytest.raises(RfpClosedForProposals) as closed:
        rfp.ensure_accepts_proposals(DUE)
    assert closed.value.status == 409
    assert closed.value.detail.startswith(f"the RFP closed at {DUE.isoformat()}")


def test_closing_happens_only_once_the_due_date_passed() -> None:
    rfp = published_rfp()
    assert not rfp.close_if_due(DUE - timedelta(seconds=1))
    assert rfp.close_if_due(DUE)
    [event] = rfp.events
    assert isinstance(event, RfpClosed)
    assert (rfp.status, event.status, rfp.closed_at) == ("closed", "closed", DUE)
    assert not rfp.close_if_due(DUE + timedelta(days=1))
    with pytest.raises(RfpClosedForProposals):
        rfp.ensure_accepts_proposals(DUE - timedelta(days=1))


def test_a_draft_is_neither_closed_nor_awarded() -> None:
    rfp = draft_rfp()
    assert not rfp.close_if_due(DUE + timedelta(days=1))
    with pytest.raises(RfpStateConflict):
        rfp.ensure_awardable()
    with pytest.raises(RfpStateConflict):
        rfp.ensure_accepts_proposals(NOW)
