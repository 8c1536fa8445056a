"""Requests for proposals, the buyer's side: the request editor (new, or a draft), publishing, the
proposals side by side, the award after a confirmation (which opens the draft purchase order it
made), and the buyer's documents on the request. Registered before ``rfp_pages``: its
``/rfps/new`` comes before ``/rfps/{rfp_id}``."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from web.adapters.gateway_api import ApiProblem, GatewayApi
from web.domain import rfp_comparison
from web.domain.rfp_editor import RfpEditor
from web.domain.sessions import WebSession
from web.entrypoints import collaboration
from web.entrypoints.deps import Api, CheckedForm, CurrentSession
from web.entrypoints.downloads import as_download
from web.entrypoints.editors import editor_refusal, line_button, next_step, own_checks
from web.entrypoints.rendering import FormErrors, refusal_message, render
from web.entrypoints.supplier_choice import active, all_suppliers

router = APIRouter(tags=["requests for proposals"])

BUYER_DONE_MESSAGES = {
    "saved": "The request was saved as a draft. The suppliers see nothing of it until you publish it.",
    "published": "The request was published: the invited suppliers were emailed and can answer until the due date.",
    "document": "The document was attached. The invited suppliers can download it while the request is published.",
}
BUYER_PROBLEM_MESSAGES = {
    "publish": "The request was saved as a draft but could not be published. Check it and publish it again.",
}
# Requests whose proposals can still be awarded (the API refuses the others anyway).
AWARDABLE = {"published", "closed"}
# Requests the buyer may still attach documents to (the API refuses the others anyway).
TAKES_DOCUMENTS = {"draft", "published"}
# The fields the editor shows a message beside; what the API refuses elsewhere is said at the top.
EDITOR_FIELDS = re.compile(
    r"title|due_date|currency|supplier_ids(\.\d+)?|lines|lines\.\d+\.(description|quantity|unit)"
)


@router.get("/rfps/new", response_class=HTMLResponse)
async def new_rfp(request: Request, session: CurrentSession, api: Api) -> Response:
    if not session.is_buyer:
        return RedirectResponse("/rfps", status_code=303)
    suppliers = active(await all_suppliers(api))
    return _editor_page(request, editor=RfpEditor.new(), suppliers=suppliers, action="/rfps/new")


@router.post("/rfps/new", response_class=HTMLResponse)
async def create_rfp(request: Request, session: CurrentSession, api: Api, form: CheckedForm) -> Response:
    return await _save(request, api, form, rfp=None)


def _editor_page(
    request: Request,
    *,
    editor: RfpEditor,
    suppliers: list[dict[str, Any]],
    action: str,
    rfp: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    errors = errors or FormErrors()
    # The API names a refused invitation by its place in the list sent ("supplier_ids.1").
    supplier_errors = {
        supplier_id: message
        for index, supplier_id in enumerate(editor.supplier_ids)
        if (message := errors.get(f"supplier_ids.{index}"))
    }
    currencies = sorted({str(s["currency"]) for s in suppliers} | ({editor.currency} if editor.currency else set()))
    return render(
        request,
        "rfp_form.html",
        status_code=status_code,
        editor=editor,
        suppliers=suppliers,
        currencies=currencies,
        action=action,
        rfp=rfp,
        errors=errors,
        supplier_errors=supplier_errors,
    )


async def _save(request: Request, api: GatewayApi, form: FormData, *, rfp: dict[str, Any] | None) -> Response:
    """One press of a button of the editor: change the lines, or save (and publish)."""
    invited_before = [str(s) for s in (rfp or {}).get("supplier_ids") or []]
    suppliers = active(await all_suppliers(api), keep=invited_before)
    known = {str(s["id"]) for s in suppliers}
    editor = RfpEditor.from_form(form, [str(v) for v in form.getlist("supplier_id")], known)
    action = str(form.get("action") or "save")
    action_url = f"/rfps/{rfp['id']}/edit" if rfp else "/rfps/new"

    def again(errors: FormErrors | None = None, status_code: int = 200) -> HTMLResponse:
        return _editor_page(
            request,
            editor=editor,
            suppliers=suppliers,
            action=action_url,
            rfp=rfp,
            errors=errors,
            status_code=status_code,
        )

    if (edited := line_button(action, editor, editor.with_new_line)) is not None:
        editor = edited
        return again()
    editor = editor.without_untouched_lines()
    errors = own_checks(editor.problems(datetime.now(UTC).date()), "request")
    if errors:
        if not editor.lines:
            editor = editor.with_new_line()
        return again(errors, 422)
    try:
        if rfp is None:
            saved = await api.post("/rfps", editor.api_body())
        else:
            saved = await api.patch(f"/rfps/{rfp['id']}", editor.api_body())
    except ApiProblem as problem:
        if not problem.about_the_input:
            raise
        return again(editor_refusal(problem, EDITOR_FIELDS, "request"), 422)
    page = f"/rfps/{saved['id']}"
    if action == "publish":
        return await next_step(api, page, "publish", done="published", refused="publish")
    return RedirectResponse(f"{page}?done=saved", status_code=303)


async def _draft(api: GatewayApi, session: WebSession, rfp_id: UUID) -> dict[str, Any] | None:
    """The request, while the buyer may still edit it; None sends the person back to its page."""
    rfp: dict[str, Any] = await api.get(f"/rfps/{rfp_id}")
    return rfp if session.is_buyer and rfp["status"] == "draft" else None


@router.get("/rfps/{rfp_id}/edit", response_class=HTMLResponse)
async def edit_rfp(request: Request, session: CurrentSession, api: Api, rfp_id: UUID) -> Response:
    rfp = await _draft(api, session, rfp_id)
    if rfp is None:
        return RedirectResponse(f"/rfps/{rfp_id}", status_code=303)
    invited = [str(s) for s in rfp.get("supplier_ids") or []]
    suppliers = active(await all_suppliers(api), keep=invited)
    return _editor_page(
        request, editor=RfpEditor.from_rfp(rfp), suppliers=suppliers, action=f"/rfps/{rfp_id}/edit", rfp=rfp
    )


@router.post("/rfps/{rfp_id}/edit", response_class=HTMLResponse)
async def save_rfp(request: Request, session: CurrentSession, api: Api, form: CheckedForm, rfp_id: UUID) -> Response:
    rfp = await _draft(api, session, rfp_id)
    if rfp is None:
        return RedirectResponse(f"/rfps/{rfp_id}", status_code=303)
    return await _save(request, api, form, rfp=rfp)


async def buyer_rfp_page(
    request: Request,
    api: GatewayApi,
    rfp_id: UUID,
    *,
    status_code: int = 200,
    refusal: str = "",
    document_errors: FormErrors | None = None,
) -> HTMLResponse:
    """The request with its documents, and once published the proposals side by side, each with its files."""
    rfp, suppliers, documents = await asyncio.gather(
        api.get(f"/rfps/{rfp_id}"), all_suppliers(api), api.get(f"/rfps/{rfp_id}/attachments")
    )
    names = {str(s["id"]): str(s.get("name") or "") for s in suppliers}
    comparison = None
    files: dict[str, list[dict[str, Any]]] = {}
    if rfp["status"] != "draft":
        comparison = rfp_comparison.compare(rfp, await api.get(f"/rfps/{rfp_id}/proposals"), names)
        answered = [c.proposal_id for c in comparison.columns if c.proposal]
        pages = await asyncio.gather(*(api.get(f"/rfps/{rfp_id}/proposals/{p}/attachments") for p in answered))
        files = {proposal_id: page["items"] for proposal_id, page in zip(answered, pages, strict=True)}
    award = request.query_params.get("award", "")
    columns = comparison.columns if comparison else ()
    awarding = next((c for c in columns if c.proposal_id == award and c.status == "submitted"), None)
    return render(
        request,
        "rfp.html",
        status_code=status_code,
        rfp=rfp,
        invited=[(str(s), names.get(str(s)) or "Unknown supplier") for s in rfp.get("supplier_ids") or []],
        comparison=comparison,
        files=files,
        awardable=rfp["status"] in AWARDABLE,
        awarding=awarding if rfp["status"] in AWARDABLE else None,
        awarded_to=names.get(str(rfp.get("awarded_supplier_id")), ""),
        documents=documents["items"],
        takes_documents=rfp["status"] in TAKES_DOCUMENTS,
        document_errors=document_errors or FormErrors(),
        done=BUYER_DONE_MESSAGES.get(request.query_params.get("done", ""), ""),
        problem=refusal or BUYER_PROBLEM_MESSAGES.get(request.query_params.get("problem", ""), ""),
    )


def _buyers_only(session: WebSession) -> None:
    """The request page's buttons posted by a supplier (a hand-made request): refused as the API
    would refuse them, before the buyer's page, which a supplier is never shown, is built."""
    if not session.is_buyer:
        raise ApiProblem(403, "Forbidden", "Only the buyer's staff can do this.")


@router.post("/rfps/{rfp_id}/publish", response_class=HTMLResponse)
async def publish(request: Request, session: CurrentSession, api: Api, form: CheckedForm, rfp_id: UUID) -> Response:
    _buyers_only(session)
    try:
        await api.post(f"/rfps/{rfp_id}/publish")
    except ApiProblem as problem:
        if not problem.about_the_input:
            raise
        return await buyer_rfp_page(request, api, rfp_id, status_code=problem.status, refusal=refusal_message(problem))
    return RedirectResponse(f"/rfps/{rfp_id}?done=published", status_code=303)


@router.post("/rfps/{rfp_id}/award", response_class=HTMLResponse)
async def award(request: Request, session: CurrentSession, api: Api, form: CheckedForm, rfp_id: UUID) -> Response:
    """The proposal wins: the draft purchase order the API made of it opens."""
    _buyers_only(session)
    try:
        awarded = await api.post(f"/rfps/{rfp_id}/award", {"proposal_id": str(form.get("proposal_id") or "")})
    except ApiProblem as problem:
        if not problem.about_the_input:
            raise
        return await buyer_rfp_page(request, api, rfp_id, status_code=problem.status, refusal=refusal_message(problem))
    return RedirectResponse(f"/purchase-orders/{awarded['purchase_order_id']}?done=awarded", status_code=303)


@router.get("/rfps/{rfp_id}/proposals/{proposal_id}/attachments/{attachment_id}")
async def proposal_attachment(
    session: CurrentSession, api: Api, rfp_id: UUID, proposal_id: UUID, attachment_id: UUID
) -> Response:
    download = await api.download(f"/rfps/{rfp_id}/proposals/{proposal_id}/attachments/{attachment_id}")
    return as_download(download, "attachment")


# The buyer's documents on the request, both ways: the buyer uploads, the invited suppliers download.


@router.post("/rfps/{rfp_id}/documents", response_class=HTMLResponse)
async def attach_document(
    request: Request, session: CurrentSession, api: Api, form: CheckedForm, rfp_id: UUID
) -> Response:
    _buyers_only(session)
    limit = request.app.state.settings.max_upload_bytes
    errors = await collaboration.add_attachment(api, f"/rfps/{rfp_id}", form, limit)
    if errors:
        return await buyer_rfp_page(request, api, rfp_id, status_code=422, document_errors=errors)
    return RedirectResponse(f"/rfps/{rfp_id}?done=document#documents", status_code=303)


@router.get("/rfps/{rfp_id}/documents/{attachment_id}")
async def document(session: CurrentSession, api: Api, rfp_id: UUID, attachment_id: UUID) -> Response:
    download = await api.download(f"/rfps/{rfp_id}/attachments/{attachment_id}")
    return as_download(download, "document")
