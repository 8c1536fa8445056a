"""Files from the API handed to the browser: always as a download, never rendered in the page's origin."""

from __future__ import annotations

from fastapi import UploadFile
from fastapi.responses import Response
from starlette.datastructures import FormData
from starlette.datastructures import UploadFile as StarletteUpload

from web.adapters.gateway_api import Download


def as_download(download: Download, fallback_name: str) -> Response:
    disposition = download.content_disposition or f'attachment; filename="{fallback_name}"'
    if not disposition.lower().startswith("attachment"):
        disposition = "attachment" + disposition[disposition.find(";") :] if ";" in disposition else "attachment"
    return Response(
        download.content,
        media_type=download.content_type,
        headers={"Content-Disposition": disposition, "Content-Security-Policy": "sandbox; default-src 'none'"},
    )


def uploaded_file(form: FormData, name: str = "file") -> StarletteUpload | None:
    """The file posted in field ``name``, or None when the person chose none."""
    value = form.get(name)
    if isinstance(value, (StarletteUpload, UploadFile)) and value.filename:
        return value
    return None
