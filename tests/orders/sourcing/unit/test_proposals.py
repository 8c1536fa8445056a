"""A supplier's proposal: every line answered once, priced or declined; drafts, submission, rejection."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.sourcing.domain.errors import InvalidProposal, ProposalStateConflict, RfpClosedForProposals
from orders.sourcing.domain.proposal import Proposal, ProposalLineInput
from shared.contracts.rfps import ProposalSubmitted
from shared.money import line_net
from tests.orders.sourcing.unit.builders import DUE, NOW, answer, proposal, published_rfp, rfp_line


def test_an_answer_is_a_draft_priced_line_by_line_in_the_rfps_order() -> None:
    rfp = published_rfp()  # 10 pcs of bolts, 5 nuts
    answered = Proposal.answer(
        rfp,
        supplier_id=rfp.supplier_ids[0],
        currency="EUR",
        lines=list(reversed(answer(rfp, "1.005", "0.335"))),
        comment="delivery in two weeks",
        now=NOW,
    )
    assert answered.status == "draft"
    assert answered.events == []
    assert [x.rfp_line_id for x in answered.lines] == [x.id for x in rfp.lines]
    assert [x.line_total for x in answered.lines] == [Decimal("10.05"), Decimal("1.68")]
    assert answered.total == Decimal("11.73")
    assert not answered.shown_to_buyer


@pytest.mark.parametrize(
    ("mangle", "field"),
    [
        (lambda lines: lines[:1], "lines"),
        (lambda lines: [*lines, lines[0]], "lines.2.rfp_line_id"),
        (
            lambda lines: [lines[0], ProposalLineInput(uuid4(), None)],
            "lines.1.rfp_line_id",
        ),
        (lambda lines: [lines[0], ProposalLineInput(lines[1].rfp_line_id, Decimal("-0.01"))], "lines.1.unit_price"),
    ],
    ids=["a line missing", "a line twice", "a line of another rfp", "a negative price"],
)
def test_every_line_is_answered_exactly_once_with_a_price_that_is_not_negative(mangle, field) -> None:  # type: ignore[no-untyped-def]
    rfp = published_rfp()
    with pytest.raises(InvalidProposal) as refused:
        Proposal.answer(
            rfp,
            supplier_id=rfp.supplier_ids[0],
            currency="EUR",
            lines=mangle(answer(rfp, "1", "2")),
            comment=None,
            now=NOW,
        )
    assert refused.value.errors[0]["field"] == field


def test_submitting_records_the_proposal_and_declined_lines_travel_as_null() -> None:
    rfp = published_rfp()
    answered = proposal(rfp, "2.50", None, submitted=False)
    answered.submit(rfp, NOW)
    [event] = answered.events
    assert isinstance(event, ProposalSubmitted)
    assert (answered.status, event.status, event.total, event.submitted_at) == (
        "submitted",
        "submitted",
        Decimal("25.00"),
        NOW,
    )
    assert [x.unit_price for x in event.lines] == [Decimal("2.50"), None]
    assert answered.shown_to_buyer


def test_a_proposal_declining_every_line_is_rejected_and_has_no_total() -> None:
    rfp = published_rfp()
    declined = proposal(rfp, None, None, submitted=False)
    declined.submit(rfp, NOW)
    assert declined.status == "rejected"
    assert declined.total is None
    assert declined.events[0].status == "rejected"  # type: ignore[attr-defined]


def test_a_submitted_proposal_is_changed_as_a_new_draft_and_resubmitted_until_the_due_date() -> None:
    rfp = published_rfp()
    answered = proposal(rfp, "2", "1")
    answered.revise(rfp, lines=answer(rfp, "1.90", "1"), comment="better price", now=NOW)
    assert (answered.status, answered.total, answered.comment) == ("draft", Decimal("24.00"), "better price")
    answered.submit(rfp, DUE - timedelta(seconds=1))
    assert answered.status == "submitted"
    with pytest.raises(RfpClosedForProposals):
        answered.revise(rfp, lines=answer(rfp, "1", "1"), comment=None, now=DUE)
    with pytest.raises(RfpClosedForProposals):
        answered.submit(rfp, DUE)


def test_an_awarded_or_lost_proposal_no_longer_changes() -> None:
    rfp = published_rfp()
    won, lost = proposal(rfp, "2", "1"), proposal(rfp, "3", "1", supplier_id=rfp.supplier_ids[1])
    won.settle(won=True, now=NOW)
    lost.settle(won=False, now=NOW)
    assert (won.status, lost.status) == ("awarded", "lost")
    for settled in (won, lost):
        with pytest.raises(ProposalStateConflict):
            settled.ensure_changeable()


prices = st.one_of(
    st.none(), st.decimals(min_value=0, max_value=100_000, places=3, allow_nan=False, allow_infinity=False)
)


@given(st.lists(st.tuples(st.integers(1, 1000), prices), min_size=1, max_size=8))
def test_total_is_the_sum_of_offered_line_nets_and_rejected_means_all_declined(spec) -> None:  # type: ignore[no-untyped-def]
    rfp = published_rfp(*[rfp_line(f"item {i}", str(quantity)) for i, (quantity, _) in enumerate(spec)])
    answered = proposal(rfp, *[None if p is None else str(p) for _, p in spec], submitted=False)
    answered.submit(rfp, NOW)
    offered = [line_net(Decimal(q), p, "EUR") for q, p in spec if p is not None]
    assert answered.total == (sum(offered, Decimal(0)) if offered else None)
    assert (answered.status == "rejected") == all(p is None for _, p in spec)
