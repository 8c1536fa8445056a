"""The authorisation matrix: every route of the gateway's OpenAPI document, called by everyone who
must not reach party A's documents, with every path parameter filled with party A's real ids.

Anonymous and forged callers get 401. A buyer of another organisation, a supplier user of another
supplier of the same buyer and a supplier of another organisation get 401/403/404 and never a 2xx
carrying party A's data, never a 5xx. Another party's document answers 404; a supplier calling a
buyer-only action on its own document gets 403. A route the table does not know fails the test, so
a new route cannot slip past the matrix.

Roles within party A are rows of the matrix too: a buyer user of A's organisation (a colleague who
raised none of its orders) is refused with 403 what is the buyer admin's (people, settings, payments)
or the order's initiator's and the admin's (editing, sending, canceling, closing an order). Where only
some fields of an operation need the admin (a supplier's tolerance and payment terms, the
organisation's matching and payment defaults), ``ROLE_RULES`` names each; there the buyer user is
refused naming what needs the admin, and the admin is allowed.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from portal_dev.stack import Stack
from shared.auth import Principal
from tests.e2e.attackers import (
    PDF,
    PartyA,
    build_party_a,
    forged,
)
from tests.e2e.conftest import Portal, bearer

PUBLIC = {
    ("POST", "/api/v1/auth/token"),
    ("POST", "/api/v1/auth/password-reset"),
    ("POST", "/api/v1/auth/password-reset/{token}"),
    ("POST", "/api/v1/auth/email-change/{token}"),
    ("POST", "/api/v1/auth/invitations/{token}/accept"),
    ("GET", "/api/v1/health"),
}

# Roles. "own" is S1's own user, tried only on buyer-only actions on its own documents; "colleague"
# is a buyer user of party A's organisation, tried only where a route names what it gets.
ANON, FORGED, OTHER_BUYER, SIBLING, FOREIGN_SUPPLIER, OWN, COLLEAGUE = (
    "anonymous",
    "forged token",
    "buyer of another organisation",
    "supplier user of another supplier of the same buyer",
    "supplier of another organisation",
    "S1's own supplier user",
    "buyer user of party A's organisation, not the order's initiator",
)
OUTSIDERS = (OTHER_BUYER, SIBLING, FOREIGN_SUPPLIER)
SUPPLIERS = (SIBLING, FOREIGN_SUPPLIER)

OK = "2xx without party A's data"  # allowed for the caller's own scope (lists, summaries, own creations)


@dataclass
class Route:
    """What each outsider may get. ``expect`` maps a role to the statuses allowed (``OK`` included
    where the route answers in the caller's own scope); roles not named get ``default``."""

    expect: dict[str, set[int | str]] = field(default_factory=dict)
    default: set[int | str] = field(default_factory=lambda: {404})
    body: Any = None  # a dict (JSON), "file" (multipart) or a callable of the party
    params: Any = None  # query parameters, or a callable of the party

    def allowed(self, role: str) -> set[int | str] | None:
        if role in (ANON, FORGED):
            return {401}
        if role in (OWN, COLLEAGUE):
            return self.expect.get(role)
        return self.expect.get(role, self.default)


def scoped(**extra: Any) -> Route:
    """A route in the caller's own scope: a list, a summary, a creation in its own organisation."""
    return Route(default={OK, 403, 404}, **extra)


def buyer_only(**extra: Any) -> Route:
    """A buyer's action on party A's document: another buyer gets 404, suppliers 403 or 404,
    S1 itself 403."""
    return Route(expect={OTHER_BUYER: {404}, SIBLING: {403, 404}, FOREIGN_SUPPLIER: {403, 404}, OWN: {403}}, **extra)


def needs_admin(route: Route) -> Route:
    """``route`` as the buyer admin's (or the order's initiator's and the admin's): party A's buyer
    user gets 403."""
    route.expect[COLLEAGUE] = {403}
    return route


def supplier_only(**extra: Any) -> Route:
    """A supplier's action on S1's document: a buyer gets 403 or 404, other suppliers 404."""
    return Route(expect={OTHER_BUYER: {403, 404}}, **extra)


def proposal_side(**extra: Any) -> Route:
    """The supplier's own proposal, with ``?supplier_id=S1`` to claim S1's."""
    return Route(default={403, 404}, params=lambda a: {"supplier_id": a.supplier_id}, **extra)


def new_order(a: PartyA) -> dict[str, Any]:
    return {
        "supplier_id": a.supplier_id,
        "currency": "EUR",
        "delivery_date": "2027-06-15",
        "lines": [{"description": "X", "quantity": "1", "unit_price": "1"}],
    }


def new_receipt(a: PartyA) -> dict[str, Any]:
    return {
        "received_on": "2026-11-23",
        "lines": [{"purchase_order_line_id": a.order["lines"][0]["id"], "quantity": "1"}],
    }


def new_rfp(a: PartyA) -> dict[str, Any]:
    return {
        "title": "Steal",
        "due_date": "2030-01-01T00:00:00Z",
        "lines": [{"description": "X", "quantity": "1"}],
        "supplier_ids": [a.supplier_id],
    }


def proposal_answer(a: PartyA) -> dict[str, Any]:
    return {"lines": [{"rfp_line_id": line["id"], "unit_price": "0.01"} for line in a.rfp["lines"]]}


COMMENT = {"body": "let me in"}
V1 = "/api/v1"

ROUTES: dict[tuple[str, str], Route] = {
    # gateway: identity and the organisation
    ("GET", "/me"): scoped(),
    # Switching to party A's supplier record: a buyer is refused, any other supplier user finds none.
    ("POST", "/auth/switch"): Route(
        body=lambda a: {"supplier_id": a.supplier_id},
        # (the foreign supplier is a signed token of a user the gateway does not have: 401)
        expect={OTHER_BUYER: {403}, SIBLING: {404}, FOREIGN_SUPPLIER: {401, 404}},
    ),
    ("POST", "/users"): needs_admin(
        scoped(
            body=lambda a: {
                "email": f"x-{uuid.uuid4().hex[:6]}@x.example",
                "name": "X",
                "password": "x" * 12,
                "role": "buyer_user",
            },
            expect={SIBLING: {403}, FOREIGN_SUPPLIER: {403}},
        )
    ),
    ("GET", "/users"): needs_admin(scoped(expect={SIBLING: {403}, FOREIGN_SUPPLIER: {403}})),
    ("GET", "/settings"): scoped(),
    ("PATCH", "/settings"): needs_admin(
        scoped(body={"invoice_issue_date_required": True}, expect={SIBLING: {403}, FOREIGN_SUPPLIER: {403}})
    ),
    ("GET", "/portal/summary"): scoped(),
    # accounts: one's own session and password (a wrong current password changes nothing)
    ("POST", "/auth/logout"): scoped(),
    ("POST", "/me/password"): Route(
        default={422}, body={"current_password": "not-the-password", "new_password": "another-password"}
    ),
    ("POST", "/me/email"): Route(default={422}, body={"email": "new@x.example", "password": "not-the-password"}),
    # party A's admin ({user_id}) switched off or on by outsiders
    ("POST", "/users/{user_id}/disable"): needs_admin(buyer_only()),
    ("POST", "/users/{user_id}/enable"): needs_admin(buyer_only()),
    # a supplier's colleagues: S1's user ({user_id}) is nobody else's colleague; S1 cannot switch itself off
    ("GET", "/portal/users"): scoped(expect={OTHER_BUYER: {403}}),
    ("POST", "/portal/users"): scoped(
        body=lambda a: {"email": f"c-{uuid.uuid4().hex[:6]}@x.example", "name": "C"}, expect={OTHER_BUYER: {403}}
    ),
    ("POST", "/portal/users/{user_id}/disable"): Route(expect={OTHER_BUYER: {403}, OWN: {409}}),
    ("POST", "/portal/users/{user_id}/enable"): Route(expect={OTHER_BUYER: {403}, OWN: {409}}),
    ("POST", "/suppliers/{supplier_id}/portal/invite"): buyer_only(),
    # suppliers
    ("POST", "/suppliers"): scoped(
        body={"name": "Mine", "email": "mine@x.example", "currency": "EUR"},
        expect={SIBLING: {403}, FOREIGN_SUPPLIER: {403}},
    ),
    ("GET", "/suppliers"): scoped(),
    ("GET", "/suppliers/{supplier_id}"): Route(expect={SIBLING: {403, 404}, FOREIGN_SUPPLIER: {403, 404}}),
    ("PATCH", "/suppliers/{supplier_id}"): buyer_only(body={"name": "Hijacked"}),
    ("POST", "/suppliers/{supplier_id}/portal/activate"): buyer_only(),
    ("POST", "/suppliers/{supplier_id}/portal/deactivate"): buyer_only(),
    ("GET", "/portal/profiles"): scoped(),
    ("GET", "/portal/profiles/{supplier_id}"): supplier_only(),
    ("PATCH", "/portal/profiles/{supplier_id}"): supplier_only(body={"phone": "+1 666"}),
    ("POST", "/supplier-custom-fields"): scoped(
        body=lambda a: {"key": f"x{uuid.uuid4().hex[:6]}", "label": "X", "type": "text"},
        expect={SIBLING: {403}, FOREIGN_SUPPLIER: {403}},
    ),
    ("GET", "/supplier-custom-fields"): scoped(),
    ("PATCH", "/supplier-custom-fields/{key}"): buyer_only(body={"label": "Hijacked"}),
    # purchase orders
    ("POST", "/purchase-orders"): Route(
        body=new_order, expect={OTHER_BUYER: {404, 422}, SIBLING: {403}, FOREIGN_SUPPLIER: {403}, OWN: {403}}
    ),
    ("GET", "/purchase-orders"): scoped(params=lambda a: {"supplier_id": a.supplier_id}),
    ("GET", "/purchase-orders/summary"): scoped(),
    ("GET", "/purchase-orders/{order_id}"): Route(),
    ("PATCH", "/purchase-orders/{order_id}"): needs_admin(buyer_only(body={"delivery_date": "2028-01-01"})),
    ("POST", "/purchase-orders/{order_id}/submit"): needs_admin(buyer_only()),
    ("POST", "/purchase-orders/{order_id}/acknowledge"): supplier_only(),
    ("POST", "/purchase-orders/{order_id}/cancel"): needs_admin(buyer_only()),
    ("POST", "/purchase-orders/{order_id}/close"): needs_admin(buyer_only()),
    ("GET", "/purchase-orders/{order_id}/export"): Route(params={"format": "pdf"}),
    ("GET", "/purchase-orders/{order_id}/comments"): Route(),
    ("POST", "/purchase-orders/{order_id}/comments"): Route(body=COMMENT),
    ("GET", "/purchase-orders/{order_id}/attachments"): Route(),
    ("POST", "/purchase-orders/{order_id}/attachments"): Route(body="file"),
    ("GET", "/purchase-orders/{order_id}/attachments/{attachment_id}"): Route(),
    ("GET", "/purchase-orders/{order_id}/receipts"): Route(),
    ("POST", "/purchase-orders/{order_id}/receipts"): buyer_only(body=new_receipt),
    ("POST", "/purchase-orders/{order_id}/receipts/{receipt_id}/reverse"): buyer_only(),
    # requests for proposals
    ("POST", "/rfps"): Route(
        body=new_rfp, expect={OTHER_BUYER: {404, 422}, SIBLING: {403}, FOREIGN_SUPPLIER: {403}, OWN: {403}}
    ),
    ("GET", "/rfps"): scoped(),
    ("GET", "/rfps/summary"): scoped(),
    ("GET", "/rfps/{rfp_id}"): Route(
        params=lambda a: {"supplier_id": a.supplier_id}, expect={SIBLING: {403, 404}, FOREIGN_SUPPLIER: {403, 404}}
    ),
    ("PATCH", "/rfps/{rfp_id}"): buyer_only(body={"title": "Hijacked"}),
    ("POST", "/rfps/{rfp_id}/publish"): buyer_only(),
    ("POST", "/rfps/{rfp_id}/award"): buyer_only(body=lambda a: {"proposal_id": a.proposal["id"]}),
    ("GET", "/rfps/{rfp_id}/proposals"): buyer_only(),
    ("GET", "/rfps/{rfp_id}/proposals/{proposal_id}/attachments"): buyer_only(),
    ("GET", "/rfps/{rfp_id}/proposals/{proposal_id}/attachments/{attachment_id}"): buyer_only(),
    ("GET", "/rfps/{rfp_id}/proposal"): proposal_side(),
    ("PUT", "/rfps/{rfp_id}/proposal"): proposal_side(body=proposal_answer),
    ("POST", "/rfps/{rfp_id}/proposal/submit"): proposal_side(),
    ("GET", "/rfps/{rfp_id}/proposal/attachments"): proposal_side(),
    ("POST", "/rfps/{rfp_id}/proposal/attachments"): proposal_side(body="file"),
    ("GET", "/rfps/{rfp_id}/proposal/attachments/{attachment_id}"): proposal_side(),
    # the buyer's documents on the request: its invited suppliers read them, only the buyer attaches
    ("GET", "/rfps/{rfp_id}/attachments"): Route(),
    ("POST", "/rfps/{rfp_id}/attachments"): buyer_only(body="file"),
    ("GET", "/rfps/{rfp_id}/attachments/{attachment_id}"): Route(),
    # invoices
    ("POST", "/invoices"): Route(
        body=lambda a: {"purchase_order_id": a.order["id"], "number": "STEAL-1", "issue_date": "2026-11-23"},
        expect={OTHER_BUYER: {403, 404}},
    ),
    ("GET", "/invoices"): scoped(params=lambda a: {"purchase_order_id": a.order["id"]}),
    ("GET", "/invoices/summary"): scoped(),
    ("GET", "/invoices/{invoice_id}"): Route(),
    ("PATCH", "/invoices/{invoice_id}"): supplier_only(body={"number": "HIJACK-1"}),
    ("POST", "/invoices/{invoice_id}/submit"): supplier_only(),
    ("POST", "/invoices/{invoice_id}/approve"): buyer_only(),
    ("POST", "/invoices/{invoice_id}/reject"): buyer_only(body={"reason": "because"}),
    ("POST", "/invoices/{invoice_id}/cancel"): Route(expect={OTHER_BUYER: {403, 404}}),
    ("POST", "/invoices/{invoice_id}/payments"): needs_admin(buyer_only(body={"amount": "1.00"})),
    ("GET", "/invoices/{invoice_id}/export"): Route(params={"format": "pdf"}),
    ("GET", "/invoices/{invoice_id}/comments"): Route(),
    ("POST", "/invoices/{invoice_id}/comments"): Route(body=COMMENT),
    ("GET", "/invoices/{invoice_id}/attachments"): Route(),
    ("POST", "/invoices/{invoice_id}/attachments"): Route(body="file"),
    ("GET", "/invoices/{invoice_id}/attachments/{attachment_id}"): Route(),
    # matching and the email audit
    ("GET", "/matching/verdicts/{invoice_id}"): Route(expect={SIBLING: {403, 404}, FOREIGN_SUPPLIER: {403, 404}}),
    ("GET", "/emails"): needs_admin(scoped(expect={SIBLING: {403}, FOREIGN_SUPPLIER: {403}})),
}


def fill(path: str, a: PartyA) -> str:
    """Every path parameter with party A's real id; an unknown parameter fails loudly."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "attachment_id":
            if path.startswith("/purchase-orders/"):
                return a.order_attachment_id
            if path.startswith("/invoices/"):
                return a.invoice_attachment_id
            if path.startswith("/rfps/{rfp_id}/attachments/"):
                return a.rfp_document_id
            if path.startswith("/rfps/"):
                return a.proposal_attachment_id
        if name == "user_id":
            return a.supplier_user_id if path.startswith("/portal/") else a.admin_id
        ids = {
            "supplier_id": a.supplier_id,
            "key": a.field_key,
            "order_id": a.order["id"],
            "rfp_id": a.rfp["id"],
            "proposal_id": a.proposal["id"],
            "invoice_id": a.invoice["id"],
            "receipt_id": a.receipt_id,
        }
        if name not in ids:
            raise AssertionError(f"the security matrix does not know how to fill {{{name}}} in {path}")
        return ids[name]

    return re.sub(r"\{([^}]+)\}", value, path)


async def call(api: httpx.AsyncClient, method: str, path: str, route: Route, a: PartyA, who: dict[str, str]) -> Any:
    kwargs: dict[str, Any] = {"headers": dict(who)}
    params = route.params(a) if callable(route.params) else route.params
    if params:
        kwargs["params"] = params
    body = route.body(a) if callable(route.body) else route.body
    if body == "file":
        kwargs["files"] = {"file": ("evil.pdf", PDF, "application/pdf")}
    elif body is not None:
        kwargs["json"] = body
    return await api.request(method, fill(path, a), **kwargs)


# Run after everything else, and after party A's snapshot: signing out ends the callers' tokens.
SESSION_ENDING = {("POST", "/auth/logout")}


async def outsiders(portal: Portal, new_organisation: Any) -> tuple[dict[str, str], dict[str, str]]:
    """A buyer admin of a second organisation, and a supplier user of that organisation's supplier:
    real accounts (the gateway refuses a token of a user it does not have before any service sees it)."""
    other = await new_organisation()
    other_admin = await portal.sign_in(other.admin_email, other.admin_password)
    tag = uuid.uuid4().hex[:8]
    _, foreign_supplier = await portal.onboard_supplier(
        other_admin, name=f"Foreign {tag}", email=f"foreign-{tag}@other-supplier.example"
    )
    return other_admin, foreign_supplier


async def buyer_user(portal: Portal, admin: dict[str, str]) -> dict[str, str]:
    """A new buyer user of the admin's organisation, signed in."""
    email, password = f"clerk-{uuid.uuid4().hex[:8]}@buyer.example", "clerk-password-123"
    body = {"email": email, "name": "Clerk", "password": password, "role": "buyer_user"}
    created = await portal.api.post("/users", json=body, headers=admin)
    assert created.status_code == 201, created.text
    return await portal.sign_in(email, password)


async def test_every_route_refuses_everyone_but_its_party(
    api: httpx.AsyncClient, portal: Portal, stack: Stack, new_organisation: Any
) -> None:
    spec = (await api.get("/openapi.json")).json()
    operations = [
        (method.upper(), path)
        for path, item in spec["paths"].items()
        if path.startswith(V1)
        for method in item
        if method.upper() in ("GET", "POST", "PUT", "PATCH", "DELETE") and (method.upper(), path) not in PUBLIC
    ]
    unknown = sorted(f"{m} {p}" for m, p in operations if (m, p.removeprefix(V1)) not in ROUTES)
    assert not unknown, (
        "routes in the gateway's OpenAPI that the security matrix does not cover (add them to ROUTES "
        f"in {__name__} with who may call them): {unknown}"
    )
    stale = sorted(f"{m} {V1}{p}" for m, p in ROUTES if (m, V1 + p) not in operations)
    assert not stale, f"routes in the security matrix that the OpenAPI no longer has: {stale}"
    assert len(operations) >= 60, operations

    a = await build_party_a(api, portal)
    other_buyer, foreign_supplier = await outsiders(portal, new_organisation)
    colleague = await buyer_user(portal, a.admin)
    admin_principal = Principal(user_id=uuid.UUID(a.admin_id), role="buyer_admin", tenant_id=uuid.UUID(a.tenant_id))
    callers = {
        ANON: {},
        FORGED: bearer(forged(admin_principal)),
        OTHER_BUYER: other_buyer,
        SIBLING: a.sibling,
        FOREIGN_SUPPLIER: foreign_supplier,
        OWN: a.supplier,
        COLLEAGUE: colleague,
    }
    secrets = a.document_ids()
    # Outside the organisation also its tenant id and its admin are party A's.
    foreign_secrets = secrets | {a.tenant_id, a.admin_id}
    before = await snapshot(api, a)

    limit = asyncio.Semaphore(16)

    async def check(method: str, path: str, role: str) -> str | None:
        route = ROUTES[(method, path)]
        allowed = route.allowed(role)
        if allowed is None:
            return None
        async with limit:
            answer = await call(api, method, path, route, a, callers[role])
        where = f"{method} {V1}{path} as {role}: {answer.status_code}"
        status = answer.status_code
        if status >= 500:
            return f"{where} (a server error) {answer.text[:300]}"
        if 200 <= status < 300:
            if OK not in allowed:
                return f"{where}, expected {sorted(s for s in allowed if isinstance(s, int))}: {answer.text[:300]}"
            leaked = sorted(s for s in (secrets if role == SIBLING else foreign_secrets) if s in answer.text)
            if leaked:
                return f"{where} carries party A's {leaked}: {answer.text[:300]}"
            return None
        if status not in allowed:
            return f"{where}, expected {sorted(s for s in allowed if isinstance(s, int))}: {answer.text[:300]}"
        return None

    routes = [(m, p.removeprefix(V1)) for m, p in operations]
    results = await asyncio.gather(
        *(check(m, p, role) for m, p in routes if (m, p) not in SESSION_ENDING for role in callers)
    )
    # And nothing of party A changed.
    assert await snapshot(api, a) == before
    for m, p in sorted(SESSION_ENDING):
        results += [await check(m, p, role) for role in callers]
    failures = [r for r in results if r]
    assert not failures, f"{len(failures)} authorisation failures:\n" + "\n".join(failures)


async def snapshot(api: httpx.AsyncClient, a: PartyA) -> dict[str, Any]:
    async def get(path: str, who: dict[str, str], keys: tuple[str, ...]) -> dict[str, Any]:
        answer = await api.get(path, headers=who)
        assert answer.status_code == 200, f"GET {path}: {answer.text}"
        body = answer.json()
        return {k: body.get(k) for k in keys}

    supplier_fields = (
        "name",
        "phone",
        "portal_status",
        "email",
        "tolerance_rate",
        "tolerance_amount",
        "payment_terms_days",
    )
    supplier = await get(f"/suppliers/{a.supplier_id}", a.admin, supplier_fields)
    order = await get(f"/purchase-orders/{a.order['id']}", a.admin, ("status", "delivery_date", "net_total"))
    invoice = await get(f"/invoices/{a.invoice['id']}", a.admin, ("status", "number", "paid_total", "approver_id"))
    rfp = await get(f"/rfps/{a.rfp['id']}", a.admin, ("status", "title"))
    proposal = await get(f"/rfps/{a.rfp['id']}/proposal", a.supplier, ("status", "lines"))
    settings = await get("/settings", a.admin, ("invoice_issue_date_required", "supplier_portal_enabled", *DEFAULTS))
    comments = len((await api.get(f"/purchase-orders/{a.order['id']}/comments", headers=a.admin)).json()["items"])
    files = len((await api.get(f"/invoices/{a.invoice['id']}/attachments", headers=a.admin)).json()["items"])
    fields = (await api.get("/supplier-custom-fields", headers=a.admin)).json()
    return {
        "supplier": supplier,
        "order": order,
        "invoice": invoice,
        "rfp": rfp,
        "proposal": proposal,
        "settings": settings,
        "order comments": comments,
        "invoice attachments": files,
        "fields": fields,
    }


# -- roles within the organisation: what needs the buyer admin, field by field ------------------

DEFAULTS = ("default_tolerance_rate", "default_tolerance_amount", "three_way_matching", "default_payment_terms_days")


@dataclass
class Organisation:
    """A buyer organisation of its own (its settings change here) with its admin, a buyer user, a
    supplier, a draft order the admin raised and an approved invoice to pay."""

    admin: dict[str, str]
    colleague: dict[str, str]
    supplier_id: str
    draft_id: str
    invoice_id: str


@dataclass
class RoleRule:
    """One operation (or one field of it) that is the buyer admin's: ``body`` of the organisation."""

    method: str
    path: str
    body: Any = None
    needs: str = "a buyer admin"

    def filled(self, o: Organisation) -> tuple[str, Any]:
        path = self.path.format(supplier_id=o.supplier_id, order_id=o.draft_id, invoice_id=o.invoice_id)
        return path, self.body(o) if callable(self.body) else self.body


def new_supplier(**terms: Any) -> Callable[[Organisation], dict[str, Any]]:
    def body(_: Organisation) -> dict[str, Any]:
        tag = uuid.uuid4().hex[:8]
        return {"name": f"Termed {tag}", "email": f"termed-{tag}@x.example", "currency": "EUR", **terms}

    return body


ROLE_RULES: list[RoleRule] = [
    # a supplier's tolerance and payment terms: set on a new supplier or changed on one
    *(
        RoleRule("POST", "/suppliers", new_supplier(**{name: value}))
        for name, value in (("tolerance_rate", "7"), ("tolerance_amount", "50.00"), ("payment_terms_days", 45))
    ),
    *(
        RoleRule("PATCH", "/suppliers/{supplier_id}", {name: value})
        for name, value in (("tolerance_rate", "7"), ("tolerance_amount", "50.00"), ("payment_terms_days", 45))
    ),
    # the organisation's defaults
    RoleRule("PATCH", "/settings", {"default_tolerance_rate": "3"}),
    RoleRule("PATCH", "/settings", {"default_tolerance_amount": "20.00"}),
    RoleRule("PATCH", "/settings", {"three_way_matching": True}),
    RoleRule("PATCH", "/settings", {"default_payment_terms_days": 14}),
    # payments, and sending an order another person raised
    RoleRule("POST", "/invoices/{invoice_id}/payments", {"amount": "1.00"}),
    RoleRule("POST", "/purchase-orders/{order_id}/submit", needs="the order's initiator or a buyer admin"),
]


async def role_organisation(portal: Portal, new_organisation: Any) -> Organisation:
    created = await new_organisation()
    admin = await portal.sign_in(created.admin_email, created.admin_password)
    tag = uuid.uuid4().hex[:8]
    supplier_id, supplier = await portal.onboard_supplier(admin, name=f"Roles {tag}", email=f"roles-{tag}@x.example")
    lines = [{"description": "Rivets", "quantity": "10", "unit_price": "2.00"}]
    sent = await portal.create_po(admin, supplier_id, lines)
    await portal.submit_po(admin, sent["id"])
    draft = await portal.create_po(admin, supplier_id, lines)
    invoice = await portal.create_invoice(
        supplier, {"purchase_order_id": sent["id"], "number": f"ROLE-{tag}", "issue_date": "2026-11-23"}
    )
    assert (await portal.api.post(f"/invoices/{invoice['id']}/submit", headers=supplier)).status_code == 202
    await portal.invoice_in(admin, invoice["id"], "approved")
    colleague = await buyer_user(portal, admin)
    return Organisation(admin, colleague, supplier_id, draft["id"], invoice["id"])


async def test_what_needs_the_buyer_admin_is_refused_to_a_buyer_user_and_done_by_the_admin(
    api: httpx.AsyncClient, portal: Portal, new_organisation: Any
) -> None:
    spec = (await api.get("/openapi.json")).json()
    operations = {(method.upper(), path) for path, item in spec["paths"].items() for method in item}
    stale = sorted({f"{r.method} {r.path}" for r in ROLE_RULES if (r.method, V1 + r.path) not in operations})
    assert not stale, f"role rules for operations the OpenAPI no longer has: {stale}"
    # Every role rule of the matrix is one of a route the matrix refuses the buyer user as a whole,
    # or one of the field rules here.
    whole = {key for key, route in ROUTES.items() if route.expect.get(COLLEAGUE) == {403}}
    assert {("POST", "/invoices/{invoice_id}/payments"), ("POST", "/purchase-orders/{order_id}/submit")} <= whole

    o = await role_organisation(portal, new_organisation)
    settings_before = (await api.get("/settings", headers=o.admin)).json()
    supplier_before = (await api.get(f"/suppliers/{o.supplier_id}", headers=o.admin)).json()
    failures = []
    for rule in ROLE_RULES:
        path, body = rule.filled(o)
        refused = await api.request(rule.method, path, json=body, headers=o.colleague)
        where = f"{rule.method} {V1}{path} {body} as a buyer user: {refused.status_code}"
        if refused.status_code != 403 or refused.headers.get("content-type") != "application/problem+json":
            failures.append(f"{where}, expected 403 problem details: {refused.text[:300]}")
        elif rule.needs not in refused.json()["detail"]:
            failures.append(f"{where} does not say it needs {rule.needs}: {refused.text[:300]}")
        elif (
            body
            and rule.path.startswith("/suppliers")
            and {e["field"] for e in refused.json()["errors"]}
            != (set(body) & {"tolerance_rate", "tolerance_amount", "payment_terms_days"})
        ):
            failures.append(f"{where} names other fields: {refused.text[:300]}")
    assert not failures, f"{len(failures)} buyer user refusals missing:\n" + "\n".join(failures)
    # Nothing the buyer user sent changed anything.
    assert (await api.get("/settings", headers=o.admin)).json() == settings_before
    assert (await api.get(f"/suppliers/{o.supplier_id}", headers=o.admin)).json() == supplier_before
    invoice = (await api.get(f"/invoices/{o.invoice_id}", headers=o.admin)).json()
    order = (await api.get(f"/purchase-orders/{o.draft_id}", headers=o.admin)).json()
    assert (invoice["status"], invoice["payments"], order["status"]) == ("approved", [], "draft")

    for rule in ROLE_RULES:
        path, body = rule.filled(o)
        allowed = await api.request(rule.method, path, json=body, headers=o.admin)
        where = f"{rule.method} {V1}{path} {body} as the buyer admin: {allowed.status_code}"
        if not 200 <= allowed.status_code < 300:
            failures.append(f"{where}: {allowed.text[:300]}")
    assert not failures, f"{len(failures)} admin actions refused:\n" + "\n".join(failures)
    supplier = (await api.get(f"/suppliers/{o.supplier_id}", headers=o.admin)).json()
    assert (Decimal(supplier["tolerance_rate"]), supplier["tolerance_amount"], supplier["payment_terms_days"]) == (
        7,
        "50.00",
        45,
    )
    settings = (await api.get("/settings", headers=o.admin)).json()
    assert (Decimal(settings["default_tolerance_rate"]), *(settings[name] for name in DEFAULTS[1:])) == (
        3,
        "20.00",
        True,
        14,
    )
    invoice = (await api.get(f"/invoices/{o.invoice_id}", headers=o.admin)).json()
    assert (invoice["status"], invoice["paid_total"]) == ("partly_paid", "1.00")
