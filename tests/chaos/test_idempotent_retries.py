"""The same POST retried with one ``Idempotency-Key`` (one after the other, all at once, and
across a restart of the service that owns it) has one effect: one purchase order, one
submission, one invoice, one payment, counted through the API and on the topics."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from collections import Counter
from decimal import Decimal
from typing import Any

import httpx
import pytest

from portal_dev.stack import Stack
from portal_dev.testing import poll_until
from shared.contracts.invoicing import INVOICES_TOPIC
from shared.contracts.orders import PURCHASE_ORDERS_TOPIC
from tests.chaos.conftest import FULL, Scenario, envelopes, per_key, read_all
from tests.e2e.conftest import Portal

CONCURRENT = 20 if FULL else 5
SEQUENTIAL = 10 if FULL else 3
# The answers a keyed request may get while its twin runs (409) or while the owning service's
# read model has not caught up yet (which frees the key: nothing happened).
NOT_YET = {"/purchase-orders": 422, "/invoices": 404}


@pytest.fixture(scope="module")
def stack(shared_stack: Stack) -> Stack:
    """The restarted service comes back: the session's shared stack."""
    return shared_stack


class Retries:
    """Sends one request many times under one key and keeps every answer."""

    def __init__(self, api: httpx.AsyncClient) -> None:
        self.api = api
        self.statuses: dict[str, Counter[int]] = {}

    async def burst_then_retries(self, name: str, path: str, who: dict[str, str], body: Any = None) -> dict[str, Any]:
        """``CONCURRENT`` copies at once (again while none succeeded), then ``SEQUENTIAL`` more
        one after the other; all succeeded ones carry the same answer. The answer."""
        headers = who | {"Idempotency-Key": f"{name}-{uuid.uuid4()}"}
        statuses = self.statuses.setdefault(name, Counter())
        allowed = {200, 201, 202, 409, NOT_YET.get(path, 409)}

        async def burst() -> list[httpx.Response] | None:
            copies = [self.api.post(path, json=body, headers=headers) for _ in range(CONCURRENT)]
            answers = await asyncio.gather(*copies)
            statuses.update(a.status_code for a in answers)
            assert {a.status_code for a in answers} <= allowed, [a.text for a in answers]
            refused = [a for a in answers if not a.is_success]
            assert all(a.headers["content-type"] == "application/problem+json" for a in refused)
            done = [a for a in answers if a.is_success]
            return done or None

        done: list[httpx.Response] = await poll_until(burst, timeout_s=30, interval_s=0.2, what=f"{name} accepted")
        for _ in range(SEQUENTIAL):
            again = await self.api.post(path, json=body, headers=headers)
            statuses[again.status_code] += 1
            done.append(again)
        first = done[0]
        for answer in done:
            assert (answer.status_code, answer.json()) == (first.status_code, first.json()), answer.text
        assert all(a.headers.get("idempotent-replayed") == "true" for a in done[-SEQUENTIAL:])
        result: dict[str, Any] = first.json()
        return result


async def test_requests_retried_with_one_idempotency_key_have_one_effect(
    stack: Stack, api: httpx.AsyncClient, portal: Portal, scenario: Scenario
) -> None:
    scenario.injected = (
        f"each POST of a purchase order, its submission, an invoice, its submission and a payment sent "
        f"{CONCURRENT} times at once and {SEQUENTIAL} times more under one Idempotency-Key; a second payment "
        "retried straight at invoicing across a restart of invoicing"
    )
    scenario.expected = (
        "one purchase order, one PurchaseOrderSubmitted, one invoice, submission 1 and one InvoiceSubmitted, "
        "two payments and two InvoicePaymentRecorded; every accepted answer the same, retries marked replayed; "
        "duplicates running at the same time refused with 409"
    )
    tag = uuid.uuid4().hex[:6]
    buyer = await portal.admin()
    supplier_id, supplier = await portal.onboard_supplier(buyer, name=f"Supplier {tag}", email=f"sales@{tag}.example")
    retries = Retries(api)

    po_body = {
        "supplier_id": supplier_id,
        "currency": "EUR",
        "delivery_date": "2027-06-15",
        "lines": [{"description": "Bolts", "quantity": "10", "unit_price": "12.50"}],
    }
    po = await retries.burst_then_retries("create-po", "/purchase-orders", buyer, po_body)
    await retries.burst_then_retries("submit-po", f"/purchase-orders/{po['id']}/submit", buyer)
    invoice_body = {"purchase_order_id": po["id"], "number": f"IDEM-{tag}", "issue_date": "2026-11-23"}
    invoice = await retries.burst_then_retries("create-invoice", "/invoices", supplier, invoice_body)
    await retries.burst_then_retries("submit-invoice", f"/invoices/{invoice['id']}/submit", supplier)
    await portal.invoice_in(supplier, invoice["id"], "approved")
    payments = f"/invoices/{invoice['id']}/payments"
    await retries.burst_then_retries("pay", payments, buyer, {"amount": "10.00"})

    # Straight at the owning service (its own key store, not the gateway's), across its restart.
    direct = stack.service_url("invoicing") + "/api/v1" + payments
    async with httpx.AsyncClient(timeout=30) as service:
        headers = buyer | {"Idempotency-Key": f"pay-direct-{tag}"}
        paid = await service.post(direct, json={"amount": "5.00"}, headers=headers)
        assert paid.status_code == 201, paid.text
        restarted_at = time.monotonic()
        stack.stop_service("invoicing", signal.SIGTERM)
        stack.start_service("invoicing")
        await asyncio.to_thread(stack.wait_ready, ("invoicing",))
        restart_s = round(time.monotonic() - restarted_at, 2)
        after_restart = [await service.post(direct, json={"amount": "5.00"}, headers=headers) for _ in range(2)]
    for answer in after_restart:
        assert answer.status_code == 201 and answer.json() == paid.json(), answer.text
        assert answer.headers["idempotent-replayed"] == "true"
    retries.statuses["pay-direct-across-restart"] = Counter([paid.status_code] + [a.status_code for a in after_restart])

    listed = await api.get("/purchase-orders", params={"supplier_id": supplier_id}, headers=buyer)
    assert listed.status_code == 200, listed.text
    invoices = await api.get("/invoices", headers=supplier)
    assert invoices.status_code == 200, invoices.text
    final = (await api.get(f"/invoices/{invoice['id']}", headers=buyer)).json()

    async def topic_counts() -> dict[str, dict[str, int]]:
        submitted = envelopes(await read_all(stack.bootstrap_servers, PURCHASE_ORDERS_TOPIC), "PurchaseOrderSubmitted")
        po_events = per_key([e for e in submitted if e.data["purchase_order_id"] == po["id"]], lambda e: e.type)
        records = await read_all(stack.bootstrap_servers, INVOICES_TOPIC)
        invoice_events = per_key(
            [
                e
                for kind in ("InvoiceSubmitted", "InvoicePaymentRecorded")
                for e in envelopes(records, kind)
                if e.data["invoice_id"] == invoice["id"]
            ],
            lambda e: e.type,
        )
        return po_events | invoice_events

    expected_events = {"PurchaseOrderSubmitted": 1, "InvoiceSubmitted": 1, "InvoicePaymentRecorded": 2}

    async def all_published() -> dict[str, dict[str, int]] | None:
        counts = await topic_counts()
        return counts if {k: v["events"] for k, v in counts.items()} == expected_events else None

    # The outbox publishes shortly after each commit; more events than expected fail at once below.
    counts = await poll_until(all_published, timeout_s=30, interval_s=0.5, what="the events of the effects")
    scenario.observed = {
        "answers": {name: dict(statuses) for name, statuses in retries.statuses.items()},
        "invoicing_restart_s": restart_s,
        "purchase_orders_of_supplier": len(listed.json()["items"]),
        "invoices_of_purchase_order": sum(i["purchase_order_id"] == po["id"] for i in invoices.json()["items"]),
        "invoice_submission": final["submission"],
        "payments": len(final["payments"]),
        "paid_total": final["paid_total"],
        "events": {kind: c["events"] for kind, c in counts.items()},
        "republished_messages": sum(c["messages"] - c["events"] for c in counts.values()),
    }
    assert [p["id"] for p in listed.json()["items"]] == [po["id"]]
    assert [i["id"] for i in invoices.json()["items"] if i["purchase_order_id"] == po["id"]] == [invoice["id"]]
    assert final["submission"] == 1
    assert len(final["payments"]) == 2 and Decimal(final["paid_total"]) == Decimal("15.00")
    assert {kind: c["events"] for kind, c in (await topic_counts()).items()} == expected_events
