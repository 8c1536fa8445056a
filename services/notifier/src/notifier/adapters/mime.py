"""Writes an email of a plain text and an HTML body (``multipart/alternative``) in SMTP's wire
format, byte for byte as the stdlib's ``email`` package writes it with ``EmailMessage`` and
``email.policy.SMTP``, without building and folding a header object per header.

The package parses every header it is given into a tree (``email.headerregistry``) and folds
it back when the message is written; for the few headers of an email and their short, plain
values that cost far more than the rest of the email. Here a header whose line is plain
printable ASCII within the folding length (78 characters) is written as it is, which is what
the package writes for it; any other (a non-ASCII subject, one long enough to fold, an address
that is not a plain ``local@domain``, text that looks like an encoded word) goes through the
package's own header parser and folder. The bodies are encoded as the package chooses: 7bit
when ASCII with short lines, 8bit when not ASCII but with short lines, otherwise
quoted-printable or base64, whichever is shorter on the first lines. A test compares both
writers over every template and over awkward values.
"""

from __future__ import annotations

import binascii
import random
import re
import sys
from email import quoprimime
from email.policy import SMTP

MAX_LINE: int = SMTP.max_line_length or 78  # where the package folds headers and encodes bodies
_BOUNDARY_DIGITS = len(repr(sys.maxsize - 1))  # the package's boundary: 15 '=', 19 digits, '=='
# A plain address: a dot-atom local part and domain (RFC 5322 3.2.3), nothing to quote.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_ATOM}(?:\.{_ATOM})*")
_ADDRESS_HEADERS = frozenset({"from", "to", "cc", "bcc", "reply-to", "sender"})


def header(name: str, value: str) -> bytes:
    """The header line(s) ``name: value`` as the package writes them with the SMTP policy."""
    line = f"{name}: {value}"
    if (
        len(line) <= MAX_LINE
        and line.isascii()
        and line.isprintable()
        and "=?" not in value
        and value
        and value == value.strip()
        and (name.lower() not in _ADDRESS_HEADERS or _PLAIN_ADDRESS.fullmatch(value))
    ):
        return line.encode("ascii") + b"\r\n"
    return SMTP.fold_binary(*SMTP.header_store_parse(name, value))


def text_body(text: str) -> tuple[str, bytes]:
    """``text`` encoded as a UTF-8 body part: its Content-Transfer-Encoding and its lines (CRLF)."""
    lines = text.encode("utf-8").splitlines()
    if max((len(line) for line in lines), default=0) <= MAX_LINE:
        body = b"\r\n".join(lines) + b"\r\n"
        return ("7bit" if body.isascii() else "8bit"), body
    # As the package: quoted-printable unless base64 is shorter on the first ten lines.
    sniff = b"\n".join(lines[:10]) + b"\n"
    if len(quoprimime.body_encode(sniff.decode("latin-1"), MAX_LINE)) > len(binascii.b2a_base64(sniff)):
        data = b"\n".join(lines) + b"\n"
        per_line = MAX_LINE // 4 * 3
        encoded = b"".join(binascii.b2a_base64(data[i : i + per_line]) for i in range(0, len(data), per_line))
        return "base64", encoded.replace(b"\n", b"\r\n")
    encoded_text = quoprimime.body_encode((b"\n".join(lines) + b"\n").decode("latin-1"), MAX_LINE)
    return "quoted-printable", encoded_text.replace("\n", "\r\n").encode("ascii")


def _boundary(parts: list[bytes]) -> bytes:
    token = random.randrange(sys.maxsize)
    boundary = b"=" * 15 + b"%0*d" % (_BOUNDARY_DIGITS, token) + b"=="
    candidate, counter = boundary, 0
    while any(b"--" + candidate in part for part in parts):
        candidate = boundary + b".%d" % counter
        counter += 1
    return candidate


def alternative(headers: list[bytes], plain: str, html: str) -> bytes:
    """The message of ``headers`` (lines from ``header``) with ``plain`` and ``html`` as the two
    parts of a ``multipart/alternative`` body."""
    plain_cte, plain_body = text_body(plain)
    html_cte, html_body = text_body(html)
    parts = [
        b'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: %s\r\n\r\n%s'
        % (plain_cte.encode(), plain_body),
        # The HTML part keeps the MIME-Version the package's add_alternative gives it.
        b'Content-Type: text/html; charset="utf-8"\r\nContent-Transfer-Encoding: %s\r\nMIME-Version: 1.0\r\n\r\n%s'
        % (html_cte.encode(), html_body),
    ]
    boundary = _boundary(parts)
    delimiter = b"--" + boundary
    return b"".join(
        [
            *headers,
            b'MIME-Version: 1.0\r\nContent-Type: multipart/alternative;\r\n boundary="%s"\r\n\r\n' % boundary,
            delimiter,
            b"\r\n",
            parts[0],
            b"\r\n",
            delimiter,
            b"\r\n",
            parts[1],
            b"\r\n",
            delimiter,
            b"--\r\n",
        ]
    )
