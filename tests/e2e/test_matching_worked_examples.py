"""Every worked example of MATCHING.md through the gateway, on the whole system: the buyer's
supplier tolerances and organisation defaults, purchase orders (some matched against goods
receipts), the supplier's invoices, matching's verdicts as the invoices answer them. The credit
note rows are in test_credit_notes.py.

The examples run side by side (one order each), as independent buyers' work does."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from tests.e2e.conftest import Organisation, Portal

WORKED_ORDER = [
    {"description": "Machine", "quantity": "1", "unit_price": "3000.00"},
    {"description": "Spare parts", "quantity": "20", "unit_price": "100.00"},
]  # net total 5,000.00


@dataclass
class Supplier:
    id: str
    headers: dict[str, str]


@dataclass
class Buyer:
    portal: Portal
    api: httpx.AsyncClient
    headers: dict[str, str]

    async def supplier(self, name: str, **tolerance: Any) -> Supplier:
        tag = uuid.uuid4().hex[:8]
        supplier_id, headers = await self.portal.onboard_supplier(
            self.headers, name=f"{name} {tag}", email=f"ar-{tag}@worked.example", **tolerance
        )
        return Supplier(supplier_id, headers)

    async def order(self, supplier: Supplier, lines: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        body = {"supplier_id": supplier.id, "currency": "EUR", "delivery_date": "2027-06-15", "lines": lines, **extra}
        po = await self.portal.until_created("/purchase-orders", body, self.headers, retry_on=422)
        await self.portal.submit_po(self.headers, po["id"])
        return po

    async def verdict(
        self, supplier: Supplier, po: dict[str, Any], rows: list[tuple[int | None, str, str]], **extra: Any
    ) -> dict[str, Any]:
        """The supplier invoices ``rows`` (PO line index or None for a new item, quantity, unit price)
        and submits; the invoice once matched, as the buyer sees it."""
        lines = [
            {
                "purchase_order_line_id": None if index is None else po["lines"][index]["id"],
                "description": "Freight" if index is None else po["lines"][index]["description"],
                "quantity": quantity,
                "unit_price": price,
                **({"tax_rate": po["lines"][index]["tax_rate"]} if index is not None else {}),
            }
            for index, quantity, price in rows
        ]
        body = {"purchase_order_id": po["id"], "number": f"W-{uuid.uuid4().hex[:8]}", "lines": lines, **extra}
        invoice = await self.portal.create_invoice(supplier.headers, body)
        submitted = await self.api.post(f"/invoices/{invoice['id']}/submit", headers=supplier.headers)
        assert submitted.status_code == 202, submitted.text
        return await self.portal.invoice_in(self.headers, invoice["id"], "approved", "pending")


def decided(invoice: dict[str, Any]) -> tuple[str, list[str], str]:
    matching = invoice["matching"]
    return matching["outcome"], matching["reasons"], matching["excess"]


async def test_the_worked_examples_of_the_first_table(api: httpx.AsyncClient, portal: Portal) -> None:
    buyer = Buyer(portal, api, await portal.admin())
    tr5, tr0 = await asyncio.gather(
        buyer.supplier("Five Percent", tolerance="5"), buyer.supplier("Zero", tolerance="0")
    )

    async def one(rows: list[tuple[int | None, str, str]], supplier: Supplier = tr5) -> tuple[str, list[str], str]:
        po = await buyer.order(supplier, WORKED_ORDER)
        return decided(await buyer.verdict(supplier, po, rows))

    async def second_after_3000(second: str) -> tuple[str, list[str], str]:
        po = await buyer.order(tr5, WORKED_ORDER)
        first = await buyer.verdict(tr5, po, [(0, "1", "3000.00")])
        assert first["status"] == "approved"
        return decided(await buyer.verdict(tr5, po, [(1, "20", str(Decimal(second) / 20))]))

    results = await asyncio.gather(
        one([(0, "1", "3000.00"), (1, "20", "100.00")]),
        one([(0, "1", "3249.00"), (1, "20", "100.00")]),
        one([(0, "1", "3250.00"), (1, "20", "100.00")]),
        one([(0, "1", "3250.01"), (1, "20", "100.00")]),
        one([(0, "1", "3000.00"), (1, "12", "100.00")]),
        one([(0, "1", "3000.00"), (1, "20", "99.50"), (None, "1", "10.00")]),
        one([(0, "1", "3000.01"), (1, "20", "100.00")], tr0),
        second_after_3000("2240.00"),
        second_after_3000("2260.00"),
    )

    assert results[0] == ("auto_approved", [], "0.00")
    assert results[1] == ("auto_approved", [], "249.00")
    assert results[2] == ("auto_approved", [], "250.00")
    assert results[3] == ("needs_approval", ["over_tolerance"], "250.01")
    assert results[4] == ("auto_approved", [], "-800.00")
    assert results[5] == ("needs_approval", ["new_items"], "0.00")
    # A cent over with a zero limit; the raised price is a reason of its own then.
    assert results[6][0] == "needs_approval" and "over_tolerance" in results[6][1] and results[6][2] == "0.01"
    assert results[7] == ("auto_approved", [], "240.00")
    assert results[8] == ("needs_approval", ["over_tolerance"], "260.00")


async def test_the_worked_examples_of_the_additions(
    api: httpx.AsyncClient, portal: Portal, new_organisation: Callable[[], Awaitable[Organisation]]
) -> None:
    buyer = Buyer(portal, api, await portal.admin())
    organisation = await new_organisation()
    other = Buyer(portal, api, await portal.sign_in(organisation.admin_email, organisation.admin_password))
    settings = await api.patch("/settings", json={"default_tolerance_rate": "2"}, headers=other.headers)
    assert settings.status_code == 200, settings.text
    tr5, tr0, amount, unset = await asyncio.gather(
        buyer.supplier("Five Percent", tolerance="5"),
        buyer.supplier("Zero", tolerance="0"),
        buyer.supplier("Amount", tolerance="5", tolerance_amount="100.00"),
        other.supplier("Organisation Default", tolerance=None),
    )
    assert (await api.get(f"/suppliers/{unset.id}", headers=other.headers)).json()["tolerance_rate"] is None
    two_lines = [
        {"description": "Bolts", "quantity": "10", "unit_price": "100.00"},
        {"description": "Nuts", "quantity": "10", "unit_price": "400.00"},
    ]

    async def worked(supplier: Supplier, total: str, on: Buyer = buyer) -> dict[str, Any]:
        po = await on.order(supplier, WORKED_ORDER)
        return await on.verdict(supplier, po, [(0, "1", "3000.00"), (1, "1", str(Decimal(total) - 3000))])

    async def lines(supplier: Supplier, rows: list[tuple[int | None, str, str]]) -> dict[str, Any]:
        return await buyer.verdict(supplier, await buyer.order(supplier, two_lines), rows)

    async def taxed() -> dict[str, Any]:
        po = await buyer.order(
            tr5, [{"description": "Desk", "quantity": "1", "unit_price": "100.00", "tax_rate": "20"}]
        )
        line = po["lines"][0]["id"]
        body = {
            "purchase_order_id": po["id"],
            "number": f"T-{uuid.uuid4().hex[:8]}",
            "lines": [{"purchase_order_line_id": line, "quantity": "1", "unit_price": "100.00", "tax_rate": "10"}],
        }
        invoice = await portal.create_invoice(tr5.headers, body)
        assert (await api.post(f"/invoices/{invoice['id']}/submit", headers=tr5.headers)).status_code == 202
        return await portal.invoice_in(buyer.headers, invoice["id"], "approved", "pending")

    async def duplicate() -> tuple[dict[str, Any], dict[str, Any]]:
        po = await buyer.order(tr5, [{"description": "Chairs", "quantity": "10", "unit_price": "50.00"}])
        first = await buyer.verdict(tr5, po, [(0, "4", "50.00")], issue_date="2026-11-20")
        second = await buyer.verdict(tr5, po, [(0, "4", "50.00")], issue_date="2026-11-20")
        return first, second

    results = await asyncio.gather(
        worked(amount, "5100.00"),
        worked(amount, "5100.01"),
        worked(unset, "5100.01", on=other),
        lines(tr0, [(0, "10", "110.00"), (1, "10", "390.00")]),
        lines(tr5, [(0, "10", "110.00"), (1, "10", "390.00")]),
        lines(tr0, [(0, "14", "100.00"), (1, "9", "400.00")]),
        taxed(),
        duplicate(),
    )
    at_amount, over_amount, organisation_default, price_zero, price_five, quantity_zero, tax, (first, twin) = results

    assert decided(at_amount) == ("auto_approved", [], "100.00")
    assert (at_amount["matching"]["tolerance_limit"], at_amount["matching"]["tolerance_amount"]) == ("100.00", "100.00")
    assert decided(over_amount) == ("needs_approval", ["over_tolerance"], "100.01")
    assert decided(organisation_default) == ("needs_approval", ["over_tolerance"], "100.01")
    assert organisation_default["matching"]["tolerance_limit"] == "100.00"
    assert decided(price_zero) == ("needs_approval", ["price_changed"], "0.00")
    assert decided(price_five) == ("auto_approved", [], "0.00")
    assert [row["price_changed"] for row in price_five["matching"]["lines"]] == [True, True]
    assert decided(quantity_zero) == ("needs_approval", ["quantity_exceeded"], "0.00")
    assert decided(tax)[:2] == ("needs_approval", ["tax_rate_changed"])
    assert decided(first) == ("auto_approved", [], "-300.00")
    assert twin["matching"]["reasons"] == ["possible_duplicate"]
    assert [d["invoice_id"] for d in twin["matching"]["possible_duplicates"]] == [first["id"]]
    # The supplier sees why, never the buyer's tolerance.
    seen = (await api.get(f"/invoices/{over_amount['id']}", headers=amount.headers)).json()["matching"]
    assert seen["reasons"] == ["over_tolerance"]
    assert (seen["tolerance_rate"], seen["tolerance_amount"], seen["tolerance_limit"]) == (None, None, None)


async def test_an_invoice_beyond_its_receipts_is_approved_by_the_receipt_that_covers_it(
    api: httpx.AsyncClient, portal: Portal
) -> None:
    buyer = Buyer(portal, api, await portal.admin())
    supplier = await buyer.supplier("Receipts", tolerance="5")
    bolts = [{"description": "Bolts", "quantity": "10", "unit_price": "100.00"}]

    async def received(po: dict[str, Any], quantity: str) -> None:
        body = {
            "received_on": "2026-11-20",
            "lines": [{"purchase_order_line_id": po["lines"][0]["id"], "quantity": quantity}],
        }
        answer = await api.post(f"/purchase-orders/{po['id']}/receipts", json=body, headers=buyer.headers)
        assert answer.status_code == 201, answer.text

    held_po, within_po = await asyncio.gather(
        buyer.order(supplier, bolts, match_against_receipts=True),
        buyer.order(supplier, bolts, match_against_receipts=True),
    )
    await asyncio.gather(received(held_po, "6"), received(within_po, "6"))
    held, within = await asyncio.gather(
        buyer.verdict(supplier, held_po, [(0, "10", "100.00")]),
        buyer.verdict(supplier, within_po, [(0, "6", "100.00")]),
    )

    assert decided(within) == ("auto_approved", [], "-400.00")
    assert decided(held) == ("needs_approval", ["not_received"], "0.00")
    assert held["matching"]["lines"][0]["received_quantity"] == "6"
    await received(held_po, "4")
    approved = await portal.invoice_in(supplier.headers, held["id"], "approved")
    assert approved["matching"]["rematch_of"] == held["matching"]["verdict_id"]
    assert approved["matching"]["lines"][0]["received_quantity"] == "10"
    receipts = (await api.get(f"/purchase-orders/{held_po['id']}/receipts", headers=supplier.headers)).json()
    assert [(r["status"], r["lines"][0]["quantity"]) for r in receipts["items"]] == [
        ("recorded", "6"),
        ("recorded", "4"),
    ]
