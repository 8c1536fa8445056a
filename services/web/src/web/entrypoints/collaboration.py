"""Comments and attachments, the same on every document that has them (orders, invoices).

``document`` is the API path of the document (``/purchase-orders/<id>``); the page path is the
same, so a form posts to ``<page>/comments`` or ``<page>/attachments`` and comes back to the page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from web.adapters.gateway_api import ApiProblem, GatewayApi
from web.entrypoints.deps import Api, CheckedForm, CurrentSession
from web.entrypoints.downloads import as_download, uploaded_file
from web.entrypoints.rendering import FormErrors, panel, post_one_field

# A document's page, shown again with what ``Collaboration`` fields a refusal changes.
DocumentPage = Callable[..., Awaitable[HTMLResponse]]


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


async def refused(api: GatewayApi, document: str, changes: dict[str, Any]) -> Collaboration | None:
    """The comments and files with a refusal to show by its field (``changes``: the
    ``Collaboration`` fields it sets), or None when there is none: the page loads them later."""
    wanted = {name: value for name, value in changes.items() if name in Collaboration.__dataclass_fields__}
    if not wanted:
        return None
    talk = await load(api, document)
    for name, value in wanted.items():
        setattr(talk, name, value)
    return talk


async def add_comment(api: GatewayApi, document: str, form: FormData) -> tuple[FormErrors, str]:
    """Post the comment; on refusal the errors and the text as typed, to show again."""
    body = str(form.get("body") or "")
    if not body.strip():
        errors = FormErrors()
        errors.add("body", "Write a comment first.")
        return errors, body
    errors = await post_one_field(api, f"{document}/comments", "body", body)
    return errors, body if errors else ""


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
        if not problem.about_the_input:
            raise
        errors.add("file", problem.detail or problem.title)
    return errors


def add_routes(router: APIRouter, base: str, page: DocumentPage) -> None:
    """The comment, upload and download routes of one kind of document (``base``: ``/invoices``).
    A form comes back to the document's page, or shows it again with the refusal by its field."""

    @router.get(base + "/{document_id}/conversation", response_class=HTMLResponse)
    async def conversation(request: Request, document_id: UUID, session: CurrentSession, api: Api) -> Response:
        """The comments and files: the document's page asks for them once it is shown (htmx), and
        without JavaScript the page links here."""
        talk = await load(api, f"{base}/{document_id}")
        return panel(
            request, "partials/collaboration.html", "Comments and files", base=f"{base}/{document_id}", talk=talk
        )

    @router.post(base + "/{document_id}/comments", response_class=HTMLResponse)
    async def comment(
        request: Request, document_id: UUID, session: CurrentSession, api: Api, form: CheckedForm
    ) -> Response:
        errors, text = await add_comment(api, f"{base}/{document_id}", form)
        if errors:
            return await page(request, api, document_id, status_code=422, comment_errors=errors, comment_text=text)
        return RedirectResponse(_back(form, f"{base}/{document_id}", "commented", "comments"), status_code=303)

    @router.post(base + "/{document_id}/attachments", response_class=HTMLResponse)
    async def attach(
        request: Request, document_id: UUID, session: CurrentSession, api: Api, form: CheckedForm
    ) -> Response:
        limit = request.app.state.settings.max_upload_bytes
        errors = await add_attachment(api, f"{base}/{document_id}", form, limit)
        if errors:
            return await page(request, api, document_id, status_code=422, attachment_errors=errors)
        return RedirectResponse(_back(form, f"{base}/{document_id}", "attached", "attachments"), status_code=303)

    @router.get(base + "/{document_id}/attachments/{attachment_id}")
    async def attachment(document_id: UUID, attachment_id: UUID, session: CurrentSession, api: Api) -> Response:
        return as_download(await api.download(f"{base}/{document_id}/attachments/{attachment_id}"), "attachment")


def _back(form: FormData, document: str, done: str, anchor: str) -> str:
    """Back where the form was: the document's page, or its conversation page (without JavaScript)."""
    if form.get("on") == "conversation":
        return f"{document}/conversation#{anchor}"
    return f"{document}?done={done}#{anchor}"
