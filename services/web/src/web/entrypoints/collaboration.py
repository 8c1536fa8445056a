"""Comments and attachments, the same on every document that has them (orders, invoices).

``document`` is the API path of the document (``/purchase-orders/<id>``); the page path is the
same, so a form posts to ``<page>/comments`` or ``<page>/attachments`` and comes back to the page.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from web.adapters.gateway_api import ApiProblem, GatewayApi
from web.entrypoints.downloads import uploaded_file
from web.entrypoints.rendering import FormErrors


@dataclass
class Collaboration:
    comments: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    comment_errors: FormErrors = field(default_factory=FormErrors)
    comment_text: str = ""
    attachment_errors: FormErrors = field(default_factory=FormErrors)


async def load(api: GatewayApi, document: str) -> Collaboration:
    comments, attachments = await asyncio.gather(
        api.get(f"{document}/comments", {"limit": 200}), api.get(f"{document}/attachments", {"limit": 200})
    )
    return Collaboration(comments=comments["items"], attachments=attachments["items"])


async def add_comment(api: GatewayApi, document: str, form: FormData) -> tuple[FormErrors, str]:
    """Post the comment; on refusal the errors and the text as typed, to show again."""
    body = str(form.get("body") or "")
    if not body.strip():
        errors = FormErrors()
        errors.add("body", "Write a comment first.")
        return errors, body
    try:
        await api.post(f"{document}/comments", {"body": body})
    except ApiProblem as problem:
        if problem.status not in (400, 409, 413, 415, 422):
            raise
        errors = FormErrors(problem)
        if not errors.fields:
            errors.add("body", problem.detail or problem.title)
        return errors, body
    return FormErrors(), ""


async def add_attachment(
    api: GatewayApi, document: str, form: FormData, max_bytes: int, *, field_name: str = "file", query: str = ""
) -> FormErrors:
    upload = uploaded_file(form, field_name)
    errors = FormErrors()
    if upload is None:
        errors.add("file", "Choose a file to attach.")
        return errors
    content = await upload.read(max_bytes + 1)
    if len(content) > max_bytes:
        errors.add("file", f"The file is larger than {max_bytes // (1024 * 1024)} MB.")
        return errors
    try:
        await api.upload(
            f"{document}/attachments{query}",
            upload.filename or "file",
            content,
            upload.content_type or "application/octet-stream",
        )
    except ApiProblem as problem:
        if problem.status not in (400, 409, 413, 415, 422):
            raise
        errors.add("file", problem.detail or problem.title)
    return errors
