"""Who attacks the portal in the security tests, and the one party (buyer A with supplier S1) they attack.

Tokens are made the way an attacker would try (another key, another issuer, ``alg: none``,
HS256 keyed with the public key, a wrong audience, an expired one, a ``kid`` the services do not
know or none at all) and, for a second buyer organisation, legitimately: signed with the gateway's
own private key for a new tenant. Every token that attacks something else than the key id names
the gateway's real key in its ``kid``, so that it is refused for what it attacks.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from portal_dev.stack import Stack
from shared.auth import AUDIENCE, Principal, TokenIssuer, key_id, load_public_key
from tests.e2e.conftest import Portal

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run"


# A route of each service that needs a caller (the gateway's own one included).
PROTECTED = {
    "gateway": "/api/v1/users",
    "suppliers": "/api/v1/suppliers",
    "orders": "/api/v1/purchase-orders",
    "invoicing": "/api/v1/invoices",
    "matching": f"/api/v1/matching/verdicts/{uuid.uuid4()}",
    "notifier": "/api/v1/emails",
}


# -- tokens ----------------------------------------------------------------------------------
def private_key_pem(stack: Stack) -> str:
    return (stack.config.data_dir / "keys" / "jwt-private.pem").read_text()


def public_key_pem(stack: Stack) -> str:
    return (stack.config.data_dir / "keys" / "jwt-public.pem").read_text()


def real_kid(stack: Stack) -> dict[str, str]:
    """The ``kid`` header of the gateway's key (public knowledge: it is in every token)."""
    return {"kid": key_id(load_public_key(public_key_pem(stack)))}


def gateway_signed(stack: Stack, principal: Principal, *, issuer: str = "supplier-portal", ttl_s: int = 3600) -> str:
    """A token signed with the gateway's own key (a legitimate token, or one of another issuer)."""
    return TokenIssuer(private_key_pem(stack), issuer=issuer, ttl_s=ttl_s).issue(principal)


def forged(principal: Principal) -> str:
    """Signed with an Ed25519 key that is not the gateway's."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return TokenIssuer(pem).issue(principal)


def claims_of(principal: Principal, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": str(principal.user_id),
        "role": principal.role,
        "tenant_id": str(principal.tenant_id) if principal.tenant_id else None,
        "supplier_ids": sorted(str(s) for s in principal.supplier_ids),
        "email": principal.email,
        "iss": "supplier-portal",
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 3600,
        "jti": str(uuid.uuid4()),
    }
    claims.update(overrides)
    return claims


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())


def alg_none(stack: Stack, principal: Principal) -> str:
    return _unsigned({"alg": "none", "typ": "JWT"} | real_kid(stack), claims_of(principal)) + "."


def hs256_with_public_key(stack: Stack, principal: Principal) -> str:
    """The classic key confusion: HMAC keyed with the (public) verification key's PEM."""
    signing_input = _unsigned({"alg": "HS256", "typ": "JWT"} | real_kid(stack), claims_of(principal))
    signature = hmac.new(public_key_pem(stack).encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + _b64(signature)


def signed_claims(stack: Stack, claims: dict[str, Any], *, headers: dict[str, Any] | None = None) -> str:
    """Arbitrary claims signed with the gateway's real key (for a wrong audience and the like),
    under the real ``kid`` unless ``headers`` are given."""
    key = serialization.load_pem_private_key(private_key_pem(stack).encode(), password=None)
    header = real_kid(stack) if headers is None else headers
    return jwt.encode(claims, key, algorithm="EdDSA", headers=header)  # type: ignore[arg-type]


def unknown_kid(stack: Stack, principal: Principal) -> str:
    """Signed with the gateway's real key, but naming a key the services do not know."""
    other = key_id(Ed25519PrivateKey.generate().public_key())
    return signed_claims(stack, claims_of(principal), headers={"kid": other})


def missing_kid(stack: Stack, principal: Principal) -> str:
    """Signed with the gateway's real key, with no ``kid`` in the header."""
    return signed_claims(stack, claims_of(principal), headers={})


def expired(stack: Stack, principal: Principal) -> str:
    past = datetime.now(UTC) - timedelta(hours=2)
    return signed_claims(
        stack, claims_of(principal, iat=int(past.timestamp()), exp=int((past + timedelta(hours=1)).timestamp()))
    )


# -- multipart with a file name exactly as given (NUL bytes, slashes) -------------------------
def raw_multipart(filename: bytes, content_type: str, data: bytes) -> tuple[bytes, dict[str, str]]:
    boundary = "secboundary" + uuid.uuid4().hex
    body = (
        f"--{boundary}\r\n".encode()
        + b'Content-Disposition: form-data; name="file"; filename="'
        + filename
        + b'"\r\n'
        + f"Content-Type: {content_type}\r\n\r\n".encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


# -- party A: a buyer organisation with its supplier S1 and their documents -----------------
@dataclass
class PartyA:
    tag: str
    admin: dict[str, str]
    admin_id: str
    tenant_id: str
    supplier_id: str
    supplier_email: str
    supplier: dict[str, str]
    supplier_user_id: str
    sibling_id: str
    sibling: dict[str, str]
    field_key: str
    order: dict[str, Any]
    order_comment_id: str
    order_attachment_id: str
    invoice: dict[str, Any]
    invoice_comment_id: str
    invoice_attachment_id: str
    rfp: dict[str, Any]
    proposal: dict[str, Any]
    proposal_attachment_id: str
    rfp_document_id: str = ""
    receipt_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def document_ids(self) -> set[str]:
        """What no one outside party A may read: the ids of its documents and its supplier's."""
        return {
            self.supplier_id,
            self.supplier_user_id,
            self.order["id"],
            self.order["number"],
            self.order_comment_id,
            self.order_attachment_id,
            self.invoice["id"],
            self.invoice_comment_id,
            self.invoice_attachment_id,
            self.rfp["id"],
            self.proposal["id"],
            self.proposal_attachment_id,
            self.rfp_document_id,
            self.receipt_id,
            self.field_key,
        }


async def _created(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 201, f"{answer.request.method} {answer.request.url}: {answer.text}"
    result: dict[str, Any] = answer.json()
    return result


async def build_party_a(
    api: httpx.AsyncClient, portal: Portal, *, with_rfp: bool = True, submit_proposal: bool = True
) -> PartyA:
    """Onboard S1 and a sibling S2 of the same buyer, then give S1 a sent PO, an approved invoice,
    comments and attachments on both, a custom field and (optionally) an RFP with a submitted proposal."""
    tag = uuid.uuid4().hex[:8]
    admin = await portal.admin()
    admin_me = (await api.get("/me", headers=admin)).json()
    s1_email, s2_email = f"s1-{tag}@sec.example", f"s2-{tag}@sec.example"
    supplier_id, supplier = await portal.onboard_supplier(admin, name=f"S1 {tag}", email=s1_email)
    sibling_id, sibling = await portal.onboard_supplier(admin, name=f"S2 {tag}", email=s2_email)
    supplier_me = (await api.get("/me", headers=supplier)).json()

    field_key = f"sec{tag}"
    await _created(
        await api.post(
            "/supplier-custom-fields", json={"key": field_key, "label": "Security", "type": "text"}, headers=admin
        )
    )

    order = await portal.create_po(admin, supplier_id, [{"description": "Bolts", "quantity": "10", "unit_price": "5"}])
    await portal.submit_po(admin, order["id"])
    order_comment = await _created(
        await api.post(f"/purchase-orders/{order['id']}/comments", json={"body": "secret"}, headers=supplier)
    )
    order_attachment = await _created(
        await api.post(
            f"/purchase-orders/{order['id']}/attachments",
            files={"file": ("po.pdf", PDF, "application/pdf")},
            headers=supplier,
        )
    )

    receipt = await _created(
        await api.post(
            f"/purchase-orders/{order['id']}/receipts",
            json={
                "received_on": datetime.now(UTC).date().isoformat(),
                "lines": [{"purchase_order_line_id": order["lines"][0]["id"], "quantity": "1"}],
            },
            headers=admin,
        )
    )

    invoice = await portal.create_invoice(
        supplier, {"purchase_order_id": order["id"], "number": f"SEC-{tag}", "issue_date": "2026-11-23"}
    )
    invoice_comment = await _created(
        await api.post(f"/invoices/{invoice['id']}/comments", json={"body": "secret"}, headers=supplier)
    )
    invoice_attachment = await _created(
        await api.post(
            f"/invoices/{invoice['id']}/attachments",
            files={"file": ("inv.pdf", PDF, "application/pdf")},
            headers=supplier,
        )
    )
    submitted = await api.post(f"/invoices/{invoice['id']}/submit", headers=supplier)
    assert submitted.status_code == 202, submitted.text
    invoice = await portal.invoice_in(supplier, invoice["id"], "approved")

    rfp: dict[str, Any] = {"id": str(uuid.uuid4()), "lines": []}
    proposal: dict[str, Any] = {"id": str(uuid.uuid4())}
    proposal_attachment_id = str(uuid.uuid4())
    rfp_document_id = str(uuid.uuid4())
    if with_rfp:
        due = (datetime.now(UTC) + timedelta(days=7)).isoformat()
        body = {
            "title": f"RFP {tag}",
            "due_date": due,
            "currency": "EUR",
            "lines": [{"description": "Nuts", "quantity": "10", "unit": "pcs"}],
            "supplier_ids": [supplier_id],
        }
        rfp = await portal.until_created("/rfps", body, admin, retry_on=422)
        published = await api.post(f"/rfps/{rfp['id']}/publish", headers=admin)
        assert published.status_code == 200, published.text
        rfp = published.json()
        lines = [{"rfp_line_id": line["id"], "unit_price": "1.50"} for line in rfp["lines"]]
        answered = await api.put(f"/rfps/{rfp['id']}/proposal", json={"lines": lines}, headers=supplier)
        assert answered.status_code == 200, answered.text
        proposal_file = await _created(
            await api.post(
                f"/rfps/{rfp['id']}/proposal/attachments",
                files={"file": ("offer.pdf", PDF, "application/pdf")},
                headers=supplier,
            )
        )
        proposal_attachment_id = proposal_file["id"]
        rfp_document = await _created(
            await api.post(
                f"/rfps/{rfp['id']}/attachments",
                files={"file": ("terms.pdf", PDF, "application/pdf")},
                headers=admin,
            )
        )
        rfp_document_id = rfp_document["id"]
        proposal = answered.json()
        if submit_proposal:
            submitted = await api.post(f"/rfps/{rfp['id']}/proposal/submit", headers=supplier)
            assert submitted.status_code == 200, submitted.text
            proposal = submitted.json()

    return PartyA(
        tag=tag,
        admin=admin,
        admin_id=admin_me["user_id"],
        tenant_id=admin_me["tenant_id"],
        supplier_id=supplier_id,
        supplier_email=s1_email,
        supplier=supplier,
        supplier_user_id=supplier_me["user_id"],
        sibling_id=sibling_id,
        sibling=sibling,
        field_key=field_key,
        order=order,
        order_comment_id=order_comment["id"],
        order_attachment_id=order_attachment["id"],
        invoice=invoice,
        invoice_comment_id=invoice_comment["id"],
        invoice_attachment_id=invoice_attachment["id"],
        rfp=rfp,
        proposal=proposal,
        proposal_attachment_id=proposal_attachment_id,
        rfp_document_id=rfp_document_id,
        receipt_id=receipt["id"],
    )
