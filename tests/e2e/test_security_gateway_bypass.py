"""Straight to each service's own port, past the gateway: every service checks the token itself.

No token, identity headers a proxy might be trusted for, a token of another issuer, an expired one,
``alg: none``, HS256 keyed with the public key (key confusion) and a wrong audience: all 401.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from shared.auth import Principal
from shared.devstack.stack import Stack
from tests.e2e.attackers import (
    alg_none,
    claims_of,
    expired,
    forged,
    gateway_signed,
    hs256_with_public_key,
    signed_claims,
)
from tests.e2e.conftest import Portal, bearer

# A route of each service that needs a caller (the gateway's own one included).
PROTECTED = {
    "gateway": "/api/v1/users",
    "suppliers": "/api/v1/suppliers",
    "orders": "/api/v1/purchase-orders",
    "invoicing": "/api/v1/invoices",
    "matching": f"/api/v1/matching/verdicts/{uuid.uuid4()}",
    "notifier": "/api/v1/emails",
}


@pytest.mark.parametrize("service", sorted(PROTECTED))
async def test_a_service_reached_directly_accepts_only_the_gateways_tokens(
    service: str, stack: Stack, portal: Portal
) -> None:
    admin = await portal.admin()
    me = (await portal.api.get("/me", headers=admin)).json()
    principal = Principal(
        user_id=uuid.UUID(me["user_id"]), role="buyer_admin", tenant_id=uuid.UUID(me["tenant_id"]), email=me["email"]
    )
    identity_headers = {
        "X-User-Id": me["user_id"],
        "X-Tenant-Id": me["tenant_id"],
        "X-Role": "buyer_admin",
        "X-Supplier-Ids": str(uuid.uuid4()),
        "X-Forwarded-User": me["email"],
        "X-Authenticated-User": me["user_id"],
    }
    attempts = {
        "no token": {},
        "identity headers": identity_headers,
        "identity headers with a forged token": identity_headers | bearer(forged(principal)),
        "a token of another issuer": bearer(gateway_signed(stack, principal, issuer="someone-else")),
        "an expired token": bearer(expired(stack, principal)),
        "alg none": bearer(alg_none(principal)),
        "HS256 keyed with the public key": bearer(hs256_with_public_key(stack, principal)),
        "a wrong audience": bearer(signed_claims(stack, claims_of(principal, aud="someone-else"))),
        "no audience": bearer(signed_claims(stack, {k: v for k, v in claims_of(principal).items() if k != "aud"})),
        "no expiry": bearer(signed_claims(stack, {k: v for k, v in claims_of(principal).items() if k != "exp"})),
        "a forged token": bearer(forged(principal)),
        "not a bearer scheme": {"Authorization": "Basic " + admin["Authorization"].removeprefix("Bearer ")},
        "garbage": bearer("not.a.jwt"),
    }
    async with httpx.AsyncClient(base_url=stack.service_url(service), timeout=10) as direct:
        # The gateway's real token is accepted (so the refusals below are about the token).
        control = await direct.get(PROTECTED[service], headers=admin)
        assert control.status_code in (200, 404), control.text
        wrong = {}
        for what, headers in attempts.items():
            answer = await direct.get(PROTECTED[service], headers=headers)
            if answer.status_code != 401:
                wrong[what] = f"{answer.status_code} {answer.text[:200]}"
        assert not wrong, f"{service} at {stack.service_url(service)} let these through: {wrong}"
