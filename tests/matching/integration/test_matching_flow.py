"""Matching on real PostgreSQL and a real broker: submitted invoices get verdicts."""

from __future__ import annotations

import uuid

from portal_dev.testing import Tokens, poll_until
from shared.contracts.invoicing import InvoiceApproved, InvoiceCanceled, InvoiceRejected
from shared.contracts.suppliers import SupplierUpdated
from tests.matching.integration.conftest import Matching
from tests.matching.integration.events import credit_note, invoice, purchase_order, restate, supplier
from tests.matching.integration.wire import Wire

WORKED_EXAMPLE = (("1", "3000.00"), ("20", "100.00"))  # PO net total 5,000.00


async def test_submitted_invoice_gets_a_verdict_published_through_the_outbox(
    matching: Matching, wire: Wire, tokens: Tokens
) -> None:
    vendor = supplier(uuid.uuid4(), tolerance_rate="5")
    po = purchase_order(vendor, *WORKED_EXAMPLE)
    billed = invoice(po, (0, "1", "3249.00"), (1, "20", "100.00"))
    for event in (vendor, po, billed):
        await wire.publish(event)

    [verdict] = await wire.verdicts_until(billed.invoice_id)

    assert verdict["type"] == "MatchingVerdictIssued"
    assert verdict["producer"] == "matching"
    assert verdict["tenant_id"] == str(vendor.tenant_id)
    data = verdict["data"]
    assert data["purchase_order_id"] == str(po.purchase_order_id)
    assert (data["outcome"], data["reasons"], data["submission"]) == ("auto_approved", [], 1)
    assert (data["tolerance_rate"], data["tolerance_limit"], data["po_net_total"]) == ("5", "250.00", "5000.00")
    assert (data["open_net"], data["invoice_net_total"], data["excess"]) == ("5000.00", "5249.00", "249.00")
    assert [line["price_changed"] for line in data["lines"]] == [True, False]

    async def outbox_drained() -> bool:
        return await matching.scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0

    await poll_until(outbox_drained, what="outbox rows marked sent")

    url = f"/api/v1/matching/verdicts/{billed.invoice_id}"
    own = await matching.client.get(url, headers=tokens.headers(tokens.buyer(vendor.tenant_id)))
    assert own.status_code == 200, own.text
    assert own.json()["excess"] == "249.00" and own.json()["lines"] == data["lines"]
    other_tenant = await matching.client.get(url, headers=tokens.headers(tokens.buyer(uuid.uuid4())))
    assert other_tenant.status_code == 404
    assert other_tenant.headers["content-type"] == "application/problem+json"
    as_supplier = await matching.client.get(url, headers=tokens.headers(tokens.supplier(vendor.supplier_id)))
    assert as_supplier.status_code == 403
    assert (await matching.client.get(url)).status_code == 401


async def test_second_invoice_that_takes_the_order_over_tolerance_needs_approval(
    matching: Matching, wire: Wire
) -> None:
    vendor = supplier(uuid.uuid4(), tolerance_rate="5")
    po = purchase_order(vendor, *WORKED_EXAMPLE)
    first = invoice(po, (0, "1", "3000.00"))
    second = invoice(po, (1, "20", "113.00"))
    for event in (
        vendor,
        po,
        first,
        restate(InvoiceApproved, first, status="approved", auto_approved=True, revision=4),
        second,
    ):
        await wire.publish(event)

    verdicts = await wire.verdicts_until(second.invoice_id)

    assert [v["data"]["outcome"] for v in verdicts] == ["auto_approved", "needs_approval"]
    data = verdicts[-1]["data"]
    assert (data["open_net"], data["excess"], data["reasons"]) == ("2000.00", "260.00", ["over_tolerance"])
    assert data["lines"][0]["previously_invoiced_quantity"] == "1"
    assert data["lines"][0]["not_invoiced"] is True


async def test_invoice_resubmitted_after_rejection_is_matched_again_from_scratch(
    matching: Matching, wire: Wire, tokens: Tokens
) -> None:
    vendor = supplier(uuid.uuid4(), tolerance_rate="5")
    po = purchase_order(vendor, *WORKED_EXAMPLE)
    over = invoice(po, (0, "1", "3250.01"), (1, "20", "100.00"))
    rejected = restate(InvoiceRejected, over, status="rejected", rejection_reason="price", revision=4)
    fixed = invoice(po, (0, "1", "3000.00"), (1, "20", "100.00"), invoice_id=over.invoice_id, submission=2, revision=6)
    for event in (vendor, po, over, rejected, fixed):
        await wire.publish(event)

    verdicts = await wire.verdicts_until(over.invoice_id, submission=2)

    assert [(v["data"]["submission"], v["data"]["outcome"]) for v in verdicts] == [
        (1, "needs_approval"),
        (2, "auto_approved"),
    ]
    assert verdicts[-1]["data"]["open_net"] == "5000.00"  # its own first submission does not count
    latest = await matching.client.get(
        f"/api/v1/matching/verdicts/{over.invoice_id}", headers=tokens.headers(tokens.buyer(vendor.tenant_id))
    )
    assert latest.json()["submission"] == 2


async def test_canceled_invoice_no_longer_reduces_the_open_net(matching: Matching, wire: Wire) -> None:
    vendor = supplier(uuid.uuid4(), tolerance_rate="0")
    po = purchase_order(vendor, *WORKED_EXAMPLE)
    first = invoice(po, (0, "1", "3000.00"))
    second = invoice(po, (0, "1", "3000.00"), (1, "20", "100.00"))
    for event in (vendor, po, first, restate(InvoiceCanceled, first, status="canceled", revision=4), second):
        await wire.publish(event)

    verdicts = await wire.verdicts_until(second.invoice_id)

    assert verdicts[-1]["data"]["open_net"] == "5000.00"
    assert verdicts[-1]["data"]["outcome"] == "auto_approved"


async def test_tolerance_rate_change_applies_to_later_matches_only(
    matching: Matching, wire: Wire, tokens: Tokens
) -> None:
    vendor = supplier(uuid.uuid4(), tolerance_rate="5")
    earlier_po, later_po = purchase_order(vendor, *WORKED_EXAMPLE), purchase_order(vendor, *WORKED_EXAMPLE)
    before = invoice(earlier_po, (0, "1", "3100.00"), (1, "20", "100.00"))
    for event in (vendor, earlier_po, later_po, before):
        await wire.publish(event)
    await wire.verdicts_until(before.invoice_id)

    await wire.publish(restate(SupplierUpdated, vendor, tolerance_rate="0", revision=3))
    await wire.publish(restate(SupplierUpdated, vendor, tolerance_rate="50", revision=2))  # late, older: ignored

    async def rate_changed() -> bool:
        sql = "SELECT revision FROM supplier_tolerances WHERE supplier_id = :id"
        return await matching.scalar(sql, id=vendor.supplier_id) == 3

    await poll_until(rate_changed, what="the new tolerance rate in the read model")
    after = invoice(later_po, (0, "1", "3100.00"), (1, "20", "100.00"))
    await wire.publish(after)

    [later] = [
        v for v in await wire.verdicts_until(after.invoice_id) if v["data"]["invoice_id"] == str(after.invoice_id)
    ]
    assert (later["data"]["tolerance_rate"], later["data"]["outcome"]) == ("0", "needs_approval")
    earlier = await matching.client.get(
        f"/api/v1/matching/verdicts/{before.invoice_id}", headers=tokens.headers(tokens.buyer(vendor.tenant_id))
    )
    assert (earlier.json()["tolerance_rate"], earlier.json()["outcome"]) == ("5", "auto_approved")


async def test_invoice_on_a_canceled_order_needs_approval(matching: Matching, wire: Wire) -> None:
    vendor = supplier(uuid.uuid4())
    po = purchase_order(vendor, *WORKED_EXAMPLE, status="canceled")
    billed = invoice(po, (0, "1", "3000.00"), (1, "20", "100.00"))
    for event in (vendor, po, billed):
        await wire.publish(event)

    [verdict] = await wire.verdicts_until(billed.invoice_id)

    assert verdict["data"]["reasons"] == ["order_not_open"]


async def test_credit_notes_get_verdicts_and_an_approved_one_reopens_the_order(matching: Matching, wire: Wire) -> None:
    vendor = supplier(uuid.uuid4(), tolerance_rate="0")
    po = purchase_order(vendor, ("50", "100.00"))
    billed = invoice(po, (0, "30", "100.00"))
    within = credit_note(billed, (0, "5", "100.00"))
    beyond = credit_note(billed, (0, "26", "100.00"))
    again = invoice(po, (0, "25", "100.00"))
    for event in (
        vendor,
        po,
        billed,
        restate(InvoiceApproved, billed, status="approved", auto_approved=True, revision=4),
        within,
        restate(InvoiceApproved, within, status="approved", auto_approved=True, revision=4),
        beyond,
        again,
    ):
        await wire.publish(event)

    verdicts = await wire.verdicts_until(again.invoice_id)

    by_invoice = {v["data"]["invoice_id"]: v["data"] for v in verdicts}
    assert by_invoice[str(within.invoice_id)]["outcome"] == "auto_approved"
    assert by_invoice[str(beyond.invoice_id)]["reasons"] == ["credit_exceeds_invoice"]
    rebilled = by_invoice[str(again.invoice_id)]
    assert (rebilled["outcome"], rebilled["open_net"], rebilled["excess"]) == ("auto_approved", "2500.00", "0.00")
    assert rebilled["lines"][0]["previously_invoiced_quantity"] == "25"
