"""Header-safe text: what user-supplied values may become in an email's headers.

Supplier names, PO and invoice numbers and RFP titles reach the Subject, and addresses from
the read models reach To. A CR, LF or NUL there could add headers or recipients (header
injection), so headers are built only from single-line text and single plain addresses.
Pure Python: no email, web or database imports.
"""

from __future__ import annotations

import re

MAX_HEADER_TEXT = 300  # the subject column holds 500; an RFP subject needs ~240
MAX_ADDRESS_LENGTH = 320
MAX_SUBJECT_NAME = 100  # a name may hold 300 characters

# C0 controls (CR, LF, NUL, TAB...), DEL, C1 controls and the Unicode line/paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SPACES = re.compile(r"\s+")
# One mailbox, nothing else: no display name, no list, no comment, no whitespace or controls.
_ADDRESS = re.compile(r"[^@\s<>(),;:\"\[\]\\]+@[^@\s<>(),;:\"\[\]\\]+")


class InvalidRecipient(ValueError):
    """The recipient is not one plain address; the email is failed, never sent to anyone."""


def header_text(value: str, *, limit: int = MAX_HEADER_TEXT) -> str:
    """``value`` as one line: control characters become spaces, whitespace runs collapse,
    and text beyond ``limit`` characters is cut (ending in an ellipsis)."""
    text = _SPACES.sub(" ", _CONTROL.sub(" ", value)).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def subject_name(name: str) -> str:
    """A name (a buyer's, a colleague's) as part of a subject: one line, cut shorter than the
    subject itself so that the news after it stays in the subject."""
    return header_text(name, limit=MAX_SUBJECT_NAME)


def single_address(value: str) -> str:
    """``value`` when it is exactly one address (``local@domain``); otherwise InvalidRecipient."""
    address = value.strip()
    if len(address) > MAX_ADDRESS_LENGTH or _CONTROL.search(address) or not _ADDRESS.fullmatch(address):
        raise InvalidRecipient(f"the recipient {header_text(value, limit=80)!r} is not a single email address")
    return address
