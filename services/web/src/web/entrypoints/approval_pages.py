"""Approvals: the held invoices routed to the signed-in buyer, the longest waiting first, each with
why it is held and its line report, decided (approved, or rejected with a reason) on the same page;
and their count beside the navigation's link."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.adapters.gateway_api import ApiProblem, GatewayApi
from web.entrypoints.deps import Api, CheckedForm, CurrentSession
from web.entrypoints.rendering import PAGE_SIZE, FormErrors, render, sentence

router = APIRouter(tags=["approvals"])

DONE_MESSAGES = {
    "approved": "The invoice was approved. The supplier was told.",
    "rejected": "The invoice was rejected; the supplier was told why.",
}


async def _approvals_page(
    request: Request,
    api: GatewayApi,
    *,
    cursor: str = "",
    status_code: int = 200,
    refused: dict[str, FormErrors] | None = None,
    reasons: dict[str, str] | None = None,
) -> HTMLResponse:
    page = await api.get("/invoices", {"waiting_for_me": "true", "limit": PAGE_SIZE, "cursor": cursor or None})
    return render(
        request,
        "approvals.html",
        status_code=status_code,
        items=page["items"],
        next_cursor=page.get("next_cursor"),
        first_page=bool(cursor),
        done=DONE_MESSAGES.get(request.query_params.get("done", ""), ""),
        refused=refused or {},
        reasons=reasons or {},
    )


@router.get("/approvals", response_class=HTMLResponse)
async def approvals(request: Request, session: CurrentSession, api: Api, cursor: str = "") -> HTMLResponse:
    return await _approvals_page(request, api, cursor=cursor)


@router.get("/approvals/count", response_class=HTMLResponse)
async def waiting_count(request: Request, session: CurrentSession, api: Api) -> HTMLResponse:
    """How many wait for the person's decision, beside the navigation's link (asked once a page is shown)."""
    count = (await api.get("/invoices/summary")).get("waiting_for_me", 0) if session.is_buyer else 0
    return render(request, "partials/approvals_count.html", count=count)


async def _refused(
    request: Request, api: GatewayApi, invoice_id: UUID, problem: ApiProblem | FormErrors, reason: str = ""
) -> HTMLResponse:
    """The approvals page again, the refusal shown at the invoice it is about."""
    errors = problem if isinstance(problem, FormErrors) else FormErrors(problem)
    if isinstance(problem, ApiProblem):
        errors.message = sentence(problem.detail or problem.title)
    key = str(invoice_id)
    return await _approvals_page(request, api, status_code=422, refused={key: errors}, reasons={key: reason})


@router.post("/approvals/{invoice_id}/approve", response_class=HTMLResponse)
async def approve(request: Request, session: CurrentSession, api: Api, form: CheckedForm, invoice_id: UUID) -> Response:
    try:
        await api.post(f"/invoices/{invoice_id}/approve")
    except ApiProblem as problem:
        if not problem.about_the_input:
            raise
        return await _refused(request, api, invoice_id, problem)
    return RedirectResponse("/approvals?done=approved", status_code=303)


@router.post("/approvals/{invoice_id}/reject", response_class=HTMLResponse)
async def reject(request: Request, session: CurrentSession, api: Api, form: CheckedForm, invoice_id: UUID) -> Response:
    reason = str(form.get("reason") or "")
    if not reason.strip():
        errors = FormErrors()
        errors.add("reason", "Say why the invoice is rejected: the supplier reads it.")
        return await _refused(request, api, invoice_id, errors, reason)
    try:
        await api.post(f"/invoices/{invoice_id}/reject", {"reason": reason})
    except ApiProblem as problem:
        if not problem.about_the_input:
            raise
        return await _refused(request, api, invoice_id, problem, reason)
    return RedirectResponse("/approvals?done=rejected", status_code=303)
