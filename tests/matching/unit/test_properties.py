"""Invariants of ``match_invoice``, checked on generated orders and invoices."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from matching.domain.matching import match_invoice, net_total, tolerance_limit
from matching.domain.model import OPEN_ORDER_STATUSES, Invoice, PurchaseOrder, TolerancePolicy
from matching.domain.verdict import Verdict
from shared.money import quantum
from tests.matching.unit.documents import TENANT, as_ordered, invoice, order

# More examples than the default for the matching rules' invariants.
MORE_EXAMPLES = settings(max_examples=150)

quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1000"), places=3)
prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000"), places=2)
# A supplier's tolerance: a rate, an amount (whole units, in every currency's scale), both or neither.
rates = st.builds(
    TolerancePolicy,
    rate=st.one_of(st.none(), st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2)),
    amount=st.one_of(st.none(), st.integers(0, 5000).map(Decimal)),
)
LIVE = ["matching", "pending", "approved", "partly_paid", "paid"]


@st.composite
def orders(draw: st.DrawFn, unit_lines: int = 0) -> PurchaseOrder:
    """An open PO; ``unit_lines`` lines of quantity 1 come first, so a price can move its total exactly."""
    unit = [("1", price) for price in draw(st.lists(prices, min_size=unit_lines, max_size=unit_lines))]
    lines = draw(st.lists(st.tuples(quantities, prices), min_size=1, max_size=5))
    status = draw(st.sampled_from(sorted(OPEN_ORDER_STATUSES)))
    return order(*unit, *lines, status=status, currency=draw(st.sampled_from(["EUR", "JPY", "BHD"])))


@st.composite
def invoices_of(draw: st.DrawFn, po: PurchaseOrder, *, new_items: bool = True, status: str = "matching") -> Invoice:
    rows: list[Any] = []
    for line in po.lines:
        for _ in range(draw(st.integers(0, 2))):
            quantity = draw(st.one_of(st.just(line.quantity), quantities))
            rows.append((line, quantity, draw(st.one_of(st.just(line.unit_price), prices))))
    if new_items:
        rows += [(None, q, p) for q, p in draw(st.lists(st.tuples(quantities, prices), max_size=2))]
    return invoice(po, *draw(st.permutations(rows)), status=status)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[PurchaseOrder, list[Invoice], Invoice, TolerancePolicy]:
    po = draw(orders())
    earlier = [
        draw(invoices_of(po, status=draw(st.sampled_from([*LIVE, "rejected", "canceled"]))))
        for _ in range(draw(st.integers(0, 2)))
    ]
    return po, earlier, draw(invoices_of(po)), draw(rates)


def wire(verdict: Verdict) -> dict[str, Any]:
    """The verdict exactly as it would be published (decimal strings compared as written)."""
    issued = verdict.issue(verdict_id=uuid.UUID(int=1), tenant_id=TENANT, issued_at=datetime(2026, 1, 1, tzinfo=UTC))
    return issued.model_dump(mode="json")


def decision(verdict: Verdict) -> tuple[Any, ...]:
    return (verdict.outcome, verdict.reasons, verdict.tolerance_limit, verdict.po_net_total, verdict.open_net,
            verdict.invoice_net_total, verdict.excess)  # fmt: skip


def ordered_rows(verdict: Verdict) -> list[tuple[Any, ...]]:
    """What the report says of each PO line, apart from which invoice line it names first."""
    return [
        (r.purchase_order_line_id, r.invoiced_quantity, r.quantity_changed, r.price_changed, r.not_invoiced)
        for r in verdict.lines
        if not r.new_item
    ]


def renumbered(lines: tuple[Any, ...], numbers: list[int]) -> tuple[Any, ...]:
    return tuple(dataclasses.replace(line, line_no=no) for line, no in zip(lines, numbers, strict=True))


@MORE_EXAMPLES
@given(scenarios(), st.data())
def test_verdict_does_not_depend_on_the_order_invoice_lines_arrive_in(scenario: Any, data: st.DataObject) -> None:
    po, earlier, billed, rate = scenario
    shuffled = dataclasses.replace(billed, lines=tuple(data.draw(st.permutations(billed.lines))))

    assert wire(match_invoice(po, earlier, shuffled, rate)) == wire(match_invoice(po, earlier, billed, rate))


@MORE_EXAMPLES
@given(scenarios(), st.data())
def test_renumbering_invoice_lines_does_not_change_the_decision(scenario: Any, data: st.DataObject) -> None:
    po, earlier, billed, rate = scenario
    numbers = data.draw(st.permutations([line.line_no for line in billed.lines]))
    moved = match_invoice(po, earlier, dataclasses.replace(billed, lines=renumbered(billed.lines, numbers)), rate)
    original = match_invoice(po, earlier, billed, rate)

    assert decision(moved) == decision(original)
    assert ordered_rows(moved) == ordered_rows(original)
    # New lines follow invoice order by definition, so only their set must stay the same.
    assert sorted(map(repr, moved.lines[len(po.lines) :])) == sorted(map(repr, original.lines[len(po.lines) :]))


@MORE_EXAMPLES
@given(scenarios(), st.data())
def test_verdict_does_not_depend_on_the_order_of_the_po_lines(scenario: Any, data: st.DataObject) -> None:
    po, earlier, billed, rate = scenario
    shuffled = dataclasses.replace(po, lines=tuple(data.draw(st.permutations(po.lines))))
    numbers = data.draw(st.permutations([line.line_no for line in po.lines]))
    renumbered_po = dataclasses.replace(po, lines=renumbered(po.lines, numbers))
    original = match_invoice(po, earlier, billed, rate)

    assert wire(match_invoice(shuffled, earlier, billed, rate)) == wire(original)
    moved = match_invoice(renumbered_po, earlier, billed, rate)
    assert decision(moved) == decision(original)
    assert sorted(map(repr, moved.lines)) == sorted(map(repr, original.lines))


@MORE_EXAMPLES
@given(scenarios(), st.data())
def test_same_inputs_always_give_the_same_verdict(scenario: Any, data: st.DataObject) -> None:
    po, earlier, billed, rate = scenario
    first = wire(match_invoice(po, earlier, billed, rate))

    assert wire(match_invoice(po, earlier, billed, rate)) == first
    assert wire(match_invoice(po, data.draw(st.permutations(earlier)), billed, rate)) == first


@MORE_EXAMPLES
@given(orders(), st.data(), rates)
def test_a_partial_invoice_on_an_open_order_needs_approval_only_for_a_line_at_a_zero_limit(
    po: PurchaseOrder, data: Any, rate: TolerancePolicy
) -> None:
    earlier = [
        data.draw(invoices_of(po, new_items=False, status="approved")) for _ in range(data.draw(st.integers(0, 1)))
    ]
    billed = data.draw(invoices_of(po, new_items=False))
    verdict = match_invoice(po, earlier, billed, rate)
    assume(verdict.invoice_net_total < verdict.open_net)

    if verdict.tolerance_limit > 0:
        assert verdict.outcome == "auto_approved"
    else:  # "set 0 to match any discrepancy": a changed price or a line above what remains holds it
        assert set(verdict.reasons) <= {"price_changed", "quantity_exceeded"}
    assert verdict.excess < 0


@MORE_EXAMPLES
@given(orders(unit_lines=1), rates)
def test_exactly_the_tolerance_limit_is_allowed_and_one_minor_unit_more_is_not(
    po: PurchaseOrder, rate: TolerancePolicy
) -> None:
    limit = tolerance_limit(rate, net_total(po.lines, po.currency), po.currency)
    unit, *rest = po.lines

    def raised_by(amount: Decimal) -> Invoice:
        others = ((line, line.quantity, line.unit_price) for line in rest)
        return invoice(po, (unit, "1", unit.unit_price + amount), *others)

    at_limit = match_invoice(po, [], raised_by(limit), rate)
    over = match_invoice(po, [], raised_by(limit + quantum(po.currency)), rate)

    assert at_limit.excess == limit and at_limit.outcome == "auto_approved"
    # A zero limit also holds the raised price itself (MATCHING.md: price_changed).
    assert over.excess > limit and over.reasons == (
        ("over_tolerance", "price_changed") if limit == 0 else ("over_tolerance",)
    )


@MORE_EXAMPLES
@given(orders(unit_lines=2), rates, st.data())
def test_splitting_an_over_billing_into_two_invoices_each_within_tolerance_does_not_pass(
    po: PurchaseOrder, rate: TolerancePolicy, data: st.DataObject
) -> None:
    step = quantum(po.currency)
    steps = int(tolerance_limit(rate, net_total(po.lines, po.currency), po.currency) / step)
    assume(steps >= 1)
    first_steps = data.draw(st.integers(1, steps))
    second_steps = data.draw(st.integers(steps - first_steps + 1, steps))
    a, b, *rest = po.lines
    first = invoice(po, (a, "1", a.unit_price + first_steps * step), *((x, x.quantity, x.unit_price) for x in rest))
    second = invoice(po, (b, "1", b.unit_price + second_steps * step))

    assert match_invoice(po, [], first, rate).outcome == "auto_approved"
    assert match_invoice(po, [], second, rate).outcome == "auto_approved"
    live_first = dataclasses.replace(first, status="approved")
    verdict = match_invoice(po, [live_first], second, rate)
    assert verdict.excess == (first_steps + second_steps) * step
    assert verdict.outcome == "needs_approval"


def test_an_invoice_as_ordered_is_auto_approved_whatever_the_rate() -> None:
    po = order(("3", "19.99"), ("7", "0.35"))
    assert all(
        match_invoice(po, [], as_ordered(po), TolerancePolicy(rate=Decimal(r))).outcome == "auto_approved"
        for r in ("0", "5", "100")
    )
