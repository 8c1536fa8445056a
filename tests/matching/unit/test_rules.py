"""The verdict rules beyond the worked examples: open orders, which earlier invoices count,
rounding to the currency, and the event a verdict is published as."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from matching.domain.matching import match_invoice
from matching.domain.model import TolerancePolicy
from shared.contracts.matching import MatchingVerdictIssued
from tests.matching.unit.documents import TENANT, as_ordered, invoice, order, worked_example_order

TR_5 = TolerancePolicy(rate=Decimal(5))


def test_with_tolerance_rate_zero_an_exact_invoice_is_auto_approved() -> None:
    po = worked_example_order()

    verdict = match_invoice(po, [], as_ordered(po), TolerancePolicy(rate=Decimal(0)))

    assert verdict.outcome == "auto_approved"


@pytest.mark.parametrize("status", ["closed", "canceled"])
def test_invoice_on_a_closed_or_canceled_order_needs_approval(status: str) -> None:
    po = worked_example_order(status=status)

    verdict = match_invoice(po, [], as_ordered(po), TR_5)

    assert verdict.outcome == "needs_approval"
    assert verdict.reasons == ("order_not_open",)


@pytest.mark.parametrize("status", ["sent", "acknowledged", "partially_invoiced", "fully_invoiced"])
def test_invoice_on_an_open_order_is_not_refused_for_its_status(status: str) -> None:
    po = worked_example_order(status=status)

    assert match_invoice(po, [], as_ordered(po), TR_5).reasons == ()


def test_every_reason_that_holds_is_given_in_a_fixed_order() -> None:
    po = worked_example_order(status="closed")
    billed = invoice(po, (po.lines[0], "1", "9000.00"), (None, "1", "5.00"))

    assert match_invoice(po, [], billed, TR_5).reasons == ("new_items", "over_tolerance", "order_not_open")


def test_splitting_an_over_billing_over_two_invoices_does_not_get_it_through() -> None:
    po = order(("1", "1000.00"), ("1", "1000.00"))  # L = 100.00
    first = invoice(po, (po.lines[0], "1", "1080.00"), status="approved")  # 4 % of the PO over
    assert match_invoice(po, [], first, TR_5).outcome == "auto_approved"

    verdict = match_invoice(po, [first], invoice(po, (po.lines[1], "1", "1080.00")), TR_5)

    assert verdict.excess == Decimal("160.00")
    assert verdict.outcome == "needs_approval"


@pytest.mark.parametrize("status", ["draft", "rejected", "canceled"])
def test_earlier_invoices_that_are_not_live_do_not_reduce_the_open_net(status: str) -> None:
    po = worked_example_order()
    dropped = invoice(po, (po.lines[0], "1", "3000.00"), status=status)

    verdict = match_invoice(po, [dropped], as_ordered(po), TR_5)

    assert verdict.open_net == Decimal("5000.00")
    assert verdict.outcome == "auto_approved"
    assert verdict.lines[0].previously_invoiced_quantity == 0


@pytest.mark.parametrize("status", ["matching", "pending", "approved", "partly_paid", "paid"])
def test_earlier_live_invoices_reduce_the_open_net(status: str) -> None:
    po = worked_example_order()
    live = invoice(po, (po.lines[0], "1", "3000.00"), status=status)

    assert match_invoice(po, [live], as_ordered(po), TR_5).open_net == Decimal("2000.00")


def test_a_resubmitted_invoice_is_matched_from_scratch_without_its_own_earlier_submission() -> None:
    po = worked_example_order()
    invoice_id = uuid.uuid4()
    own_earlier = as_ordered(po, invoice_id=invoice_id)  # still live in the read model
    resubmitted = as_ordered(po, invoice_id=invoice_id, submission=2)

    verdict = match_invoice(po, [own_earlier], resubmitted, TR_5)

    assert verdict.submission == 2
    assert verdict.open_net == Decimal("5000.00")
    assert verdict.outcome == "auto_approved"


def test_tolerance_limit_is_rounded_half_up_to_the_currency() -> None:
    po = order(("1", "100.10"))  # 5 % = 5.005

    assert match_invoice(po, [], as_ordered(po), TR_5).tolerance_limit == Decimal("5.01")


def test_line_nets_are_rounded_to_the_currency_minor_unit() -> None:
    yen = order(("3", "33.5"), currency="JPY")  # 100.5 → 101
    dinar = order(("3", "0.3335"), currency="BHD")  # 1.0005 → 1.001

    assert match_invoice(yen, [], as_ordered(yen), TR_5).po_net_total == Decimal("101")
    assert match_invoice(dinar, [], as_ordered(dinar), TR_5).po_net_total == Decimal("1.001")


def test_the_verdict_is_published_with_its_numbers_as_decimal_strings() -> None:
    po = worked_example_order()
    verdict = match_invoice(po, [], invoice(po, (po.lines[0], "1", "3250.01"), (po.lines[1], "20", "100.00")), TR_5)
    now = datetime(2026, 1, 2, tzinfo=UTC)

    event = verdict.issue(verdict_id=uuid.uuid4(), tenant_id=TENANT, issued_at=now)
    wire = event.model_dump(mode="json")

    assert isinstance(event, MatchingVerdictIssued)
    assert event.key() == str(po.id)
    assert wire["outcome"] == "needs_approval"
    assert wire["reasons"] == ["over_tolerance"]
    assert wire["excess"] == "250.01"
    assert wire["tolerance_limit"] == "250.00"
    assert wire["lines"][0]["invoiced_unit_price"] == "3250.01"
    assert wire["lines"][0]["price_changed"] is True
