"""Secrets never reach a log line: a structlog processor that redacts them from every event.

- a field whose name says it is secret (``password``, ``token``, ``authorization``, ``secret``,
  ``private_key``, ``api_key``, ``cookie``...), at any depth: its whole value;
- in any text (messages, errors, tracebacks, paths), whatever the field:
  a URL's password (``postgresql://user:[redacted]@host/db``), a bearer or basic credential,
  anything shaped like a JWT, a PEM private key, the token of an invitation link
  (``/invitations/[redacted]``; likewise ``/password-reset/`` and ``/email-change/`` links),
  and ``password=...`` or ``"token": "..."`` pairs inside text
  (how query strings, keyword arguments and ``repr`` of dicts and validation errors show them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from typing import Any

REDACTED = "[redacted]"

SECRET_FIELD = re.compile(
    r"pass(word|wd|phrase)?|secret|token|authorization|cookie|api[_-]?key|private[_-]?key|credential",
    re.IGNORECASE,
)
_SECRET_NAMES = r"password|passwd|pwd|secret|token|access_token|refresh_token|api[_-]?key|private[_-]?key|authorization"

_PATTERNS: list[tuple[re.Pattern[str], Any]] = [
    # PEM private keys, whole.
    (
        re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)", re.DOTALL),
        "[redacted private key]",
    ),
    # key=value and "key": "value" pairs in text (not one already redacted).
    (
        re.compile(
            rf"""(?P<key>(?:["'](?:{_SECRET_NAMES})["']\s*:|\b(?:{_SECRET_NAMES})\s*=)\s*)(?!\[redacted)"""
            r"""(?:(?P<q>["'])(?:\\.|(?!(?P=q)).)*(?P=q)|[^\s,;&)}\]]+)""",
            re.IGNORECASE,
        ),
        lambda m: m["key"] + (f"{m['q']}{REDACTED}{m['q']}" if m["q"] else REDACTED),
    ),
    # Credentials of an Authorization header.
    (re.compile(r"\b(Bearer|Basic)\s+(?!\[redacted)[A-Za-z0-9._~+/=-]+", re.IGNORECASE), rf"\1 {REDACTED}"),
    # JWTs (header.payload.signature; the signature may be empty, as in alg "none").
    (re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*"), "[redacted token]"),
    # The password of a URL's user information.
    (re.compile(r"\b([a-z][a-z0-9+.-]*://[^:/?#\s@]*):[^@/?#\s]*@", re.IGNORECASE), rf"\1:{REDACTED}@"),
    # The token of an invitation, password reset or email change link (the page and its API call).
    (re.compile(r"(/(?:invitations|password-reset|email-change)/)[^/?#\s\"'<>]+"), rf"\1{REDACTED}"),
]


def redact_text(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact(value: Any) -> Any:
    """``value`` with every secret in it redacted (dicts, lists and tuples at any depth)."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {key: REDACTED if _secret_field(key, item) else redact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact(item) for item in value]
    if isinstance(value, tuple):
        return tuple(redact(item) for item in value)
    return value


def _secret_field(name: object, value: Any) -> bool:
    return isinstance(name, str) and value is not None and bool(SECRET_FIELD.search(name))


def redact_secrets(_: Any, __: str, event: MutableMapping[str, Any]) -> Mapping[str, Any]:
    """The structlog processor: run it after the exception is formatted, before rendering."""
    redacted: dict[str, Any] = redact(dict(event))
    return redacted
