"""JWT issue and verification (Ed25519), the caller's identity, and scoping helpers.

The gateway signs with its private key; every service verifies with the public key, so a
service never trusts the network and no service can mint tokens. Every token names its key in
the ``kid`` header (the key's RFC 7638 thumbprint); a verifier knows the current key and, while
a rotation is under way, the previous ones (``PORTAL_JWT_PREVIOUS_PUBLIC_KEY_FILES``).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal
from uuid import UUID, uuid4

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwt.algorithms import OKPAlgorithm
from pydantic import BaseModel, ConfigDict, EmailStr, TypeAdapter, ValidationError

from shared.errors import Forbidden, NotFound, Unauthorized

Role = Literal["buyer_admin", "buyer_user", "supplier"]
ALGORITHM = "EdDSA"
AUDIENCE = "supplier-portal"


class Principal(BaseModel):
    """Who is calling: a buyer (scoped to a tenant) or a supplier user (scoped to suppliers)."""

    model_config = ConfigDict(frozen=True)

    user_id: UUID
    role: Role
    tenant_id: UUID | None = None
    supplier_ids: frozenset[UUID] = frozenset()
    email: str = ""
    # Supplier records (of ``supplier_ids``) whose buyer has switched its supplier portal off:
    # there the user sees and invoices only purchase orders still to invoice, within their
    # remaining quantities. The gateway restates it on every request.
    restricted_supplier_ids: frozenset[UUID] = frozenset()
    # The user's token generation when the token was issued: a password change or reset moves
    # the account's on, and the gateway refuses tokens of an earlier one.
    generation: int = 0
    # The token's own id (``jti``); set by the verifier, empty for a principal not yet issued.
    token_id: str = ""

    @property
    def is_buyer(self) -> bool:
        return self.role in ("buyer_admin", "buyer_user")

    @property
    def is_admin(self) -> bool:
        return self.role == "buyer_admin"

    @property
    def is_supplier(self) -> bool:
        return self.role == "supplier"

    def is_restricted(self, supplier_id: UUID | None) -> bool:
        """True for a supplier user on a record whose buyer has switched the supplier portal off."""
        return self.is_supplier and supplier_id is not None and supplier_id in self.restricted_supplier_ids

    def require_buyer(self) -> UUID:
        """The caller's tenant; suppliers are refused."""
        if not self.is_buyer or self.tenant_id is None:
            raise Forbidden("only buyer staff may do this")
        return self.tenant_id

    def require_admin(self) -> UUID:
        tenant_id = self.require_buyer()
        if not self.is_admin:
            raise Forbidden("only a buyer admin may do this")
        return tenant_id

    def can_see(self, *, tenant_id: UUID, supplier_id: UUID | None) -> bool:
        if self.is_buyer:
            return self.tenant_id == tenant_id
        return supplier_id is not None and supplier_id in self.supplier_ids

    def ensure_can_see(self, what: str, *, tenant_id: UUID, supplier_id: UUID | None) -> None:
        """Another party's document is 404, never 403: its existence is not revealed."""
        if not self.can_see(tenant_id=tenant_id, supplier_id=supplier_id):
            raise NotFound(f"{what} not found")


# The bound parameters of a visibility filter built once for every caller (a page statement):
# a buyer's tenant, or a supplier user's suppliers (an expanding parameter).
SCOPE_TENANT = "scope_tenant_id"
SCOPE_SUPPLIERS = "scope_supplier_ids"
_NOBODY = UUID(int=0)


def scope_values(principal: Principal) -> dict[str, object]:
    """The values of ``SCOPE_TENANT`` (a buyer) or ``SCOPE_SUPPLIERS`` (a supplier user) for
    ``principal``; a buyer without a tenant or a user without suppliers matches nobody."""
    if principal.is_buyer:
        return {SCOPE_TENANT: principal.tenant_id or _NOBODY}
    return {SCOPE_SUPPLIERS: sorted(principal.supplier_ids) or [_NOBODY]}


# An address as the sign-in form takes it (``TokenRequest.email``).
_SIGN_IN_EMAIL: TypeAdapter[str] = TypeAdapter(EmailStr)


def sign_in_email_refusal(address: str) -> str | None:
    """Why the sign-in form would refuse ``address``, or None when it takes it: an account made
    with such an address (the first-start admin's, say) could never sign in."""
    try:
        _SIGN_IN_EMAIL.validate_python(address.strip())
    except ValidationError as exc:
        return str(exc.errors()[0]["msg"]).removeprefix("value is not a valid email address: ")
    return None


def load_public_key(public_key_pem: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(public_key_pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"the JWT keys are Ed25519 keys, not {type(key).__name__}")
    return key


def key_id(public_key: Ed25519PublicKey) -> str:
    """The key's RFC 7638 JWK thumbprint: SHA-256 over its required members in lexicographic
    order without whitespace, base64url without padding. Used as the token header's ``kid``."""
    jwk = OKPAlgorithm.to_jwk(public_key, as_dict=True)
    members = json.dumps({name: jwk[name] for name in ("crv", "kty", "x")}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(members.encode()).digest()).rstrip(b"=").decode()


class TokenVerifier:
    """Verifies the gateway's tokens. It knows its keys by ``kid``: the current public key and,
    while a key rotation is under way, the previous ones; a token whose header names no known
    key, or no key at all, is refused before its signature is looked at.

    A client sends the same token with every request until it expires, so the last
    ``cache_size`` tokens that passed are kept with their principal and expiry: a token seen
    before costs a dictionary look-up and a comparison with ``clock()`` instead of a signature
    check (about 0.25 ms of CPU). Only a token that passed every check is kept, under its
    whole text; it is refused once its ``exp`` has passed, as on its first use. A verifier's
    keys never change while it lives (a rotation restarts the service)."""

    def __init__(
        self,
        public_key_pem: str,
        *,
        previous_public_key_pems: Iterable[str] = (),
        issuer: str = "supplier-portal",
        cache_size: int = 4096,
        clock: Callable[[], float] = time.time,
    ) -> None:
        keys = [load_public_key(pem) for pem in (public_key_pem, *previous_public_key_pems)]
        self._keys = {key_id(key): key for key in keys}
        self._issuer = issuer
        self._clock = clock
        self._verified = functools.lru_cache(maxsize=cache_size)(self._verify)

    @property
    def key_ids(self) -> frozenset[str]:
        return frozenset(self._keys)

    def verify(self, token: str) -> Principal:
        principal, expires_at = self._verified(token)
        if self._clock() >= expires_at:
            raise Unauthorized("the token has expired")
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        """The token's principal and its ``exp``; raises ``Unauthorized`` (never cached)."""
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"invalid token: {exc}") from None
        if not kid:
            raise Unauthorized("invalid token: the header names no signing key (kid)")
        key = self._keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise Unauthorized("invalid token: signed with an unknown key (kid)")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=self._issuer,
                options={"require": ["exp", "sub", "role", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("the token has expired") from None
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"invalid token: {exc}") from None
        try:
            principal = Principal(
                user_id=UUID(claims["sub"]),
                role=claims["role"],
                tenant_id=UUID(claims["tenant_id"]) if claims.get("tenant_id") else None,
                supplier_ids=frozenset(UUID(s) for s in claims.get("supplier_ids", [])),
                email=claims.get("email", ""),
                restricted_supplier_ids=frozenset(UUID(s) for s in claims.get("restricted_supplier_ids", [])),
                generation=int(claims.get("gen", 0)),
                token_id=str(claims.get("jti", "")),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise Unauthorized(f"invalid token claims: {exc}") from None
        return principal, float(claims["exp"])


class TokenIssuer:
    def __init__(self, private_key_pem: str, *, issuer: str = "supplier-portal", ttl_s: int = 3600) -> None:
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"the JWT signing key is an Ed25519 key, not {type(key).__name__}")
        self._key = key
        self.key_id = key_id(key.public_key())
        self._issuer = issuer
        self.ttl_s = ttl_s

    def issue(self, principal: Principal, *, not_after: datetime | None = None) -> str:
        """A token for ``principal``, valid ``ttl_s``, or only until ``not_after`` if that is sooner
        (a token made from another one never outlives it)."""
        now = datetime.now(UTC)
        expires = now + timedelta(seconds=self.ttl_s)
        if not_after is not None:
            expires = min(expires, not_after)
        claims = {
            "sub": str(principal.user_id),
            "role": principal.role,
            "tenant_id": str(principal.tenant_id) if principal.tenant_id else None,
            "supplier_ids": sorted(str(s) for s in principal.supplier_ids),
            "email": principal.email,
            "gen": principal.generation,
            "iss": self._issuer,
            "aud": AUDIENCE,
            "iat": now,
            "exp": expires,
            # A token restated for the same session keeps its id, so signing it out ends both.
            "jti": principal.token_id or str(uuid4()),
        }
        if principal.restricted_supplier_ids:
            claims["restricted_supplier_ids"] = sorted(str(s) for s in principal.restricted_supplier_ids)
        return jwt.encode(claims, self._key, algorithm=ALGORITHM, headers={"kid": self.key_id})


def expiry_of(token: str) -> datetime:
    """When a token that was already verified expires (its ``exp``, read without checking again)."""
    claims = jwt.decode(token, options={"verify_signature": False})
    return datetime.fromtimestamp(int(claims["exp"]), UTC)


def provision_keys(signing: Path, public: Path, *, owner: tuple[int, int] | None = None) -> None:
    """The key pair of a deployment where only the gateway signs (docker-compose's ``keys`` job):
    the private key in ``signing``, mode 0600 and owned by ``owner`` (the gateway's user), the
    public key copied to ``public`` for every service. A private key an earlier layout left
    beside the public one is moved to ``signing`` (tokens it signed stay valid), never left there."""
    left = public / "jwt-private.pem"
    signing.mkdir(parents=True, exist_ok=True)
    if left.exists() and not (signing / "jwt-private.pem").exists():
        shutil.copyfile(left, signing / "jwt-private.pem")
        shutil.copyfile(public / "jwt-public.pem", signing / "jwt-public.pem")
    left.unlink(missing_ok=True)
    private_path, public_path = ensure_keypair(signing)
    public.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(public_path, public / "jwt-public.pem")
    (public / "jwt-public.pem").chmod(0o644)
    if owner is not None:
        os.chown(private_path, *owner)
    private_path.chmod(0o600)


def ensure_keypair(directory: Path) -> tuple[Path, Path]:
    """Create an Ed25519 key pair in ``directory`` unless one is there; returns (private, public)."""
    directory.mkdir(parents=True, exist_ok=True)
    private_path, public_path = directory / "jwt-private.pem", directory / "jwt-public.pem"
    if not private_path.exists():
        key = Ed25519PrivateKey.generate()
        private_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        private_path.chmod(0o600)
        public_path.write_bytes(
            key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
    return private_path, public_path
