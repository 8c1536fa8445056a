"""Races through the gateway with the whole system running: approvals and rejections of one pending
invoice sent at the same moment (exactly one wins, the others get 409), and payments sent at the
same moment whose sum exceeds the invoice (the paid total never exceeds it), round after round."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from decimal import Decimal
from typing import Any

import httpx
import pytest

from portal_dev.stack import Stack
from portal_dev.testing import poll_until
from shared.contracts.invoicing import INVOICES_TOPIC
from tests.chaos.conftest import FULL, Scenario, envelopes, per_key, read_all
from tests.e2e.conftest import Portal

ROUNDS = 12 if FULL else 3
# Each invoice: 10 × 12.50 = 125.00; five payments of 40.00 at once, so exactly three fit.
QUANTITY, UNIT_PRICE, OVER_TOLERANCE_PRICE = "10", "12.50", "13.00"
PAYMENT, PAYMENTS_AT_ONCE = Decimal("40.00"), 5
DECISIONS = ("approve", "approve", "reject", "reject")


@pytest.fixture(scope="module")
def stack(shared_stack: Stack) -> Stack:
    """Races leave the system whole: the session's shared stack."""
    return shared_stack


async def invoice_in_status(
    api: httpx.AsyncClient, portal: Portal, buyer: dict[str, str], supplier_id: str, supplier: dict[str, str], **kw: Any
) -> str:
    """A purchase order of one line and a submitted invoice on it; the invoice's id once matched.
    ``over_tolerance`` bills a higher price (the supplier's tolerance is 0), so it awaits approval."""
    po = await portal.create_po(
        buyer, supplier_id, [{"description": "Valve", "quantity": QUANTITY, "unit_price": UNIT_PRICE}]
    )
    await portal.submit_po(buyer, po["id"])
    body: dict[str, Any] = {"purchase_order_id": po["id"], "number": f"R-{uuid.uuid4().hex[:8]}"}
    if kw.get("over_tolerance"):
        line = {
            "purchase_order_line_id": po["lines"][0]["id"],
            "quantity": QUANTITY,
            "unit_price": OVER_TOLERANCE_PRICE,
        }
        body["lines"] = [line]
    invoice = await portal.create_invoice(supplier, body)
    submitted = await api.post(f"/invoices/{invoice['id']}/submit", headers=supplier)
    assert submitted.status_code == 202, submitted.text
    wanted = "pending" if kw.get("over_tolerance") else "approved"
    await portal.invoice_in(buyer, invoice["id"], wanted)
    return str(invoice["id"])


def is_conflict(answer: httpx.Response) -> bool:
    return answer.status_code == 409 and answer.headers["content-type"] == "application/problem+json"


async def test_concurrent_decisions_and_payments_on_one_invoice_never_both_win(
    stack: Stack, api: httpx.AsyncClient, portal: Portal, scenario: Scenario
) -> None:
    scenario.injected = (
        f"{ROUNDS} rounds through the gateway: on a pending invoice {len(DECISIONS)} decisions at once "
        f"({', '.join(DECISIONS)}); on an approved invoice of 125.00, {PAYMENTS_AT_ONCE} payments of {PAYMENT} at once"
    )
    scenario.expected = (
        "per round exactly one decision 200 and the others 409 problem details, the invoice in the winner's "
        "status with one InvoiceApproved or InvoiceRejected event; exactly 3 payments 201 and 2 × 409, paid total "
        "120.00 ≤ 125.00, 3 payments on the invoice and 3 InvoicePaymentRecorded events"
    )
    tag = uuid.uuid4().hex[:6]
    buyer = await portal.admin()
    supplier_id, supplier = await portal.onboard_supplier(
        buyer, name=f"Supplier {tag}", email=f"sales@{tag}.example", tolerance="0"
    )
    gate = asyncio.Semaphore(4)

    async def prepared(over_tolerance: bool) -> str:
        async with gate:
            return await invoice_in_status(api, portal, buyer, supplier_id, supplier, over_tolerance=over_tolerance)

    pending = list(await asyncio.gather(*(prepared(True) for _ in range(ROUNDS))))
    approved = list(await asyncio.gather(*(prepared(False) for _ in range(ROUNDS))))

    decision_answers: Counter[str] = Counter()
    winners: dict[str, str] = {}
    payment_answers: Counter[int] = Counter()
    paid: dict[str, dict[str, Any]] = {}
    for round_no, (pending_id, approved_id) in enumerate(zip(pending, approved, strict=True)):
        # Every other round the rejections go out first, so that either side gets its chances to win.
        order = DECISIONS if round_no % 2 == 0 else DECISIONS[::-1]
        url = f"/invoices/{pending_id}"
        decisions = await asyncio.gather(
            *(
                api.post(f"{url}/approve", headers=buyer)
                if decision == "approve"
                else api.post(f"{url}/reject", json={"reason": "raced"}, headers=buyer)
                for decision in order
            )
        )
        decision_answers.update(f"{d} {a.status_code}" for d, a in zip(order, decisions, strict=True))
        won = [(d, a) for d, a in zip(order, decisions, strict=True) if a.status_code == 200]
        assert len(won) == 1, [a.text for a in decisions]
        assert all(is_conflict(a) for a in decisions if a.status_code != 200), [a.text for a in decisions]
        winners[pending_id] = won[0][1].json()["status"]
        final = (await api.get(url, headers=buyer)).json()
        assert final["status"] == winners[pending_id] == ("approved" if won[0][0] == "approve" else "rejected")

        payments = f"/invoices/{approved_id}/payments"
        answers = await asyncio.gather(
            *(api.post(payments, json={"amount": str(PAYMENT)}, headers=buyer) for _ in range(PAYMENTS_AT_ONCE))
        )
        payment_answers.update(a.status_code for a in answers)
        assert sorted(a.status_code for a in answers) == [201] * 3 + [409] * 2, [a.text for a in answers]
        assert all(is_conflict(a) for a in answers if a.status_code != 201)
        paid[approved_id] = (await api.get(f"/invoices/{approved_id}", headers=buyer)).json()

    ours = set(pending) | set(approved)

    async def events() -> dict[str, dict[Any, dict[str, int]]]:
        records = await read_all(stack.bootstrap_servers, INVOICES_TOPIC)
        return {
            kind: per_key(
                [e for e in envelopes(records, kind) if e.data["invoice_id"] in ours], lambda e: e.data["invoice_id"]
            )
            for kind in ("InvoiceApproved", "InvoiceRejected", "InvoicePaymentRecorded")
        }

    def decided_by_event(found: dict[str, dict[Any, dict[str, int]]]) -> dict[str, str]:
        return {
            invoice_id: status
            for kind, status in (("InvoiceApproved", "approved"), ("InvoiceRejected", "rejected"))
            for invoice_id in found[kind]
            if invoice_id in winners
        }

    async def all_published() -> dict[str, dict[Any, dict[str, int]]] | None:
        found = await events()
        payments_seen = {k: c["events"] for k, c in found["InvoicePaymentRecorded"].items()}
        complete = decided_by_event(found) == winners and payments_seen == dict.fromkeys(approved, 3)
        return found if complete else None

    found = await poll_until(all_published, timeout_s=30, interval_s=0.5, what="the events of every race")
    decision_events = {
        invoice_id: sum(
            found[kind].get(invoice_id, {"events": 0})["events"] for kind in ("InvoiceApproved", "InvoiceRejected")
        )
        for invoice_id in pending
    }
    scenario.observed = {
        "rounds": ROUNDS,
        "decision_answers": dict(decision_answers),
        "winners": dict(Counter(winners.values())),
        "decision_events_per_invoice": dict(Counter(decision_events.values())),
        "payment_answers": dict(payment_answers),
        "paid_totals": dict(Counter(invoice["paid_total"] for invoice in paid.values())),
        "payments_per_invoice": dict(Counter(len(invoice["payments"]) for invoice in paid.values())),
        "payment_events": sum(c["events"] for c in found["InvoicePaymentRecorded"].values()),
        "overpaid_invoices": sum(Decimal(i["paid_total"]) > Decimal(i["net_total"]) for i in paid.values()),
    }
    assert decision_events == dict.fromkeys(pending, 1), decision_events
    assert decided_by_event(found) == winners
    for invoice in paid.values():
        assert Decimal(invoice["paid_total"]) == 3 * PAYMENT <= Decimal(invoice["net_total"]) == Decimal("125.00")
        assert len(invoice["payments"]) == 3 and invoice["status"] == "partly_paid"
    assert {k: c["events"] for k, c in found["InvoicePaymentRecorded"].items()} == dict.fromkeys(approved, 3)
