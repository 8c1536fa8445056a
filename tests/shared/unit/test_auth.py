"""Tokens: signed by the gateway's private key, verified with the public key, scoped by role."""

import uuid
from pathlib import Path

import jwt
import pytest

from shared.auth import Principal, TokenIssuer, TokenVerifier, ensure_keypair
from shared.errors import Forbidden, NotFound, Unauthorized


@pytest.fixture
def keys(tmp_path: Path) -> tuple[TokenIssuer, TokenVerifier]:
    private, public = ensure_keypair(tmp_path)
    return TokenIssuer(private.read_text()), TokenVerifier(public.read_text())


def test_a_token_round_trips_the_principal(keys: tuple[TokenIssuer, TokenVerifier]) -> None:
    issuer, verifier = keys
    principal = Principal(user_id=uuid.uuid4(), role="supplier", supplier_ids=frozenset({uuid.uuid4()}))
    assert verifier.verify(issuer.issue(principal)) == principal


def test_a_token_signed_by_another_key_is_refused(keys: tuple[TokenIssuer, TokenVerifier], tmp_path: Path) -> None:
    _, verifier = keys
    other_private, _ = ensure_keypair(tmp_path / "other")
    forged = TokenIssuer(other_private.read_text()).issue(Principal(user_id=uuid.uuid4(), role="buyer_admin"))
    with pytest.raises(Unauthorized):
        verifier.verify(forged)


def test_an_unsigned_or_hmac_token_is_refused(keys: tuple[TokenIssuer, TokenVerifier]) -> None:
    _, verifier = keys
    claims = {
        "sub": str(uuid.uuid4()),
        "role": "buyer_admin",
        "exp": 9999999999,
        "iss": "supplier-portal",
        "aud": "supplier-portal",
    }
    for token in (jwt.encode(claims, "secret", algorithm="HS256"), jwt.encode(claims, None, algorithm="none")):
        with pytest.raises(Unauthorized):
            verifier.verify(token)


def test_an_expired_token_is_refused(tmp_path: Path) -> None:
    private, public = ensure_keypair(tmp_path)
    token = TokenIssuer(private.read_text(), ttl_s=-10).issue(Principal(user_id=uuid.uuid4(), role="buyer_user"))
    with pytest.raises(Unauthorized, match="expired"):
        TokenVerifier(public.read_text()).verify(token)


def test_scoping_hides_other_parties_documents_as_not_found() -> None:
    tenant, supplier = uuid.uuid4(), uuid.uuid4()
    buyer = Principal(user_id=uuid.uuid4(), role="buyer_user", tenant_id=tenant)
    supplier_user = Principal(user_id=uuid.uuid4(), role="supplier", supplier_ids=frozenset({supplier}))
    buyer.ensure_can_see("PO", tenant_id=tenant, supplier_id=uuid.uuid4())
    supplier_user.ensure_can_see("PO", tenant_id=uuid.uuid4(), supplier_id=supplier)
    with pytest.raises(NotFound):
        buyer.ensure_can_see("PO", tenant_id=uuid.uuid4(), supplier_id=supplier)
    with pytest.raises(NotFound):
        supplier_user.ensure_can_see("PO", tenant_id=tenant, supplier_id=uuid.uuid4())
    with pytest.raises(Forbidden):
        supplier_user.require_buyer()
    with pytest.raises(Forbidden):
        buyer.require_admin()
