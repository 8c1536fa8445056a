"""Matching's additions on real PostgreSQL and a real broker: a receipt arriving before, with or
after its invoice ends in the same approval, once; tolerance amounts and the organisation's
defaults; possible duplicates across the supplier's orders."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from portal_dev.testing import poll_until
from shared.contracts.identity import OrganisationSettingsChanged
from shared.contracts.orders import GoodsReceipt, GoodsReceiptLine, GoodsReceiptRecorded, PurchaseOrderSnapshot
from shared.contracts.suppliers import SupplierSnapshot, SupplierUpdated, TolerancePolicy
from tests.matching.integration.conftest import Matching
from tests.matching.integration.events import NOW, invoice, purchase_order, restate, supplier
from tests.matching.integration.wire import Wire


def three_way(vendor: SupplierSnapshot, quantity: str, price: str, received: str) -> PurchaseOrderSnapshot:
    po = purchase_order(vendor, (quantity, price))
    return received_state(po, received, revision=po.revision)


def received_state(po: PurchaseOrderSnapshot, received: str, *, revision: int) -> PurchaseOrderSnapshot:
    lines = [line.model_copy(update={"received_quantity": Decimal(received)}) for line in po.lines]
    return po.model_copy(update={"lines": lines, "match_against_receipts": True, "revision": revision})


def receipt_of(po: PurchaseOrderSnapshot, quantity: str, *, revision: int, received: str) -> GoodsReceiptRecorded:
    """The order's state after a receipt of ``quantity`` of its first line (``received`` in all)."""
    receipt = GoodsReceipt(
        receipt_id=uuid.uuid4(),
        number="GR-2",
        received_on=date(2026, 3, 2),
        lines=[GoodsReceiptLine(purchase_order_line_id=po.lines[0].line_id, quantity=Decimal(quantity))],
        status="recorded",
        recorded_by=po.initiator_id,
        recorded_at=NOW,
    )
    state = received_state(po, received, revision=revision)
    return GoodsReceiptRecorded.model_validate({**state.model_dump(), "receipt": receipt.model_dump()})


def outcomes(verdicts: list[dict[str, Any]], invoice_id: uuid.UUID) -> list[tuple[str, list[str], bool]]:
    return [
        (v["data"]["outcome"], v["data"]["reasons"], v["data"].get("rematch_of") is not None)
        for v in verdicts
        if v["data"]["invoice_id"] == str(invoice_id)
    ]


@pytest.mark.parametrize("receipt_arrives", ["before", "with", "after"])
async def test_a_receipt_before_with_or_after_its_invoice_ends_in_one_approval(
    matching: Matching, wire: Wire, receipt_arrives: str
) -> None:
    vendor = supplier(uuid.uuid4(), tolerance_rate="5")
    po = three_way(vendor, "10", "100.00", received="6")
    billed = invoice(po, (0, "10", "100.00"))
    receipt = receipt_of(po, "4", revision=po.revision + 1, received="10")
    await wire.publish(vendor)
    await wire.publish(po)
    if receipt_arrives == "before":
        await wire.publish(receipt)
        await poll_until(lambda: _stored_revision(matching, po.purchase_order_id, receipt.revision), what="receipt")
        await wire.publish(billed)
    elif receipt_arrives == "with":
        await asyncio.gather(wire.publish(billed), wire.publish(receipt))
    else:
        await wire.publish(billed)
        await wire.verdicts_until(billed.invoice_id)
        await wire.publish(receipt)

    async def approved() -> list[tuple[str, list[str], bool]] | None:
        found = outcomes(await wire.verdicts_until(billed.invoice_id), billed.invoice_id)
        return found if found[-1][0] == "auto_approved" else None

    found = await poll_until(approved, what="the invoice approved")
    if receipt_arrives == "before":
        assert found == [("auto_approved", [], False)]
    elif receipt_arrives == "after":
        assert found == [("needs_approval", ["not_received"], False), ("auto_approved", [], True)]
    assert found[-1] == ("auto_approved", [], found[0][0] == "needs_approval")

    # The receipt again (a redelivery with its id, then a new message of the same state): no second re-match.
    envelope = await wire.publish(receipt)
    await wire.publish(receipt, envelope=envelope)
    await poll_until(lambda: _inbox_has(matching, envelope.id), what="the receipt delivered again and handled")
    verdicts = await matching.scalar("SELECT count(*) FROM verdicts WHERE invoice_id = :id", id=billed.invoice_id)
    assert verdicts == len(found)


async def test_a_receipt_that_covers_part_of_the_invoice_leaves_it_with_its_approver(
    matching: Matching, wire: Wire
) -> None:
    vendor = supplier(uuid.uuid4(), tolerance_rate="5")
    po = three_way(vendor, "10", "100.00", received="6")
    billed = invoice(po, (0, "10", "100.00"))
    for event in (vendor, po, billed):
        await wire.publish(event)
    [held] = outcomes(await wire.verdicts_until(billed.invoice_id), billed.invoice_id)

    partly = receipt_of(po, "2", revision=po.revision + 1, received="8")
    envelope = await wire.publish(partly)
    await poll_until(lambda: _inbox_has(matching, envelope.id), what="the receipt handled")

    assert held == ("needs_approval", ["not_received"], False)
    assert await matching.scalar("SELECT count(*) FROM verdicts WHERE invoice_id = :id", id=billed.invoice_id) == 1
    [line] = (await wire.verdicts_until(billed.invoice_id))[-1]["data"]["lines"]
    assert line["received_quantity"] == "6"


async def test_tolerance_amount_and_the_organisations_defaults_set_the_limit(matching: Matching, wire: Wire) -> None:
    tenant = uuid.uuid4()
    both = restate(SupplierUpdated, supplier(tenant), tolerance=TolerancePolicy(rate=Decimal(5), amount=Decimal(100)))
    neither = restate(SupplierUpdated, supplier(tenant), tolerance_rate=Decimal(0), tolerance=TolerancePolicy())
    settings = OrganisationSettingsChanged(
        tenant_id=tenant,
        name="Buyer",
        invoice_issue_date_required=False,
        supplier_portal_enabled=True,
        revision=1,
        updated_at=NOW,
        default_tolerance_rate=Decimal(2),
    )
    await wire.publish(settings)
    await poll_until(
        lambda: matching.scalar("SELECT count(*) FROM organisation_tolerances WHERE tenant_id = :t", t=tenant),
        what="the organisation's defaults stored",
    )
    results = {}
    for name, vendor, amount in (
        ("amount, at the limit", both, "5100.00"),
        ("amount, a cent over", both, "5100.01"),
        ("organisation's rate, a cent over", neither, "5100.01"),
    ):
        po = purchase_order(vendor, ("1", "3000.00"), ("20", "100.00"))
        billed = invoice(po, (0, "1", "3000.00"), (1, "1", str(Decimal(amount) - Decimal("3000.00"))))
        for event in (vendor, po, billed):
            await wire.publish(event)
        [verdict] = [
            v["data"]
            for v in await wire.verdicts_until(billed.invoice_id)
            if v["data"]["invoice_id"] == str(billed.invoice_id)
        ]
        results[name] = (verdict["reasons"], verdict["tolerance_limit"], verdict["tolerance_amount"])

    assert results == {
        "amount, at the limit": ([], "100.00", "100"),
        "amount, a cent over": (["over_tolerance"], "100.00", "100"),
        "organisation's rate, a cent over": (["over_tolerance"], "100.00", None),
    }


async def test_an_invoice_with_a_number_the_supplier_used_on_another_order_is_a_possible_duplicate(
    matching: Matching, wire: Wire
) -> None:
    vendor = supplier(uuid.uuid4(), tolerance_rate="5")
    first_po, second_po = purchase_order(vendor, ("1", "100.00")), purchase_order(vendor, ("1", "100.00"))
    first = invoice(first_po, (0, "1", "100.00"), number="INV-2026/001")
    again = invoice(second_po, (0, "1", "100.00"), number="inv 2026 001")
    same_day = {"issue_date": date(2026, 3, 1)}
    twin_po = purchase_order(vendor, ("2", "100.00"))
    twin_a = invoice(twin_po, (0, "1", "100.00"), number="A-1", **same_day)
    twin_b = invoice(twin_po, (0, "1", "100.00"), number="B-1", **same_day)
    for event in (vendor, first_po, second_po, twin_po, first):
        await wire.publish(event)
    await wire.verdicts_until(first.invoice_id)
    for event in (again, twin_a, twin_b):
        await wire.publish(event)

    by_invoice = {}
    for billed in (again, twin_a, twin_b):
        for v in await wire.verdicts_until(billed.invoice_id):
            by_invoice[v["data"]["invoice_id"]] = v["data"]
    duplicate = by_invoice[str(again.invoice_id)]
    assert duplicate["reasons"] == ["possible_duplicate"]
    assert duplicate["possible_duplicates"] == [
        {
            "invoice_id": str(first.invoice_id),
            "number": "INV-2026/001",
            "purchase_order_id": str(first_po.purchase_order_id),
            "same": "number",
        }
    ]
    assert by_invoice[str(twin_a.invoice_id)]["reasons"] == []
    assert by_invoice[str(twin_b.invoice_id)]["reasons"] == ["possible_duplicate"]
    assert by_invoice[str(twin_b.invoice_id)]["possible_duplicates"][0]["same"] == "gross_total_and_issue_date"


async def _stored_revision(matching: Matching, purchase_order_id: uuid.UUID, revision: int) -> bool:
    stored = await matching.scalar("SELECT revision FROM purchase_orders WHERE id = :id", id=purchase_order_id)
    return stored == revision


async def _inbox_has(matching: Matching, event_id: uuid.UUID) -> bool:
    return bool(await matching.scalar("SELECT count(*) FROM inbox WHERE event_id = :id", id=event_id))
