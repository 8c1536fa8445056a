"""Settings of the gateway (prefix ``GATEWAY_``; the stack-wide ``PORTAL_*`` names)."""

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import SettingsConfigDict

from shared.auth import sign_in_email_refusal
from shared.networks import LOOPBACK, Networks
from shared.sealed_links import PUBLIC_KEY_NAME, LinkSealer
from shared.settings import ServiceSettings
from shared.uploads import DEFAULT_MAX_UPLOAD_BYTES


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", populate_by_name=True)

    service_name: str = "gateway"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5439/portal_gateway"
    http_port: int = Field(8000, validation_alias=AliasChoices("GATEWAY_HTTP_PORT", "PORTAL_HTTP_PORT", "http_port"))
    jwt_private_key_file: Path = Path("var/keys/jwt-private.pem")
    # The notifier's public key that single-use links are sealed to (shared.sealed_links);
    # unset: link-public.pem beside the JWT private key.
    link_public_key_file: Path | None = None
    token_ttl_s: int = 3600
    invitation_ttl_days: int = 14
    # Failed password checks (sign-ins, invitations joining an account, password and email
    # changes) that cost nothing in a window: an account from one client address, an address
    # across accounts, an account across every address (0 switches that limit off). Each failure
    # beyond makes the next attempt of that key wait LOGIN_FIRST_DELAY_S, twice as long for each
    # further one, at most LOGIN_MAX_DELAY_S; successes are never counted.
    login_free_failures_per_account_and_ip: int = Field(5, ge=0)
    login_free_failures_per_ip: int = Field(50, ge=0)
    login_free_failures_per_account: int = Field(100, ge=0)
    login_window_s: int = Field(900, gt=0)
    login_first_delay_s: float = Field(2.0, gt=0)
    login_max_delay_s: float = Field(900.0, gt=0)
    # Single-use links by email: a password reset lives an hour, a new email's confirmation a day;
    # resets asked for per account and per client address in a window (beyond: nothing is sent
    # for the account, the address is refused with 429).
    # Proxies whose forwarded header names the client (GATEWAY_TRUSTED_PROXIES: addresses and CIDRs;
    # the web portal is one, and a load balancer before the gateway): the sign-in limits count the
    # address before them. The header is X-Forwarded-For or Forwarded (GATEWAY_TRUSTED_PROXY_HEADER),
    # as the proxies write it; from any other peer it is ignored. Loopback: the web portal of `make up`.
    trusted_proxies: str = LOOPBACK
    trusted_proxy_header: Literal["x-forwarded-for", "forwarded"] = "x-forwarded-for"
    password_reset_ttl_s: int = 3600
    email_change_ttl_s: int = 86400
    password_resets_per_account: int = 3
    password_resets_per_ip: int = 20
    password_reset_window_s: int = 3600
    # How long an instance keeps what it found of a token's standing when the change was made
    # through another instance (its own changes empty its cache at once); 0: no cache.
    token_standing_ttl_s: float = 1.0
    # The largest request body the gateway takes (GATEWAY_MAX_BODY_BYTES): an attachment at the
    # services' cap with room for its form's other parts; larger ones are refused with 413 before
    # they are read whole.
    max_body_bytes: int = DEFAULT_MAX_UPLOAD_BYTES + 1024 * 1024
    # Password hashes run at once in a process (each takes argon2's 64 MiB), and how long a
    # sign-in waits for one before it is answered 503 (GATEWAY_PASSWORD_HASHING_SLOTS, ..._WAIT_S).
    password_hashing_slots: int = Field(4, ge=1)
    password_hashing_wait_s: float = Field(5.0, gt=0)

    admin_email: str = Field("admin@example.com", validation_alias=AliasChoices("PORTAL_ADMIN_EMAIL", "admin_email"))
    admin_password: str | None = Field(None, validation_alias=AliasChoices("PORTAL_ADMIN_PASSWORD", "admin_password"))
    organisation_name: str = Field(
        "Buyer organisation", validation_alias=AliasChoices("PORTAL_ORGANISATION_NAME", "organisation_name")
    )
    public_url: str = Field("http://127.0.0.1:8000", validation_alias=AliasChoices("PORTAL_PUBLIC_URL", "public_url"))

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        Networks.parse(value)
        return value

    @field_validator("admin_email")
    @classmethod
    def _admin_can_sign_in(cls, address: str) -> str:
        """The first start's admin signs in with this address: one the sign-in form refuses is
        refused here, at start, rather than leaving an organisation nobody can enter."""
        if refusal := sign_in_email_refusal(address):
            raise ValueError(f"PORTAL_ADMIN_EMAIL {address!r} cannot sign in: {refusal}")
        return address

    suppliers_url: str = "http://127.0.0.1:8101"
    orders_url: str = "http://127.0.0.1:8102"
    invoicing_url: str = "http://127.0.0.1:8103"
    matching_url: str = "http://127.0.0.1:8104"
    notifier_url: str = "http://127.0.0.1:8105"
    # The web portal: every path outside the API and the gateway's own goes there.
    web_url: str = "http://127.0.0.1:8106"
    upstream_timeout_s: float = 30.0

    @cached_property
    def link_sealer(self) -> LinkSealer:
        """Makes the links of invitations, password resets and sign-in address changes."""
        path = self.link_public_key_file or self.jwt_private_key_file.parent / PUBLIC_KEY_NAME
        return LinkSealer.from_file(self.public_url, path)

    def private_key_pem(self) -> str:
        return self.jwt_private_key_file.read_text()

    def public_key_pem(self) -> str:
        if self.jwt_public_key or (self.jwt_public_key_file and self.jwt_public_key_file.exists()):
            return super().public_key_pem()
        from cryptography.hazmat.primitives import serialization

        key = serialization.load_pem_private_key(self.private_key_pem().encode(), password=None)
        return (
            key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    def upstreams(self) -> dict[str, str]:
        return {
            "suppliers": self.suppliers_url,
            "orders": self.orders_url,
            "invoicing": self.invoicing_url,
            "matching": self.matching_url,
            "notifier": self.notifier_url,
            "web": self.web_url,
        }
