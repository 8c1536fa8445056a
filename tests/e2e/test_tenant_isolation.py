"""Two buyer organisations, A and B, created by the operator's command, both buying from one real
supplier company: each keeps its own supplier record of it (same name, same contact email), and
the company's contact has one portal account linked to both records.

The supplier sees the documents of both buyers addressed to its own records and nothing else;
each buyer sees only its own (another organisation's document answers 404 and is absent from
every list, count and email audit); an invoice against B's PO reaches B's approver only; A's
portal switch touches only A's suppliers; equal PO numbers, invoice numbers and supplier names
in both organisations do not collide.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from portal_dev.stack import Stack
from portal_dev.testing import poll_until
from tests.e2e.attackers import PDF
from tests.e2e.conftest import SUPPLIER_PASSWORD, Portal, admin_command, bearer

ADMIN_PASSWORD = "organisation-admin-password"
CLERK_PASSWORD = "organisation-clerk-password"


@dataclass
class Buyer:
    """One buyer organisation and what it holds."""

    label: str
    name: str
    id: str
    admin_email: str
    admin: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)  # email -> user id
    supplier_id: str = ""  # its record of the shared company
    order: dict[str, Any] = field(default_factory=dict)
    order_comment_id: str = ""
    order_attachment_id: str = ""
    invoice: dict[str, Any] = field(default_factory=dict)
    invoice_comment_id: str = ""
    invoice_attachment_id: str = ""
    rfp: dict[str, Any] = field(default_factory=dict)
    proposal: dict[str, Any] = field(default_factory=dict)
    proposal_attachment_id: str = ""
    other_supplier_id: str = ""  # a record of another company, with an order of its own
    other_order_id: str = ""
    other_contacts: set[str] = field(default_factory=set)

    def secrets(self) -> set[str]:
        """What nobody outside this organisation may read: its ids and its people."""
        return {
            self.id,
            self.supplier_id,
            self.order["id"],
            self.order_comment_id,
            self.order_attachment_id,
            self.invoice["id"],
            self.invoice_comment_id,
            self.invoice_attachment_id,
            self.rfp["id"],
            self.proposal["id"],
            self.proposal_attachment_id,
            *self.users,
            *self.users.values(),
        } - {""}

    def private_paths(self) -> list[str]:
        """Every address of this organisation's documents that a buyer can read."""
        order, invoice, rfp = (
            f"/purchase-orders/{self.order['id']}",
            f"/invoices/{self.invoice['id']}",
            f"/rfps/{self.rfp['id']}",
        )
        proposal = f"{rfp}/proposals/{self.proposal['id']}"
        return [
            f"/suppliers/{self.supplier_id}",
            order,
            f"{order}/comments",
            f"{order}/attachments",
            f"{order}/attachments/{self.order_attachment_id}",
            invoice,
            f"{invoice}/comments",
            f"{invoice}/attachments",
            f"{invoice}/attachments/{self.invoice_attachment_id}",
            f"/matching/verdicts/{self.invoice['id']}",
            rfp,
            f"{rfp}/proposals",
            f"{proposal}/attachments",
            f"{proposal}/attachments/{self.proposal_attachment_id}",
        ]


async def create_buyer(stack: Stack, password_file: Path, label: str, tag: str) -> Buyer:
    email = f"admin-{label.lower()}-{tag}@buyer-{label.lower()}.example"
    created = await admin_command(
        stack,
        "organisations",
        "create",
        "--name",
        f"Buyer {label} {tag}",
        "--admin-email",
        email,
        "--admin-password-file",
        str(password_file),
    )
    buyer = Buyer(label=label, name=created["name"], id=created["id"], admin_email=email)
    buyer.users[email] = created["admin"]["id"]
    return buyer


async def created(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 201, f"{answer.request.method} {answer.request.url}: {answer.text}"
    result: dict[str, Any] = answer.json()
    return result


def items(answer: httpx.Response) -> list[dict[str, Any]]:
    assert answer.status_code == 200, f"{answer.request.url}: {answer.text}"
    result: list[dict[str, Any]] = answer.json()["items"]
    return result


def ids(answer: httpx.Response) -> set[str]:
    return {item["id"] for item in items(answer)}


async def build_documents(
    api: httpx.AsyncClient, portal: Portal, buyer: Buyer, initiator: dict[str, str], supplier: dict[str, str], tag: str
) -> None:
    """A PO to the shared company with a comment and a file, its invoice (numbered as in the other
    organisation) with a comment and a file, and an RFP answered with a proposal and a file."""

    async def order_and_invoice() -> None:
        lines = [
            {"description": "Bolts", "quantity": "10", "unit_price": "5.00"},
            {"description": "Nuts", "quantity": "10", "unit_price": "1.00"},
        ]
        buyer.order = await portal.create_po(initiator, buyer.supplier_id, lines)
        await portal.submit_po(initiator, buyer.order["id"])
        order = f"/purchase-orders/{buyer.order['id']}"
        comment, attachment = await asyncio.gather(
            api.post(f"{order}/comments", json={"body": f"Question for {buyer.label}"}, headers=supplier),
            api.post(f"{order}/attachments", files={"file": ("po.pdf", PDF, "application/pdf")}, headers=supplier),
        )
        buyer.order_comment_id = (await created(comment))["id"]
        buyer.order_attachment_id = (await created(attachment))["id"]
        # The bolts only, so that the order stays open; B is also billed freight it never ordered,
        # which always needs its approver.
        bolts = buyer.order["lines"][0]["id"]
        billed = [{"purchase_order_line_id": bolts, "description": "Bolts", "quantity": "10", "unit_price": "5.00"}]
        if buyer.label == "B":
            billed.append(
                {"purchase_order_line_id": None, "description": "Freight", "quantity": "1", "unit_price": "10.00"}
            )
        body = {
            "purchase_order_id": buyer.order["id"],
            "number": f"INV-{tag}",
            "issue_date": "2026-11-23",
            "lines": billed,
        }
        buyer.invoice = await portal.create_invoice(supplier, body)
        invoice = f"/invoices/{buyer.invoice['id']}"
        comment, attachment = await asyncio.gather(
            api.post(f"{invoice}/comments", json={"body": f"Invoice for {buyer.label}"}, headers=supplier),
            api.post(f"{invoice}/attachments", files={"file": ("inv.pdf", PDF, "application/pdf")}, headers=supplier),
        )
        buyer.invoice_comment_id = (await created(comment))["id"]
        buyer.invoice_attachment_id = (await created(attachment))["id"]
        assert (await api.post(f"{invoice}/submit", headers=supplier)).status_code == 202
        buyer.invoice = await portal.invoice_in(
            supplier, buyer.invoice["id"], "pending" if buyer.label == "B" else "approved"
        )

    async def rfp_and_proposal() -> None:
        body = {
            "title": f"Fasteners for {buyer.label}",
            "due_date": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
            "currency": "EUR",
            "lines": [{"description": "Nuts", "quantity": "100", "unit": "pcs"}],
            "supplier_ids": [buyer.supplier_id],
        }
        rfp = await portal.until_created("/rfps", body, buyer.admin, retry_on=422)
        published = await api.post(f"/rfps/{rfp['id']}/publish", headers=buyer.admin)
        assert published.status_code == 200, published.text
        buyer.rfp = published.json()
        offer = {"lines": [{"rfp_line_id": line["id"], "unit_price": "0.10"} for line in buyer.rfp["lines"]]}
        answered = await api.put(f"/rfps/{rfp['id']}/proposal", json=offer, headers=supplier)
        assert answered.status_code == 200, answered.text
        attached = await api.post(
            f"/rfps/{rfp['id']}/proposal/attachments",
            files={"file": ("offer.pdf", PDF, "application/pdf")},
            headers=supplier,
        )
        buyer.proposal_attachment_id = (await created(attached))["id"]
        submitted = await api.post(f"/rfps/{rfp['id']}/proposal/submit", headers=supplier)
        assert submitted.status_code == 200, submitted.text
        buyer.proposal = submitted.json()

    await asyncio.gather(order_and_invoice(), rfp_and_proposal())


async def test_two_organisations_sharing_a_supplier_see_nothing_of_each_other(
    api: httpx.AsyncClient, portal: Portal, stack: Stack, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:8]
    admin_password = tmp_path / "admin-password"
    admin_password.write_text(ADMIN_PASSWORD + "\n")

    # The operator creates both organisations; B's admin adds the buyer user who raises B's orders.
    a, b = await asyncio.gather(
        create_buyer(stack, admin_password, "A", tag), create_buyer(stack, admin_password, "B", tag)
    )
    a.admin, b.admin = await asyncio.gather(
        portal.sign_in(a.admin_email, ADMIN_PASSWORD), portal.sign_in(b.admin_email, ADMIN_PASSWORD)
    )
    clerk_email = f"clerk-{tag}@buyer-b.example"
    clerk_body = {"email": clerk_email, "name": "Clerk B", "password": CLERK_PASSWORD, "role": "buyer_user"}
    b.users[clerk_email] = (await created(await api.post("/users", json=clerk_body, headers=b.admin)))["id"]

    # Each keeps its own record of the same company, under the same name, and invites its contact.
    company, contact = f"Shared Parts {tag}", f"sales-{tag}@shared-parts.example"
    record = {"name": company, "email": contact, "currency": "EUR", "tolerance_rate": "5"}
    other = {"name": f"Other Supplies {tag}", "email": f"other-{tag}@other.example", "currency": "EUR"}
    a_record, b_record, a_other = await asyncio.gather(
        created(await api.post("/suppliers", json=record, headers=a.admin)),
        created(await api.post("/suppliers", json=record, headers=b.admin)),
        created(await api.post("/suppliers", json=other, headers=a.admin)),
    )
    a.supplier_id, b.supplier_id, a.other_supplier_id = a_record["id"], b_record["id"], a_other["id"]
    a.other_contacts.add(other["email"])
    for buyer in (a, b):
        activated = await api.post(f"/suppliers/{buyer.supplier_id}/portal/activate", headers=buyer.admin)
        assert activated.status_code == 200, activated.text
    mails = await portal.email(to=contact, subject="invit", count=2)
    assert len(mails) == 2 and all(company in str(m["Subject"]) for m in mails)
    links = [
        re.search(r"/invitations/([A-Za-z0-9_\-]+)", m.get_body(preferencelist=("plain",)).get_content()).group(1)  # type: ignore[union-attr]
        for m in mails
    ]

    # The first acceptance makes the account; the second buyer's link joins it, with its password only.
    first = await api.post(f"/auth/invitations/{links[0]}/accept", json={"password": SUPPLIER_PASSWORD})
    first_me = (await api.get("/me", headers=bearer((await created(first))["access_token"]))).json()
    assert first_me["supplier_ids"] in ([a.supplier_id], [b.supplier_id])
    takeover = await api.post(f"/auth/invitations/{links[1]}/accept", json={"password": "a-new-password"})
    assert takeover.status_code == 401, takeover.text
    second = await api.post(f"/auth/invitations/{links[1]}/accept", json={"password": SUPPLIER_PASSWORD})
    supplier = bearer((await created(second))["access_token"])
    supplier_me = (await api.get("/me", headers=supplier)).json()
    assert supplier_me["user_id"] == first_me["user_id"]
    assert sorted(supplier_me["supplier_ids"]) == sorted([a.supplier_id, b.supplier_id])

    clerk = await portal.sign_in(clerk_email, CLERK_PASSWORD)
    await asyncio.gather(
        build_documents(api, portal, a, a.admin, supplier, tag),
        build_documents(api, portal, b, clerk, supplier, tag),
    )
    other_order = await portal.create_po(
        a.admin, a.other_supplier_id, [{"description": "Paper", "quantity": "1", "unit_price": "1.00"}]
    )
    await portal.submit_po(a.admin, other_order["id"])
    a.other_order_id = other_order["id"]

    # Equal numbers and names in both organisations are two different documents.
    assert a.order["number"] == b.order["number"] and a.order["id"] != b.order["id"]
    assert a.invoice["number"] == b.invoice["number"] == f"INV-{tag}" and a.invoice["id"] != b.invoice["id"]
    assert a_record["name"] == b_record["name"] == company and a.supplier_id != b.supplier_id

    # B's invoice goes to B's approver (the clerk who raised the order) and to nobody else.
    seen_by_clerk = (await api.get(f"/invoices/{b.invoice['id']}", headers=clerk)).json()
    assert seen_by_clerk["approver_id"] == b.users[clerk_email] == b.order["initiator_id"]
    await portal.email(to=clerk_email, subject="needs your approval")
    b_emails = items(await api.get("/emails", params={"limit": 200}, headers=b.admin))
    [request] = [e for e in b_emails if e["template"] == "invoice_approval_request"]
    assert [e["recipient"] for e in b_emails if e["source_event_id"] == request["source_event_id"]] == [clerk_email]
    assert (await api.post(f"/invoices/{b.invoice['id']}/approve", headers=a.admin)).status_code == 404
    approved = await api.post(f"/invoices/{b.invoice['id']}/approve", headers=clerk)
    assert approved.status_code == 200, approved.text

    # The supplier sees both buyers' documents addressed to its records, and nothing else.
    assert ids(await api.get("/purchase-orders", headers=supplier)) == {a.order["id"], b.order["id"]}
    assert ids(await api.get("/invoices", headers=supplier)) == {a.invoice["id"], b.invoice["id"]}
    assert ids(await api.get("/rfps", headers=supplier)) == {a.rfp["id"], b.rfp["id"]}
    profiles = items(await api.get("/portal/profiles", headers=supplier))
    assert sorted(p["supplier_id"] for p in profiles) == sorted([a.supplier_id, b.supplier_id])
    assert (await api.get(f"/purchase-orders/{a.other_order_id}", headers=supplier)).status_code == 404

    # Each buyer: its own documents answer, the other's are 404 and absent from every list.
    for own, foreign in ((a, b), (b, a)):
        answers = await asyncio.gather(*(api.get(path, headers=own.admin) for path in own.private_paths()))
        assert [(p, r.status_code) for p, r in zip(own.private_paths(), answers, strict=True)] == [
            (p, 200) for p in own.private_paths()
        ]
        answers = await asyncio.gather(*(api.get(path, headers=own.admin) for path in foreign.private_paths()))
        assert [(p, r.status_code) for p, r in zip(foreign.private_paths(), answers, strict=True)] == [
            (p, 404) for p in foreign.private_paths()
        ]
        for path in (f"/purchase-orders/{foreign.order['id']}/export", f"/invoices/{foreign.invoice['id']}/export"):
            assert (await api.get(path, params={"format": "pdf"}, headers=own.admin)).status_code == 404
        hijack = await api.patch(f"/suppliers/{foreign.supplier_id}", json={"name": "Hijacked"}, headers=own.admin)
        assert hijack.status_code == 404
        stolen = {
            "supplier_id": foreign.supplier_id,
            "currency": "EUR",
            "delivery_date": "2027-06-15",
            "lines": [{"description": "X", "quantity": "1", "unit_price": "1"}],
        }
        assert (await api.post("/purchase-orders", json=stolen, headers=own.admin)).status_code in (404, 422)

        lists = {
            path: await api.get(path, params={"limit": 200}, headers=own.admin)
            for path in ("/suppliers", "/purchase-orders", "/invoices", "/rfps", "/users", "/emails", "/settings")
        }
        leaked = {path: sorted(s for s in foreign.secrets() if s in answer.text) for path, answer in lists.items()}
        assert leaked == {path: [] for path in lists}, leaked
        own_suppliers = {own.supplier_id, own.other_supplier_id} - {""}
        assert ids(lists["/suppliers"]) == own_suppliers
        assert ids(lists["/purchase-orders"]) == {own.order["id"], own.other_order_id} - {""}
        assert ids(lists["/invoices"]) == {own.invoice["id"]}
        assert ids(lists["/rfps"]) == {own.rfp["id"]}
        assert {u["email"]: u["id"] for u in items(lists["/users"])} == own.users
        assert {e["recipient"] for e in items(lists["/emails"])} <= {contact, *own.users, *own.other_contacts}
        settings = lists["/settings"].json()
        assert (settings["organisation_id"], settings["name"]) == (own.id, own.name)
    a_emails = items(await api.get("/emails", params={"limit": 200}, headers=a.admin))
    assert not {e["id"] for e in a_emails} & {e["id"] for e in b_emails}
    assert request["source_event_id"] not in {e["source_event_id"] for e in a_emails}

    # The counts on each portal summary are each party's own.
    async def summary_is(who: dict[str, str], expected: dict[str, Any]) -> bool:
        answer = (await api.get("/portal/summary", headers=who)).json()
        statuses = {k: v for k, v in answer["invoices_by_status"].items() if v}
        orders = answer.pop("orders_by_status")
        # Nothing was held for a decision; the open orders are those of the open statuses.
        in_open_statuses = sum(orders[s] for s in ("sent", "acknowledged", "partially_invoiced"))
        waiting = answer.pop("waiting_for_me")
        consistent = waiting == 0 and in_open_statuses == answer["open_orders"]
        return consistent and {**answer, "invoices_by_status": statuses} == expected

    expected = {
        "A": {"unprocessed_orders": 1, "open_orders": 2, "invoices_by_status": {"approved": 1}, "open_rfps": 1},
        "B": {"unprocessed_orders": 0, "open_orders": 1, "invoices_by_status": {"approved": 1}, "open_rfps": 1},
        "supplier": {"unprocessed_orders": 0, "open_orders": 2, "invoices_by_status": {"approved": 2}, "open_rfps": 0},
    }
    for who, headers in (("A", a.admin), ("B", b.admin), ("supplier", supplier)):
        await poll_until(
            lambda h=headers, e=expected[who]: summary_is(h, e),
            timeout_s=30,
            what=f"the summary of {who} to be {expected[who]}",
        )

    # A switches its supplier portal off: the shared company keeps B whole, and A only to invoice what is owed.
    def draft_body(buyer: Buyer, number: str = f"DRAFT-{tag}") -> dict[str, Any]:
        line = {"purchase_order_line_id": None, "description": "Extra", "quantity": "1", "unit_price": "1.00"}
        return {"purchase_order_id": buyer.order["id"], "number": number, "lines": [line]}

    a_draft, b_draft = await asyncio.gather(
        created(await api.post("/invoices", json=draft_body(a), headers=supplier)),
        created(await api.post("/invoices", json=draft_body(b), headers=supplier)),
    )
    switched = await api.patch("/settings", json={"supplier_portal_enabled": False}, headers=a.admin)
    assert switched.status_code == 200 and switched.json()["supplier_portal_enabled"] is False
    try:
        only_b = await portal.sign_in(contact, SUPPLIER_PASSWORD)
        # A's record stays, restricted to invoicing what A's orders still owe (A's order is not
        # invoiced yet, so it stays in view); B's is untouched.
        me = (await api.get("/me", headers=only_b)).json()
        assert sorted(me["supplier_ids"]) == sorted([a.supplier_id, b.supplier_id])
        assert me["restricted_supplier_ids"] == [a.supplier_id]
        assert ids(await api.get("/purchase-orders", headers=only_b)) == {a.order["id"], b.order["id"]}

        async def a_refuses_the_old_token() -> bool:
            number = f"LATE-{uuid.uuid4().hex[:8]}"  # a draft made before invoicing heard is deleted with the rest
            again = await api.post("/invoices", json=draft_body(a, number), headers=supplier)
            # A new item is beyond what A's order still owes: refused with the line named.
            return again.status_code == 422

        await poll_until(a_refuses_the_old_token, timeout_s=30, what="invoicing to hear that A switched off")

        async def a_draft_gone() -> bool:
            return (await api.get(f"/invoices/{a_draft['id']}", headers=supplier)).status_code == 404

        await poll_until(a_draft_gone, timeout_s=30, what="the supplier's draft in A to leave the portal")
        kept = await api.get(f"/invoices/{b_draft['id']}", headers=only_b)
        assert kept.status_code == 200 and kept.json()["status"] == "draft"
        b_settings = (await api.get("/settings", headers=b.admin)).json()
        assert b_settings["supplier_portal_enabled"] is True
        late = await api.post("/invoices", json=draft_body(b, f"LATE-{tag}"), headers=only_b)
        assert late.status_code == 201, late.text
    finally:
        await api.patch("/settings", json={"supplier_portal_enabled": True}, headers=a.admin)
    back = await portal.sign_in(contact, SUPPLIER_PASSWORD)
    assert sorted((await api.get("/me", headers=back)).json()["supplier_ids"]) == sorted([a.supplier_id, b.supplier_id])
