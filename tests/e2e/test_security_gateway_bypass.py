"""Straight to each service's own port, past the gateway, and through the gateway: every service
checks the token itself.

No token, identity headers a proxy might be trusted for, a token of another issuer, an expired one,
``alg: none``, HS256 keyed with the public key (key confusion), a wrong audience, and a token of the
gateway's own key whose header names an unknown key or no key (``kid``): all 401.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from portal_dev.stack import Stack
from shared.auth import Principal
from tests.e2e.attackers import (
    PROTECTED,
    alg_none,
    claims_of,
    expired,
    forged,
    gateway_signed,
    hs256_with_public_key,
    missing_kid,
    signed_claims,
    unknown_kid,
)
from tests.e2e.conftest import Portal, bearer


async def attacks(stack: Stack, portal: Portal) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """The admin's real headers, and every way of passing for the admin without them."""
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
        "alg none": bearer(alg_none(stack, principal)),
        "HS256 keyed with the public key": bearer(hs256_with_public_key(stack, principal)),
        "a wrong audience": bearer(signed_claims(stack, claims_of(principal, aud="someone-else"))),
        "no audience": bearer(signed_claims(stack, {k: v for k, v in claims_of(principal).items() if k != "aud"})),
        "no expiry": bearer(signed_claims(stack, {k: v for k, v in claims_of(principal).items() if k != "exp"})),
        "a forged token": bearer(forged(principal)),
        "the gateway's key under an unknown kid": bearer(unknown_kid(stack, principal)),
        "the gateway's key with no kid": bearer(missing_kid(stack, principal)),
        "not a bearer scheme": {"Authorization": "Basic " + admin["Authorization"].removeprefix("Bearer ")},
        "garbage": bearer("not.a.jwt"),
    }
    return admin, attempts


async def let_through(client: httpx.AsyncClient, path: str, admin: dict[str, str], attempts: dict) -> dict[str, str]:
    """The attempts that did not get a 401 problem answer at ``path``."""
    # The gateway's real token is accepted (so the refusals below are about the token).
    control = await client.get(path, headers=admin)
    assert control.status_code in (200, 404), control.text
    wrong = {}
    for what, headers in attempts.items():
        answer = await client.get(path, headers=headers)
        if answer.status_code != 401 or answer.headers["content-type"] != "application/problem+json":
            wrong[what] = f"{answer.status_code} {answer.text[:200]}"
    return wrong


@pytest.mark.parametrize("service", sorted(PROTECTED))
async def test_a_service_reached_directly_accepts_only_the_gateways_tokens(
    service: str, stack: Stack, portal: Portal
) -> None:
    admin, attempts = await attacks(stack, portal)
    async with httpx.AsyncClient(base_url=stack.service_url(service), timeout=10) as direct:
        wrong = await let_through(direct, PROTECTED[service], admin, attempts)
    assert not wrong, f"{service} at {stack.service_url(service)} let these through: {wrong}"


async def test_through_the_gateway_every_service_accepts_only_the_gateways_tokens(stack: Stack, portal: Portal) -> None:
    admin, attempts = await attacks(stack, portal)
    async with httpx.AsyncClient(base_url=stack.config.gateway_url, timeout=10) as through:
        wrong = {service: await let_through(through, path, admin, attempts) for service, path in PROTECTED.items()}
    assert not any(wrong.values()), f"through the gateway, these got through: {wrong}"
