"""The supplier hears by email of every change the buyer makes to what it works on, through the
whole system: a purchase order canceled or closed, an invoice the buyer canceled (not one the
supplier canceled itself), an RFP that closed, then went to another supplier. Each email names
the buyer organisation and the document's number and links the document's page; a supplier
that did not answer an RFP is told once that it is over."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from portal_dev.testing import poll_until
from tests.e2e.conftest import Organisation, Portal, link_in


async def signed_in(portal: Portal, organisation: Organisation) -> dict[str, str]:
    return await portal.sign_in(organisation.admin_email, organisation.admin_password)


async def post(api: httpx.AsyncClient, path: str, who: dict[str, str], **body: Any) -> dict:
    answer = await api.post(path, json=body or None, headers=who)
    assert answer.status_code in (200, 202), answer.text
    result: dict = answer.json()
    return result


async def test_canceled_and_closed_orders_and_an_invoice_the_buyer_canceled_are_emailed_to_the_supplier(
    api: httpx.AsyncClient, portal: Portal, new_organisation: Callable[[], Awaitable[Organisation]]
) -> None:
    tag = uuid.uuid4().hex[:6]
    organisation = await new_organisation()
    buyer = await signed_in(portal, organisation)
    email = f"orders-{tag}@changes.example"
    supplier_id, supplier = await portal.onboard_supplier(buyer, name=f"Changes {tag}", email=email)
    lines = [{"description": "Bolts", "quantity": "10", "unit_price": "10.00"}]

    # A sent order canceled, another closed, a draft canceled: the supplier hears of the two it received.
    canceled = await portal.create_po(buyer, supplier_id, lines)
    closed = await portal.create_po(buyer, supplier_id, lines)
    draft = await portal.create_po(buyer, supplier_id, lines)
    for po in (canceled, closed):
        await portal.submit_po(buyer, po["id"])
    await post(api, f"/purchase-orders/{canceled['id']}/cancel", buyer)
    await post(api, f"/purchase-orders/{closed['id']}/close", buyer)
    await post(api, f"/purchase-orders/{draft['id']}/cancel", buyer)

    name = organisation.name
    [canceled_mail] = await portal.email(
        to=email, subject=f"Purchase order {canceled['number']} from {name} was canceled"
    )
    [closed_mail] = await portal.email(to=email, subject=f"Purchase order {closed['number']} from {name} was closed")
    assert link_in(canceled_mail, f"/purchase-orders/{canceled['id']}")
    assert link_in(closed_mail, f"/purchase-orders/{closed['id']}")
    assert f"{name} closed purchase order {closed['number']}" in closed_mail.get_body(("plain",)).get_content()

    # Invoices of one order: the supplier cancels its rejected one, the buyer cancels a pending one.
    po = await portal.create_po(buyer, supplier_id, lines)
    await portal.submit_po(buyer, po["id"])
    over = [
        {
            "purchase_order_line_id": po["lines"][0]["id"],
            "description": "Bolts",
            "quantity": "10",
            "unit_price": "12.00",
        }
    ]

    async def pending_invoice(number: str) -> dict:
        body = {"purchase_order_id": po["id"], "number": number, "issue_date": "2026-11-23", "lines": over}
        # The order takes a new invoice once invoicing has heard that the earlier one no longer
        # claims its quantities (orders counts them and publishes the order again).
        invoice = await portal.until_created("/invoices", body, supplier, retry_on=409)
        await post(api, f"/invoices/{invoice['id']}/submit", supplier)
        return await portal.invoice_in(buyer, invoice["id"], "pending")

    own = await pending_invoice(f"OWN-{tag}")
    await post(api, f"/invoices/{own['id']}/reject", buyer, reason="The price is not agreed.")
    await post(api, f"/invoices/{own['id']}/cancel", supplier)
    theirs = await pending_invoice(f"BUY-{tag}")
    await post(api, f"/invoices/{theirs['id']}/cancel", buyer)

    subject = f"Invoice BUY-{tag} for PO {po['number']} was canceled by {name}"
    [invoice_mail] = await portal.email(to=email, subject=subject)
    assert link_in(invoice_mail, f"/invoices/{theirs['id']}")
    # Both cancellations travel in order on the order's key: the buyer's is emailed, so the
    # supplier's own was handled before it, and told nobody.
    assert portal.mailbox.find(to=email, subject_contains=f"Invoice OWN-{tag} for PO {po['number']} was canceled") == []
    assert portal.mailbox.find(to=email, subject_contains=draft["number"]) == []


async def create_rfp(portal: Portal, buyer: dict[str, str], supplier_ids: list[str], due_in: timedelta) -> dict:
    """An RFP due ``due_in`` from when orders takes it (it may first have to learn the suppliers)."""

    async def created() -> dict | None:
        body = {
            "title": "Cable for the new hall",
            "due_date": (datetime.now(UTC) + due_in).isoformat(),
            "currency": "EUR",
            "lines": [{"description": "Cable", "quantity": "100", "unit": "m"}],
            "supplier_ids": supplier_ids,
        }
        answer = await portal.api.post("/rfps", json=body, headers=buyer)
        return answer.json() if answer.status_code == 201 else None

    rfp: dict = await poll_until(created, timeout_s=30, what="orders to take the RFP")
    await post(portal.api, f"/rfps/{rfp['id']}/publish", buyer)
    return rfp


async def propose(portal: Portal, supplier: dict[str, str], rfp: dict, price: str) -> dict:
    lines = [{"rfp_line_id": rfp["lines"][0]["id"], "unit_price": price}]
    saved = await portal.api.put(f"/rfps/{rfp['id']}/proposal", json={"lines": lines}, headers=supplier)
    assert saved.status_code == 200, saved.text
    return await post(portal.api, f"/rfps/{rfp['id']}/proposal/submit", supplier)


async def test_a_closed_then_awarded_rfp_tells_each_invited_supplier_once_that_it_is_over(
    api: httpx.AsyncClient, portal: Portal, new_organisation: Callable[[], Awaitable[Organisation]]
) -> None:
    tag = uuid.uuid4().hex[:6]
    organisation = await new_organisation()
    name = organisation.name
    buyer = await signed_in(portal, organisation)
    emails = {who: f"{who}-{tag}@rfp-changes.example" for who in ("winner", "loser", "silent")}
    ids, tokens = {}, {}
    for who, email in emails.items():
        ids[who], tokens[who] = await portal.onboard_supplier(buyer, name=f"{who.title()} {tag}", email=email)

    # Due in a few seconds: both answer at once, then orders closes it and everyone invited hears.
    rfp = await create_rfp(portal, buyer, list(ids.values()), timedelta(seconds=10))
    winning = await propose(portal, tokens["winner"], rfp, "1.10")
    await propose(portal, tokens["loser"], rfp, "1.20")
    closing = f"Request for proposals {rfp['number']} from {name} has closed"
    for email in emails.values():
        await poll_until(
            lambda email=email: portal.mailbox.find(to=email, subject_contains=closing),
            timeout_s=90,
            what=f"the closing to reach {email}",
        )
    [closed_mail] = portal.mailbox.find(to=emails["silent"], subject_contains=closing)
    assert link_in(closed_mail, f"/rfps/{rfp['id']}")

    await post(api, f"/rfps/{rfp['id']}/award", buyer, proposal_id=winning["id"])
    await portal.email(to=emails["winner"], subject=f"You won {rfp['number']} from {name}")
    [lost] = await portal.email(
        to=emails["loser"], subject=f"{rfp['number']} was awarded to another supplier by {name}"
    )
    assert "Thank you for your proposal." in lost.get_body(("plain",)).get_content()
    # The award's emails are queued in one transaction: once the winner's arrived, all are known.
    listed = (await api.get("/emails", params={"limit": 100}, headers=buyer)).json()["items"]
    to_silent = sorted(
        e["subject"] for e in listed if e["recipient"] == emails["silent"] and rfp["number"] in e["subject"]
    )
    assert to_silent == [closing, f"Request for proposals {rfp['number']}: Cable for the new hall"]

    # Awarded before it closed: the invited supplier that did not answer hears it is over then.
    early = await create_rfp(portal, buyer, [ids["winner"], ids["silent"]], timedelta(days=7))
    early_win = await propose(portal, tokens["winner"], early, "1.05")
    await post(api, f"/rfps/{early['id']}/award", buyer, proposal_id=early_win["id"])
    [over] = await portal.email(
        to=emails["silent"], subject=f"{early['number']} was awarded to another supplier by {name}"
    )
    plain = over.get_body(("plain",)).get_content()
    assert "It no longer takes proposals." in plain and "Thank you" not in plain
    assert link_in(over, f"/rfps/{early['id']}")
