"""``portal seed --demo``: a realistic demo tenant, made the way people would make it.

The buyer organisation and its admin come from the gateway's operator functions (like
``portal organisations create``); everything else goes through the gateway's API as the buyer's
and the suppliers' users: suppliers invited to the portal (the invitation link is read from the
mail sink's ``.eml`` files), purchase orders in each status, invoices in each status that stays
(``matching`` lasts only until the verdict, a moment), and a published RFP with one proposal
submitted and one declined. The system is eventually consistent, so each step that depends on
an event waits (with a deadline) until the service concerned has heard of it.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from gateway.config import Settings as GatewaySettings
from gateway.entrypoints import operator

BUYER_PASSWORD = "demo-buyer-password"
SUPPLIER_PASSWORD = "demo-supplier-password"
WAIT_S = 60.0
# Answers that mean "this service has not heard of it yet" while events travel.
NOT_YET = frozenset({404, 409, 422})


class SeedError(RuntimeError):
    pass


@dataclass(frozen=True)
class Login:
    who: str
    email: str
    password: str


@dataclass
class DemoTenant:
    organisation_id: str = ""
    organisation_name: str = ""
    logins: list[Login] = field(default_factory=list)
    invoices: dict[str, str] = field(default_factory=dict)  # invoice number → status
    purchase_orders: dict[str, str] = field(default_factory=dict)  # PO number → status
    rfps: list[str] = field(default_factory=list)
    existed: bool = False


def organisation_name(tag: str) -> str:
    return f"Northwind Trading ({tag})"


def _slug(tag: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", tag.lower()).strip("-") or "demo"


SUPPLIERS = (
    # name, mailbox, tolerance rate %
    ("Acme Tools", "sales@acme", "5"),
    ("Globex Office Supplies", "orders@globex", "2"),
    ("Initech Components", "billing@initech", "0"),
)

# The steps ``DemoSeeder.run`` reports to the progress bar.
STEPS = 19


def invitation_token(mail_dir: Path, to: str) -> str | None:
    """The token in the newest invitation email to ``to`` in the sink's ``.eml`` files."""
    for path in sorted(mail_dir.glob("*.eml"), reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if to.lower() not in str(message["To"]).lower() or "invit" not in str(message["Subject"]).lower():
            continue
        body = message.get_body(preferencelist=("plain", "html"))
        found = re.search(r"/invitations/([A-Za-z0-9_\-]+)", body.get_content() if body else "")
        if found:
            return found.group(1)
    return None


class DemoSeeder:
    def __init__(
        self,
        api: httpx.AsyncClient,
        gateway_settings: GatewaySettings,
        mail_dir: Path,
        *,
        tag: str,
        advance: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.api = api
        self.gateway_settings = gateway_settings
        self.mail_dir = mail_dir
        self.tag = _slug(tag)
        self.advance = advance
        self.tenant = DemoTenant(organisation_name=organisation_name(self.tag))

    # -- plumbing ---------------------------------------------------------------------------
    async def _call(
        self, method: str, path: str, who: dict[str, str] | None, *, expect: int = 200, **kw: Any
    ) -> dict[str, Any]:
        """One request; an answer that means "not heard of it yet" is tried again until the deadline."""
        deadline = time.monotonic() + WAIT_S
        while True:
            answer = await self.api.request(method, path, headers=who or {}, **kw)
            if answer.status_code == expect:
                result: dict[str, Any] = answer.json() if answer.content else {}
                return result
            if answer.status_code not in NOT_YET or time.monotonic() > deadline:
                raise SeedError(f"{method} {path} answered {answer.status_code}: {answer.text[:500]}")
            await asyncio.sleep(0.2)

    async def _until(self, what: str, probe: Callable[[], Awaitable[Any]]) -> Any:
        deadline = time.monotonic() + WAIT_S
        while True:
            result = await probe()
            if result:
                return result
            if time.monotonic() > deadline:
                raise SeedError(f"gave up after {WAIT_S:.0f}s waiting for {what}")
            await asyncio.sleep(0.2)

    async def _sign_in(self, address: str, password: str) -> dict[str, str]:
        token = await self._call("POST", "/auth/token", None, json={"email": address, "password": password})
        return {"Authorization": f"Bearer {token['access_token']}"}

    def _address(self, local: str, domain: str = "northwind") -> str:
        return f"{local}.{self.tag}.example" if "@" in local else f"{local}@{self.tag}.{domain}.example"

    # -- the demo ---------------------------------------------------------------------------
    async def existing(self) -> str | None:
        for organisation in await operator.list_organisations(self.gateway_settings):
            if organisation.name == self.tenant.organisation_name:
                return str(organisation.id)
        return None

    async def run(self) -> DemoTenant:
        found = await self.existing()
        if found:
            self.tenant.organisation_id, self.tenant.existed = found, True
            return self.tenant
        admin_email, buyer_email = self._address("admin"), self._address("buyer")
        created = await operator.create_organisation(
            self.gateway_settings,
            name=self.tenant.organisation_name,
            admin_email=admin_email,
            admin_password=BUYER_PASSWORD,
            admin_name="Alex Admin",
        )
        self.tenant.organisation_id = str(created.id)
        self.tenant.logins.append(Login("buyer admin", admin_email, BUYER_PASSWORD))
        admin = await self._sign_in(admin_email, BUYER_PASSWORD)
        self.advance("buyer organisation and admin")

        user = {"email": buyer_email, "name": "Blake Buyer", "password": BUYER_PASSWORD, "role": "buyer_user"}
        await self._call("POST", "/users", admin, expect=201, json=user)
        buyer = await self._sign_in(buyer_email, BUYER_PASSWORD)
        self.tenant.logins.append(Login("buyer user (raises the POs, approves)", buyer_email, BUYER_PASSWORD))
        self.advance("buyer user")

        suppliers: list[tuple[str, dict[str, str]]] = []
        for name, mailbox, tolerance in SUPPLIERS:
            suppliers.append(await self._supplier(admin, name, self._address(mailbox), tolerance))
        (acme, acme_user), (globex, globex_user), (initech, initech_user) = suppliers

        await self._orders_and_invoices(admin, buyer, acme, acme_user, globex, globex_user, initech, initech_user)
        await self._rfp(buyer, [(acme, acme_user), (initech, initech_user)])
        return self.tenant

    async def _supplier(self, admin: dict[str, str], name: str, address: str, tolerance: str) -> tuple[str, dict]:
        body = {"name": name, "email": address, "currency": "EUR", "tolerance_rate": tolerance}
        supplier_id = str((await self._call("POST", "/suppliers", admin, expect=201, json=body))["id"])
        await self._call("POST", f"/suppliers/{supplier_id}/portal/activate", admin)
        self.advance(f"supplier {name}, invited")
        token = await self._until(f"the invitation email to {address}", self._invitation(address))
        accepted = await self._call(
            "POST", f"/auth/invitations/{token}/accept", None, expect=201, json={"password": SUPPLIER_PASSWORD}
        )
        self.tenant.logins.append(Login(f"supplier {name}", address, SUPPLIER_PASSWORD))
        self.advance(f"supplier {name}, invitation accepted")
        return supplier_id, {"Authorization": f"Bearer {accepted['access_token']}"}

    def _invitation(self, address: str) -> Callable[[], Awaitable[str | None]]:
        async def probe() -> str | None:
            return await asyncio.to_thread(invitation_token, self.mail_dir, address)

        return probe

    async def _po(
        self, buyer: dict[str, str], supplier_id: str, lines: list[tuple[str, str, str]], *, send: bool = True
    ) -> dict[str, Any]:
        delivery = (date.today() + timedelta(days=45)).isoformat()
        body = {
            "supplier_id": supplier_id,
            "currency": "EUR",
            "delivery_date": delivery,
            "lines": [{"description": d, "quantity": q, "unit_price": p} for d, q, p in lines],
        }
        po = await self._call("POST", "/purchase-orders", buyer, expect=201, json=body)
        if send:
            po = await self._call("POST", f"/purchase-orders/{po['id']}/submit", buyer)
        return po

    async def _invoice(
        self, supplier: dict[str, str], po: dict[str, Any], number: str, lines: list[tuple[int | None, str, str]]
    ) -> dict[str, Any]:
        """A draft invoice; each line is (index of the PO line or None for a new item, quantity, unit price)."""
        body = {
            "purchase_order_id": po["id"],
            "number": f"{number}-{self.tag.upper()}",
            "issue_date": date.today().isoformat(),
            "lines": [
                {
                    "purchase_order_line_id": po["lines"][i]["id"] if i is not None else None,
                    **({} if i is not None else {"description": "Delivery and handling"}),
                    "quantity": q,
                    "unit_price": p,
                }
                for i, q, p in lines
            ],
        }
        return await self._call("POST", "/invoices", supplier, expect=201, json=body)

    async def _submitted(self, supplier: dict[str, str], invoice: dict[str, Any], *wanted: str) -> dict[str, Any]:
        await self._call("POST", f"/invoices/{invoice['id']}/submit", supplier, expect=202)

        async def decided() -> dict[str, Any] | None:
            found = await self._call("GET", f"/invoices/{invoice['id']}", supplier)
            return found if found["status"] in wanted else None

        result: dict[str, Any] = await self._until(f"invoice {invoice['number']} to be {' or '.join(wanted)}", decided)
        return result

    def _record(self, invoice: dict[str, Any], status: str) -> None:
        self.tenant.invoices[invoice["number"]] = status
        self.advance(f"invoice {invoice['number']}: {status}")

    async def _orders_and_invoices(
        self,
        admin: dict[str, str],
        buyer: dict[str, str],
        acme: str,
        acme_user: dict[str, str],
        globex: str,
        globex_user: dict[str, str],
        initech: str,
        initech_user: dict[str, str],
    ) -> None:
        # Acme: a PO acknowledged and invoiced in parts: paid, partly paid, a draft, a canceled one.
        bolts = await self._po(buyer, acme, [("Hex bolts M8", "100", "50.00"), ("Washers M8", "200", "2.50")])
        await self._call("POST", f"/purchase-orders/{bolts['id']}/acknowledge", acme_user)
        self.advance(f"PO {bolts['number']} sent and acknowledged")
        paid = await self._invoice(acme_user, bolts, "ACME-1", [(0, "40", "50.00")])
        paid = await self._submitted(acme_user, paid, "approved")
        await self._call("POST", f"/invoices/{paid['id']}/payments", admin, expect=201, json={"amount": "2000.00"})
        self._record(paid, "paid")
        partly = await self._invoice(acme_user, bolts, "ACME-2", [(0, "20", "50.00")])
        partly = await self._submitted(acme_user, partly, "approved")
        await self._call("POST", f"/invoices/{partly['id']}/payments", admin, expect=201, json={"amount": "400.00"})
        self._record(partly, "partly_paid")
        self._record(await self._invoice(acme_user, bolts, "ACME-3", [(1, "100", "2.50")]), "draft")
        withdrawn = await self._invoice(acme_user, bolts, "ACME-4", [(0, "5", "50.00")])
        await self._call("POST", f"/invoices/{withdrawn['id']}/cancel", acme_user)
        self._record(withdrawn, "canceled")

        # Globex: an extra charge that was not ordered waits for the buyer; an over-billing is rejected.
        chairs = await self._po(buyer, globex, [("Office chair", "10", "120.00")])
        await self._call("POST", f"/purchase-orders/{chairs['id']}/acknowledge", globex_user)
        pending = await self._invoice(globex_user, chairs, "GLOBEX-1", [(0, "10", "120.00"), (None, "1", "45.00")])
        self._record(await self._submitted(globex_user, pending, "pending"), "pending")
        toner = await self._po(buyer, globex, [("Toner cartridge", "50", "80.00")])
        over = await self._invoice(globex_user, toner, "GLOBEX-2", [(0, "55", "80.00")])
        over = await self._submitted(globex_user, over, "pending")
        reason = {"reason": "55 cartridges billed, 50 ordered: please invoice what was delivered."}
        await self._call("POST", f"/invoices/{over['id']}/reject", buyer, json=reason)
        self._record(over, "rejected")

        # Initech: invoiced in full and approved on the spot (awaiting payment).
        sensors = await self._po(buyer, initech, [("Temperature sensor", "200", "12.50")])
        await self._call("POST", f"/purchase-orders/{sensors['id']}/acknowledge", initech_user)
        full = await self._invoice(initech_user, sensors, "INITECH-1", [(0, "200", "12.50")])
        self._record(await self._submitted(initech_user, full, "approved"), "approved")

        # Purchase orders in the other statuses.
        draft = await self._po(buyer, acme, [("Drill bits, set of 10", "12", "18.90")], send=False)
        sent = await self._po(buyer, initech, [("Pressure sensor", "40", "31.00")])
        paper = await self._po(buyer, globex, [("Printer paper A4, box", "60", "21.50")])
        await self._call("POST", f"/purchase-orders/{paper['id']}/acknowledge", globex_user)
        canceled = await self._po(buyer, globex, [("Desk lamp", "15", "24.00")])
        await self._call("POST", f"/purchase-orders/{canceled['id']}/cancel", buyer)
        closed = await self._po(buyer, acme, [("Safety gloves", "300", "3.20")])
        await self._call("POST", f"/purchase-orders/{closed['id']}/acknowledge", acme_user)
        await self._call("POST", f"/purchase-orders/{closed['id']}/close", buyer)
        # Invoiced quantities reach the orders service by event: wait until each PO shows them.
        expected = [
            (bolts, "partially_invoiced"),
            (chairs, "fully_invoiced"),  # the pending invoice bills every chair
            (sensors, "fully_invoiced"),
            (toner, "sent"),  # its only invoice was rejected
            (draft, "draft"),
            (sent, "sent"),
            (paper, "acknowledged"),
            (canceled, "canceled"),
            (closed, "closed"),
        ]
        for po, status in expected:
            await self._until(f"PO {po['number']} to be {status}", self._po_in(buyer, po["id"], status))
            self.tenant.purchase_orders[po["number"]] = status
        self.advance("purchase orders in every status")

    def _po_in(self, buyer: dict[str, str], po_id: str, status: str) -> Callable[[], Awaitable[bool]]:
        async def probe() -> bool:
            return bool((await self._call("GET", f"/purchase-orders/{po_id}", buyer))["status"] == status)

        return probe

    async def _rfp(self, buyer: dict[str, str], invited: list[tuple[str, dict[str, str]]]) -> None:
        due = (datetime.now(UTC) + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = {
            "title": f"Fasteners for 2027 ({self.tag})",
            "due_date": due,
            "currency": "EUR",
            "supplier_ids": [supplier_id for supplier_id, _ in invited],
            "lines": [
                {"description": "M8 hex bolts", "quantity": "10000", "unit": "pcs"},
                {"description": "M8 washers", "quantity": "20000", "unit": "pcs"},
            ],
        }
        rfp = await self._call("POST", "/rfps", buyer, expect=201, json=body)
        await self._call("POST", f"/rfps/{rfp['id']}/publish", buyer)
        self.advance("RFP published")
        (_, first_user), (_, second_user) = invited
        offer = [
            {"rfp_line_id": rfp["lines"][0]["id"], "unit_price": "0.12"},
            {"rfp_line_id": rfp["lines"][1]["id"], "unit_price": "0.03"},
        ]
        await self._call("PUT", f"/rfps/{rfp['id']}/proposal", first_user, json={"lines": offer})
        await self._call("POST", f"/rfps/{rfp['id']}/proposal/submit", first_user)
        declined = [{"rfp_line_id": line["id"], "unit_price": None} for line in rfp["lines"]]
        await self._call("PUT", f"/rfps/{rfp['id']}/proposal", second_user, json={"lines": declined})
        await self._call("POST", f"/rfps/{rfp['id']}/proposal/submit", second_user)
        self.tenant.rfps.append(f"{body['title']}: one proposal submitted, one declined")
        self.advance("RFP answered")
