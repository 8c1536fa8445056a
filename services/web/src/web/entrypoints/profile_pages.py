"""The supplier's own profile, per buyer it serves: what the supplier keeps (contact, its legal
name, address and tax ID as documents print them, terms, the custom fields the buyer shows), with
the buyer's currency read-only."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from web.adapters.gateway_api import ApiProblem, GatewayApi
from web.domain.sessions import WebSession
from web.entrypoints.deps import Api, CheckedForm, CurrentSession
from web.entrypoints.rendering import FormErrors, render

router = APIRouter(tags=["profile"])

# The fields the supplier owns; the rest of the record is the buyer's.
TEXT_FIELDS = ("name", "email", "phone", "legal_name", "address", "tax_id")


def _buyer_names(session: WebSession) -> dict[str, str]:
    return {o["supplier_id"]: o.get("buyer_name") or "" for o in session.organisations}


async def _profile_page(
    request: Request,
    session: WebSession,
    api: GatewayApi,
    *,
    status_code: int = 200,
    errors: dict[str, FormErrors] | None = None,
    typed: dict[str, dict[str, Any]] | None = None,
) -> HTMLResponse:
    page = await api.get("/portal/profiles")
    profiles = page["items"]
    if session.supplier_id is not None:
        profiles = [p for p in profiles if p["supplier_id"] == str(session.supplier_id)] or profiles
    return render(
        request,
        "profile.html",
        status_code=status_code,
        profiles=profiles,
        buyer_names=_buyer_names(session),
        errors=errors or {},
        typed=typed or {},
        done=request.query_params.get("done") == "saved",
    )


@router.get("/profile", response_class=HTMLResponse)
async def profile(request: Request, session: CurrentSession, api: Api) -> Response:
    if not session.is_supplier:
        return RedirectResponse("/", status_code=303)
    return await _profile_page(request, session, api)


def _changes(form: FormData, current: dict[str, Any]) -> dict[str, Any]:
    """What the form changes, as the API's PATCH takes it (a field emptied is cleared)."""
    changes: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if name in form:
            # A browser ends a text area's lines with "\r\n"; the profile keeps "\n".
            value = str(form.get(name) or "").strip().replace("\r\n", "\n")
            if value != (current.get(name) or ""):
                changes[name] = value or None
    if "minimum_order_amount" in form:
        value = str(form.get("minimum_order_amount") or "").strip()
        if value != (current.get("minimum_order_amount") or ""):
            changes["minimum_order_amount"] = value or None
    if "lead_time_days" in form:
        value = str(form.get("lead_time_days") or "").strip()
        if value != ("" if current.get("lead_time_days") is None else str(current["lead_time_days"])):
            changes["lead_time_days"] = value or None
    custom: dict[str, Any] = {}
    known: dict[str, Any] = current.get("custom_fields") or {}
    for field in (name for name in form if name.startswith("cf-")):
        key = field.removeprefix("cf-")
        kept = known.get(key)
        typed = str(form.get(field) or "").strip()
        if typed != ("" if kept is None else str(kept)):
            custom[key] = typed or None
    if custom:
        changes["custom_fields"] = custom
    return changes


@router.post("/profile/{supplier_id}", response_class=HTMLResponse)
async def save_profile(
    request: Request, session: CurrentSession, api: Api, form: CheckedForm, supplier_id: UUID
) -> Response:
    current = await api.get(f"/portal/profiles/{supplier_id}")
    changes = _changes(form, current)
    if changes:
        try:
            await api.patch(f"/portal/profiles/{supplier_id}", changes)
        except ApiProblem as problem:
            if not problem.about_the_input:
                raise
            typed = {str(supplier_id): {k: form.get(k) for k in form if k != "csrf_token"}}
            errors = {str(supplier_id): FormErrors(problem)}
            return await _profile_page(request, session, api, status_code=422, errors=errors, typed=typed)
    return RedirectResponse("/profile?done=saved", status_code=303)
