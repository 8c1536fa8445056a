"""JWT issue and verification (Ed25519), the caller's identity, and scoping helpers.

The gateway signs with its private key; every service verifies with the public key, so a
service never trusts the network and no service can mint tokens.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal
from uuid import UUID, uuid4

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import BaseModel, ConfigDict

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

    @property
    def is_buyer(self) -> bool:
        return self.role in ("buyer_admin", "buyer_user")

    @property
    def is_admin(self) -> bool:
        return self.role == "buyer_admin"

    @property
    def is_supplier(self) -> bool:
        return self.role == "supplier"

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


class TokenVerifier:
    def __init__(self, public_key_pem: str, *, issuer: str = "supplier-portal") -> None:
        self._key = serialization.load_pem_public_key(public_key_pem.encode())
        self._issuer = issuer

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._key,  # type: ignore[arg-type]
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
            return Principal(
                user_id=UUID(claims["sub"]),
                role=claims["role"],
                tenant_id=UUID(claims["tenant_id"]) if claims.get("tenant_id") else None,
                supplier_ids=frozenset(UUID(s) for s in claims.get("supplier_ids", [])),
                email=claims.get("email", ""),
            )
        except (ValueError, KeyError) as exc:
            raise Unauthorized(f"invalid token claims: {exc}") from None


class TokenIssuer:
    def __init__(self, private_key_pem: str, *, issuer: str = "supplier-portal", ttl_s: int = 3600) -> None:
        self._key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
        self._issuer = issuer
        self.ttl_s = ttl_s

    def issue(self, principal: Principal) -> str:
        now = datetime.now(UTC)
        claims = {
            "sub": str(principal.user_id),
            "role": principal.role,
            "tenant_id": str(principal.tenant_id) if principal.tenant_id else None,
            "supplier_ids": sorted(str(s) for s in principal.supplier_ids),
            "email": principal.email,
            "iss": self._issuer,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + timedelta(seconds=self.ttl_s),
            "jti": str(uuid4()),
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)  # type: ignore[arg-type]


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
