"""Requests for proposals: the list, and the supplier's side: the request and its answer, line by line
(a price, or declined), with its files. The buyer's side is in ``rfp_buyer_pages``."""

from __future__ import annotations

import asyncio
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from web.adapters.gateway_api import ApiProblem, GatewayApi
from web.domain.sessions import WebSession
from web.entrypoints import collaboration, rfp_buyer_pages
from web.entrypoints.deps import Api, CheckedForm, CurrentSession
from web.entrypoints.downloads import as_download
from web.entrypoints.rendering import RFP_STATUS_WORDS, FormErrors, list_page, marked_below, render

router = APIRouter(tags=["requests for proposals"])

DONE_MESSAGES = {
    "saved": "Your proposal was saved. The buyer sees it once you submit it.",
    "submitted": "Your proposal was submitted to the buyer.",
    "attached": "The file was attached to your proposal.",
}


@router.get("/rfps", response_class=HTMLResponse)
async def rfp_list(request: Request, session: CurrentSession, api: Api, status: str = "", cursor: str = "") -> Response:
    return await list_page(
        request, api, path="/rfps", template="rfps.html", words=RFP_STATUS_WORDS, status=status, cursor=cursor
    )


def _own_record(session: WebSession, rfp: dict[str, Any]) -> str | None:
    """The supplier record of the person's that was invited (a supplier may serve a buyer twice)."""
    mine = {o["supplier_id"] for o in session.organisations}
    # In invitation order, as the API picks the record whose proposal an RFP's answer carries.
    return next((str(s) for s in rfp.get("supplier_ids") or [] if str(s) in mine), None)


async def _maybe(call: Any) -> Any:
    try:
        return await call
    except ApiProblem as problem:
        if problem.status == 404:
            return None
        raise


async def _rfp_page(
    request: Request,
    session: WebSession,
    api: GatewayApi,
    rfp_id: UUID,
    *,
    status_code: int = 200,
    errors: FormErrors | None = None,
    typed: dict[str, Any] | None = None,
    attachment_errors: FormErrors | None = None,
) -> HTMLResponse:
    rfp = await api.get(f"/rfps/{rfp_id}")
    # The RFP's answer already carries the supplier's own proposal; only the files are asked for.
    proposal = rfp.get("proposal")
    files, documents = await asyncio.gather(
        _maybe(api.get(f"/rfps/{rfp_id}/proposal/attachments", {"supplier_id": _own_record(session, rfp)})),
        _maybe(api.get(f"/rfps/{rfp_id}/attachments")),
    )
    answers = {str(line["rfp_line_id"]): line.get("unit_price") for line in (proposal or {}).get("lines", [])}
    return render(
        request,
        "rfp.html",
        status_code=status_code,
        rfp=rfp,
        proposal=proposal,
        answers=answers,
        typed=typed,
        files=(files or {}).get("items", []),
        documents=(documents or {}).get("items", []),
        errors=errors or FormErrors(),
        attachment_errors=attachment_errors or FormErrors(),
        open=rfp.get("status") == "published",
        done=DONE_MESSAGES.get(request.query_params.get("done", ""), ""),
    )


@router.get("/rfps/{rfp_id}", response_class=HTMLResponse)
async def rfp_page(request: Request, session: CurrentSession, api: Api, rfp_id: UUID) -> Response:
    if session.is_buyer:
        return await rfp_buyer_pages.buyer_rfp_page(request, api, rfp_id)
    return await _rfp_page(request, session, api, rfp_id)


def _answer(form: FormData, rfp: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any], FormErrors]:
    """The proposal's lines from the form, what was typed (to show again) and what is wrong."""
    lines: list[dict[str, Any]] = []
    typed: dict[str, Any] = {}
    errors = FormErrors()
    for index, line in enumerate(rfp.get("lines", [])):
        line_id = str(line["id"])
        declined = form.get(f"decline-{line_id}") == "on"
        price = str(form.get(f"price-{line_id}") or "").strip()
        typed[line_id] = {"price": price, "declined": declined}
        if declined:
            lines.append({"rfp_line_id": line_id, "unit_price": None})
            continue
        try:
            value = Decimal(price)
            if not value.is_finite() or value < 0:
                raise InvalidOperation
        except InvalidOperation:
            message = "Enter a unit price, or decline the line." if not price else "Enter a price, like 12.50."
            errors.add(f"lines.{index}.unit_price", message)
            continue
        lines.append({"rfp_line_id": line_id, "unit_price": price})
    typed["comment"] = str(form.get("comment") or "")
    return lines, typed, errors


@router.post("/rfps/{rfp_id}/proposal", response_class=HTMLResponse)
async def answer(request: Request, session: CurrentSession, api: Api, form: CheckedForm, rfp_id: UUID) -> Response:
    rfp = await api.get(f"/rfps/{rfp_id}")
    lines, typed, errors = _answer(form, rfp)
    scope = {"supplier_id": _own_record(session, rfp)}
    query = f"?supplier_id={scope['supplier_id']}" if scope["supplier_id"] else ""
    if not errors:
        try:
            comment = typed["comment"].strip() or None
            await api.put(f"/rfps/{rfp_id}/proposal{query}", {"lines": lines, "comment": comment})
            if form.get("action") == "submit":
                await api.post(f"/rfps/{rfp_id}/proposal/submit{query}")
        except ApiProblem as problem:
            if not problem.about_the_input:
                raise
            errors = FormErrors(problem)
    if errors:
        errors.message = errors.message or marked_below("proposal")
        return await _rfp_page(request, session, api, rfp_id, status_code=422, errors=errors, typed=typed)
    done = "submitted" if form.get("action") == "submit" else "saved"
    return RedirectResponse(f"/rfps/{rfp_id}?done={done}", status_code=303)


@router.post("/rfps/{rfp_id}/attachments", response_class=HTMLResponse)
async def attach(request: Request, session: CurrentSession, api: Api, form: CheckedForm, rfp_id: UUID) -> Response:
    rfp = await api.get(f"/rfps/{rfp_id}")
    record = _own_record(session, rfp)
    query = f"?supplier_id={record}" if record else ""
    limit = request.app.state.settings.max_upload_bytes
    errors = await collaboration.add_attachment(api, f"/rfps/{rfp_id}/proposal", form, limit, query=query)
    if errors:
        return await _rfp_page(request, session, api, rfp_id, status_code=422, attachment_errors=errors)
    return RedirectResponse(f"/rfps/{rfp_id}?done=attached#attachments", status_code=303)


@router.get("/rfps/{rfp_id}/attachments/{attachment_id}")
async def attachment(session: CurrentSession, api: Api, rfp_id: UUID, attachment_id: UUID) -> Response:
    rfp = await api.get(f"/rfps/{rfp_id}")
    scope = {"supplier_id": _own_record(session, rfp)}
    download = await api.download(f"/rfps/{rfp_id}/proposal/attachments/{attachment_id}", scope)
    return as_download(download, "attachment")
