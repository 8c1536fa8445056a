"""Single-use links sealed for the notifier: the token travels at rest only where it cannot be used.

An invitation's, a password reset's or a new sign-in address's link carries a token that signs
someone in. The gateway keeps only its digest; the event that asks for the email carries the link
twice: ``shown``, the address with the token withheld (what every database, topic, dead-letter
topic and log may hold), and ``sealed``, the whole link encrypted to the notifier's public key
with HPKE (RFC 9180: X25519, HKDF-SHA256, ChaCha20-Poly1305). The notifier opens it only when it
hands the email to SMTP, and forgets the sealed copy once the email is sent or has failed for good.

The keys are an X25519 pair: ``link-public.pem`` where links are made (the gateway), and
``link-private.pem`` where they are opened (the notifier) alone.
"""

from __future__ import annotations

import base64
import html
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP, default
from pathlib import Path
from typing import cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite

PRIVATE_KEY_NAME = "link-private.pem"
PUBLIC_KEY_NAME = "link-public.pem"
# What stands in a link's last segment wherever the token itself may not be.
WITHHELD = "link-withheld"
_SUITE = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.CHACHA20_POLY1305)
_INFO = b"supplier-portal sealed link v1"
_PREFIX = "hpke1."
_LAST_SEGMENT = re.compile(r"[^/?#]+(?=$|[?#])")


class LinkNotOpened(ValueError):
    """A sealed link this key cannot open: sealed to another key, or changed on the way."""


@dataclass(frozen=True)
class SealedLink:
    shown: str
    sealed: str


def withheld(url: str) -> str:
    """``url`` with its last path segment, the token, replaced by ``WITHHELD``."""
    return _LAST_SEGMENT.sub(WITHHELD, url, count=1)


def _public_key(pem: bytes) -> X25519PublicKey:
    try:
        key: object = serialization.load_pem_public_key(pem)
    except ValueError:
        key = None
    if not isinstance(key, X25519PublicKey):
        raise ValueError("the link sealing key is not an X25519 public key in PEM")
    return key


def _private_key(pem: bytes) -> X25519PrivateKey:
    try:
        key: object = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, X25519PrivateKey):
        raise ValueError("the link opening key is not an unencrypted X25519 private key in PEM")
    return key


def _seal(url: str, key: X25519PublicKey) -> str:
    return _PREFIX + base64.urlsafe_b64encode(_SUITE.encrypt(url.encode(), key, info=_INFO)).decode().rstrip("=")


class LinkSealer:
    """Makes the links of the portal's single-use tokens (``{public_url}/{section}/{token}``)."""

    def __init__(self, public_url: str, public_key_pem: bytes) -> None:
        self.public_url = public_url.rstrip("/")
        self._key = _public_key(public_key_pem)

    @classmethod
    def from_file(cls, public_url: str, path: Path) -> LinkSealer:
        try:
            return cls(public_url, path.read_bytes())
        except FileNotFoundError:
            raise ValueError(f"the link sealing key {path} is missing (see deploy/README.md, keys)") from None

    def link(self, section: str, token: str) -> SealedLink:
        url = f"{self.public_url}/{section}/{token}"
        return SealedLink(shown=withheld(url), sealed=_seal(url, self._key))


class LinkOpener:
    """Opens sealed links with the notifier's private key (and seals, for links that came plain)."""

    def __init__(self, private_key_pem: bytes) -> None:
        self._key = _private_key(private_key_pem)

    @classmethod
    def from_file(cls, path: Path) -> LinkOpener:
        try:
            return cls(path.read_bytes())
        except FileNotFoundError:
            raise ValueError(f"the link opening key {path} is missing (see deploy/README.md, keys)") from None

    def seal(self, url: str) -> SealedLink:
        """A link that arrived whole (an event from before links were sealed), sealed as the
        gateway now does, so that it is kept the same way."""
        return SealedLink(shown=withheld(url), sealed=_seal(url, self._key.public_key()))

    def open(self, sealed: str) -> str:
        if not sealed.startswith(_PREFIX):
            raise LinkNotOpened("not a sealed link")
        data = sealed.removeprefix(_PREFIX)
        try:
            opened = _SUITE.decrypt(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)), self._key, info=_INFO)
        except (InvalidTag, ValueError) as exc:
            raise LinkNotOpened("this key cannot open the link") from exc
        return opened.decode()


def new_link_keys() -> tuple[bytes, bytes]:
    """A new X25519 pair as PEM: (private, public)."""
    key = X25519PrivateKey.generate()
    pkcs8 = serialization.PrivateFormat.PKCS8
    private = key.private_bytes(serialization.Encoding.PEM, pkcs8, serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


def ensure_link_keys(directory: Path) -> tuple[Path, Path]:
    """Create the X25519 pair in ``directory`` unless it is there; returns (private, public)."""
    directory.mkdir(parents=True, exist_ok=True)
    private_path, public_path = directory / PRIVATE_KEY_NAME, directory / PUBLIC_KEY_NAME
    if not private_path.exists():
        private, public = new_link_keys()
        private_path.write_bytes(private)
        private_path.chmod(0o600)
        public_path.write_bytes(public)
    return private_path, public_path


def provision_link_keys(opening: Path, public: Path, *, owner: tuple[int, int] | None = None) -> None:
    """The pair of a deployment where the notifier alone opens links (docker-compose's ``keys``
    job): the private key in ``opening``, mode 0600 and owned by ``owner`` (the notifier's user),
    the public key copied to ``public`` for the gateway."""
    private_path, public_path = ensure_link_keys(opening)
    public.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(public_path, public / PUBLIC_KEY_NAME)
    (public / PUBLIC_KEY_NAME).chmod(0o644)
    if owner is not None:
        os.chown(private_path, *owner)
    private_path.chmod(0o600)


def rewrite_text(message: bytes, rewrite: dict[str, str]) -> bytes:
    """``message`` (as sent over SMTP) with each key of ``rewrite`` replaced by its value in every
    text part (decoded, replaced, encoded again; in HTML parts their escaped forms too). Headers,
    the Message-ID among them, stay as they were."""

    def change(text: str, subtype: str) -> str:
        for old, new in rewrite.items():
            text = text.replace(old, new)
            if subtype == "html":
                text = text.replace(html.escape(old), html.escape(new))
        return text

    return _rewrite_parts(message, change)


# The token of a link the gateway made (``secrets.token_urlsafe``), after its section's path.
_TOKEN_IN_LINK = re.compile(r"(/(?:invitations|password-reset|email-change)/)[A-Za-z0-9_-]{16,}")


def withhold_tokens(text: str) -> str:
    """``text`` with the token of every single-use link in it withheld."""
    return _TOKEN_IN_LINK.sub(rf"\g<1>{WITHHELD}", text)


def withhold_in_message(message: bytes) -> bytes:
    """``message`` with the token of every single-use link in its text parts withheld (a stored
    email from before links were sealed)."""
    return _rewrite_parts(message, lambda text, _subtype: withhold_tokens(text))


def _rewrite_parts(message: bytes, change: Callable[[str, str], str]) -> bytes:
    parsed = cast(EmailMessage, message_from_bytes(message, policy=default))
    for part in parsed.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        text = part.get_content().replace("\r\n", "\n")  # the lines as written, not as sent
        changed = change(text, part.get_content_subtype())
        if changed != text:
            part.set_content(changed, subtype=part.get_content_subtype(), charset="utf-8")
            if part is not parsed:
                del part["MIME-Version"]
    return parsed.as_bytes(policy=SMTP)
