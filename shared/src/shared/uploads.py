"""Uploaded files: a size cap, a content-type allow-list checked against the bytes themselves,
and a display name that is never used as a path (files are stored by id, not by name)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from fastapi import Response

from shared.errors import InvalidInput

DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALLOWED_CONTENT_TYPES: frozenset[str] = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        XLSX,
        "text/csv",
        "text/plain",
    }
)

# What the first bytes of each binary type must be; text types must decode as UTF-8.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
    XLSX: (b"PK\x03\x04",),
}


class UploadRefused(InvalidInput):
    pass


class UploadTooLarge(UploadRefused):
    status = 413
    title = "Upload too large"
    type_slug = "upload-too-large"


def safe_filename(name: str | None) -> str:
    """A display name without directories, control characters or path tricks."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = re.sub(r"\s+", " ", base).strip().lstrip(".")
    return base[:200] or "file"


def check_upload(filename: str | None, content_type: str | None, data: bytes, *, max_bytes: int) -> tuple[str, str]:
    """Validate an upload; returns (display name, content type) or raises ``UploadRefused``."""
    declared = (content_type or "").split(";", 1)[0].strip().lower()
    if len(data) > max_bytes:
        raise UploadTooLarge(
            f"the file is {len(data)} bytes; the limit is {max_bytes} bytes",
            errors=[{"field": "file", "message": f"at most {max_bytes} bytes"}],
        )
    if not data:
        raise UploadRefused("the file is empty", errors=[{"field": "file", "message": "empty file"}])
    if declared not in ALLOWED_CONTENT_TYPES:
        raise UploadRefused(
            f"files of type {declared or 'unknown'} are not accepted",
            errors=[{"field": "file", "message": "allowed: " + ", ".join(sorted(ALLOWED_CONTENT_TYPES))}],
        )
    signatures = _SIGNATURES.get(declared)
    if signatures is not None and not data.startswith(signatures):
        raise UploadRefused(
            f"the file's content is not {declared}",
            errors=[{"field": "file", "message": "content does not match its type"}],
        )
    if signatures is None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise UploadRefused(
                "text files must be UTF-8", errors=[{"field": "file", "message": "not UTF-8 text"}]
            ) from None
    return safe_filename(filename), declared


def content_disposition(filename: str) -> str:
    """An attachment header that carries any name safely (RFC 6266 / 5987): the name as it is when
    it is plain printable ASCII, else an ASCII stand-in beside the name in UTF-8."""
    from urllib.parse import quote

    ascii_name = "".join(
        c if c.isprintable() and c not in "?\\" else "_"
        for c in filename.encode("ascii", "replace").decode().replace('"', "'")
    )
    if ascii_name == filename:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


@dataclass(frozen=True)
class ExportedFile:
    """A document the portal writes out on request (an order as PDF or XLSX, an invoice as PDF)."""

    filename: str
    media_type: str
    content: bytes


def download(filename: str, media_type: str, content: bytes) -> Response:
    """Bytes to save under ``filename``; nosniff: the browser keeps to ``media_type`` instead of
    guessing from the bytes."""
    return Response(
        content=content,
        media_type=media_type,
        headers={"Content-Disposition": content_disposition(filename), "X-Content-Type-Options": "nosniff"},
    )


# The OpenAPI answer of a download: the file's bytes in the type it was accepted as.
DOWNLOAD_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "the file's bytes, in the type it was uploaded as",
        "content": {
            media_type: {"schema": {"type": "string", "format": "binary"}}
            for media_type in sorted(ALLOWED_CONTENT_TYPES)
        },
    }
}
