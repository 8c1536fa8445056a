"""Tokens: signed by the gateway's private key, verified with the public key, scoped by role."""

import base64
import hashlib
import stat
import uuid
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from shared.auth import Principal, TokenIssuer, TokenVerifier, ensure_keypair, key_id, provision_keys
from shared.errors import Forbidden, NotFound, Unauthorized
from shared.settings import ServiceSettings


@pytest.fixture
def keys(tmp_path: Path) -> tuple[TokenIssuer, TokenVerifier]:
    private, public = ensure_keypair(tmp_path)
    return TokenIssuer(private.read_text()), TokenVerifier(public.read_text())


def same_session(verified: Principal) -> Principal:
    """The verified principal without the token's own id, which the issuer draws for each token."""
    assert verified.token_id
    return verified.model_copy(update={"token_id": ""})


def test_a_token_round_trips_the_principal(keys: tuple[TokenIssuer, TokenVerifier]) -> None:
    issuer, verifier = keys
    principal = Principal(user_id=uuid.uuid4(), role="supplier", supplier_ids=frozenset({uuid.uuid4()}))
    assert same_session(verifier.verify(issuer.issue(principal))) == principal


def test_a_token_signed_by_another_key_is_refused(keys: tuple[TokenIssuer, TokenVerifier], tmp_path: Path) -> None:
    _, verifier = keys
    other_private, _ = ensure_keypair(tmp_path / "other")
    forged = TokenIssuer(other_private.read_text()).issue(Principal(user_id=uuid.uuid4(), role="buyer_admin"))
    with pytest.raises(Unauthorized):
        verifier.verify(forged)


def test_an_unsigned_or_hmac_token_is_refused(keys: tuple[TokenIssuer, TokenVerifier]) -> None:
    issuer, verifier = keys
    # Naming the real key, so that it is the algorithm that is refused, not the key id.
    real_kid = {"kid": issuer.key_id}
    claims = {
        "sub": str(uuid.uuid4()),
        "role": "buyer_admin",
        "exp": 9999999999,
        "iss": "supplier-portal",
        "aud": "supplier-portal",
    }
    for token in (
        jwt.encode(claims, "secret", algorithm="HS256", headers=real_kid),
        jwt.encode(claims, None, algorithm="none", headers=real_kid),
    ):
        with pytest.raises(Unauthorized, match="alg"):
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


def _public_key(public_pem: Path) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(public_pem.read_bytes())
    assert isinstance(key, Ed25519PublicKey)
    return key


def _resigned(token: str, private_pem: Path, headers: dict[str, Any]) -> str:
    """The same claims signed with the same key, under other header fields (PyJWT adds alg and typ)."""
    claims = jwt.decode(token, options={"verify_signature": False})
    key = serialization.load_pem_private_key(private_pem.read_bytes(), password=None)
    return jwt.encode(claims, key, algorithm="EdDSA", headers=headers)  # type: ignore[arg-type]


def test_the_token_header_names_the_signing_key_by_its_rfc7638_thumbprint(tmp_path: Path) -> None:
    private, public = ensure_keypair(tmp_path)
    token = TokenIssuer(private.read_text()).issue(Principal(user_id=uuid.uuid4(), role="buyer_admin"))
    header = jwt.get_unverified_header(token)
    # RFC 7638 section 3: SHA-256 over {"crv","kty","x"} in that order, no whitespace, base64url.
    x = base64.urlsafe_b64encode(_public_key(public).public_bytes_raw()).rstrip(b"=").decode()
    members = '{"crv":"Ed25519","kty":"OKP","x":"' + x + '"}'
    expected = base64.urlsafe_b64encode(hashlib.sha256(members.encode()).digest()).rstrip(b"=").decode()
    assert header["kid"] == expected == key_id(_public_key(public))
    assert header["alg"] == "EdDSA"


def test_the_rfc7638_thumbprint_of_the_rfcs_own_example_key() -> None:
    # RFC 8037 appendix A.3: the thumbprint of the Ed25519 key of A.2.
    public = Ed25519PublicKey.from_public_bytes(
        base64.urlsafe_b64decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" + "=")
    )
    assert key_id(public) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_a_token_with_an_unknown_kid_is_refused_even_when_its_signature_is_good(tmp_path: Path) -> None:
    private, public = ensure_keypair(tmp_path)
    token = TokenIssuer(private.read_text()).issue(Principal(user_id=uuid.uuid4(), role="buyer_admin"))
    relabelled = _resigned(token, private, {"kid": "not-a-key-of-the-gateway"})
    verifier = TokenVerifier(public.read_text())
    assert verifier.verify(token).role == "buyer_admin"
    with pytest.raises(Unauthorized, match="unknown key"):
        verifier.verify(relabelled)


def test_a_token_without_a_kid_is_refused_even_when_its_signature_is_good(tmp_path: Path) -> None:
    private, public = ensure_keypair(tmp_path)
    token = TokenIssuer(private.read_text()).issue(Principal(user_id=uuid.uuid4(), role="buyer_admin"))
    with pytest.raises(Unauthorized, match="kid"):
        TokenVerifier(public.read_text()).verify(_resigned(token, private, {}))
    with pytest.raises(Unauthorized):
        TokenVerifier(public.read_text()).verify(_resigned(token, private, {"kid": ""}))


def test_a_token_of_a_previous_key_is_accepted_while_that_key_is_configured(tmp_path: Path) -> None:
    old_private, old_public = ensure_keypair(tmp_path / "old")
    new_private, new_public = ensure_keypair(tmp_path / "new")
    principal = Principal(user_id=uuid.uuid4(), role="supplier", supplier_ids=frozenset({uuid.uuid4()}))
    old_token = TokenIssuer(old_private.read_text()).issue(principal)
    new_token = TokenIssuer(new_private.read_text()).issue(principal)

    rotating = TokenVerifier(new_public.read_text(), previous_public_key_pems=[old_public.read_text()])
    assert rotating.key_ids == {key_id(_public_key(old_public)), key_id(_public_key(new_public))}
    assert same_session(rotating.verify(old_token)) == principal
    assert same_session(rotating.verify(new_token)) == principal

    rotated = TokenVerifier(new_public.read_text())
    assert same_session(rotated.verify(new_token)) == principal
    with pytest.raises(Unauthorized, match="unknown key"):
        rotated.verify(old_token)


def test_a_token_naming_a_known_kid_but_signed_by_another_key_is_refused(tmp_path: Path) -> None:
    _, public = ensure_keypair(tmp_path)
    other_private, _ = ensure_keypair(tmp_path / "other")
    forged = TokenIssuer(other_private.read_text()).issue(Principal(user_id=uuid.uuid4(), role="buyer_admin"))
    claiming_the_real_kid = _resigned(forged, other_private, {"kid": key_id(_public_key(public))})
    verifier = TokenVerifier(public.read_text())
    for _ in range(2):  # and nothing of it is remembered
        with pytest.raises(Unauthorized, match=r"(?i)signature"):
            verifier.verify(claiming_the_real_kid)


def test_services_read_previous_public_keys_from_a_comma_separated_setting(tmp_path: Path) -> None:
    old_private, old_public = ensure_keypair(tmp_path / "old")
    older_private, older_public = ensure_keypair(tmp_path / "older")
    new_private, new_public = ensure_keypair(tmp_path / "new")
    settings = ServiceSettings(
        jwt_public_key_file=new_public, jwt_previous_public_key_files=f"{old_public}, {older_public}"
    )
    verifier = settings.token_verifier()
    for private in (new_private, old_private, older_private):
        token = TokenIssuer(private.read_text()).issue(Principal(user_id=uuid.uuid4(), role="buyer_user"))
        assert verifier.verify(token).role == "buyer_user"
    assert ServiceSettings(jwt_public_key_file=new_public).token_verifier().key_ids == {key_id(_public_key(new_public))}
    with pytest.raises(RuntimeError, match="missing"):
        ServiceSettings(
            jwt_public_key_file=new_public, jwt_previous_public_key_files=str(tmp_path / "gone.pem")
        ).token_verifier()


def test_a_token_seen_before_is_not_checked_again_until_it_expires(
    keys: tuple[TokenIssuer, TokenVerifier], monkeypatch: pytest.MonkeyPatch
) -> None:
    issuer, verifier = keys
    principal = Principal(user_id=uuid.uuid4(), role="buyer_user", tenant_id=uuid.uuid4())
    token = issuer.issue(principal)
    decoded = 0
    real_decode = jwt.decode

    def counting_decode(*args: Any, **kwargs: Any) -> Any:
        nonlocal decoded
        decoded += 1
        return real_decode(*args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting_decode)
    assert [same_session(verifier.verify(token)) for _ in range(3)] == [principal] * 3
    assert decoded == 1
    other = issuer.issue(principal)
    assert same_session(verifier.verify(other)) == principal
    assert decoded == 2


def test_a_remembered_token_is_refused_once_its_expiry_has_passed(tmp_path: Path) -> None:
    private, public = ensure_keypair(tmp_path)
    now = [0.0]
    verifier = TokenVerifier(public.read_text(), clock=lambda: now[0])
    token = TokenIssuer(private.read_text(), ttl_s=600).issue(Principal(user_id=uuid.uuid4(), role="supplier"))
    expires_at = jwt.decode(token, options={"verify_signature": False})["exp"]
    now[0] = expires_at - 1
    verifier.verify(token)
    now[0] = expires_at
    with pytest.raises(Unauthorized, match="expired"):
        verifier.verify(token)


def test_a_token_carries_the_restricted_records_and_the_generation(tmp_path: Path) -> None:
    private, public = ensure_keypair(tmp_path)
    issuer, verifier = TokenIssuer(private.read_text()), TokenVerifier(public.read_text())
    open_record, switched_off = uuid.uuid4(), uuid.uuid4()
    principal = Principal(
        user_id=uuid.uuid4(),
        role="supplier",
        supplier_ids=frozenset({open_record, switched_off}),
        restricted_supplier_ids=frozenset({switched_off}),
        generation=4,
    )
    verified = verifier.verify(issuer.issue(principal))
    assert same_session(verified) == principal
    assert verified.is_restricted(switched_off) and not verified.is_restricted(open_record)


def test_a_token_restated_for_the_same_session_keeps_its_id(tmp_path: Path) -> None:
    private, public = ensure_keypair(tmp_path)
    issuer, verifier = TokenIssuer(private.read_text()), TokenVerifier(public.read_text())
    first = verifier.verify(issuer.issue(Principal(user_id=uuid.uuid4(), role="supplier")))
    restated = verifier.verify(issuer.issue(first.model_copy(update={"supplier_ids": frozenset({uuid.uuid4()})})))
    assert restated.token_id == first.token_id
    fresh = verifier.verify(issuer.issue(first.model_copy(update={"token_id": ""})))
    assert fresh.token_id != first.token_id


def test_provisioned_keys_leave_the_private_key_in_the_signing_directory_only(tmp_path: Path) -> None:
    signing, public = tmp_path / "signing", tmp_path / "keys"

    provision_keys(signing, public)

    assert sorted(p.name for p in public.iterdir()) == ["jwt-public.pem"]
    assert stat.S_IMODE((signing / "jwt-private.pem").stat().st_mode) == 0o600
    assert (public / "jwt-public.pem").read_bytes() == (signing / "jwt-public.pem").read_bytes()
    first = (signing / "jwt-private.pem").read_bytes()
    provision_keys(signing, public)  # every start of the stack: the same key
    assert (signing / "jwt-private.pem").read_bytes() == first


def test_a_private_key_an_earlier_layout_left_beside_the_public_one_is_moved_not_left(tmp_path: Path) -> None:
    signing, public = tmp_path / "signing", tmp_path / "keys"
    old_private, old_public = ensure_keypair(public)
    kept = old_private.read_bytes()

    provision_keys(signing, public)

    assert not old_private.exists()
    assert (signing / "jwt-private.pem").read_bytes() == kept  # tokens signed before stay valid
    assert old_public.read_bytes() == (signing / "jwt-public.pem").read_bytes()
