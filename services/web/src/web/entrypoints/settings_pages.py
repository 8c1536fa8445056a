"""Buyer pages of the organisation: its settings (invoices, matching's defaults, the supplier portal
switch, explained before it is confirmed) and its people (the list, adding one, switching one off and on)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.adapters.gateway_api import ApiProblem, GatewayApi
from web.domain.accounts import by_name
from web.domain.matching_settings import MatchingForm
from web.entrypoints import account_switches
from web.entrypoints.deps import Api, CheckedForm, CurrentSession
from web.entrypoints.rendering import FormErrors, as_sentences, marked_below, render, sentence

router = APIRouter(tags=["settings"])

DONE_MESSAGES = {
    "invoices": "The invoice settings were saved.",
    "matching": "The matching settings were saved.",
    "profile": "The organisation profile was saved.",
    "portal_off": "The supplier portal is off. Your staff can now create invoices on the suppliers' behalf.",
    "portal_on": "The supplier portal is on. Suppliers with portal access can sign in and send invoices again.",
}
USER_ROLES = ("buyer_user", "buyer_admin")
# What the users page says once a user was switched off or on; ``{name}`` is theirs.
SWITCHED_MESSAGES = {
    "off": "{name} was switched off: they are signed out everywhere and cannot sign in until you switch them on.",
    "on": "{name} was switched on: they sign in again with their password.",
}


async def _settings_page(
    request: Request,
    api: GatewayApi,
    *,
    problem: str = "",
    matching: MatchingForm | None = None,
    matching_errors: FormErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    settings = await api.get("/settings")
    return render(
        request,
        "settings.html",
        status_code=status_code,
        settings=settings,
        matching=matching or MatchingForm.of_settings(settings),
        matching_errors=matching_errors or FormErrors(),
        done=DONE_MESSAGES.get(request.query_params.get("done", ""), ""),
        problem=problem,
    )


def _refused(problem: ApiProblem) -> str:
    return sentence(f"Nothing was changed: {problem.detail or problem.title}")


@router.get("/settings", response_class=HTMLResponse)
async def settings_page(request: Request, session: CurrentSession, api: Api) -> HTMLResponse:
    return await _settings_page(request, api)


@router.post("/settings/invoices", response_class=HTMLResponse)
async def save_invoice_settings(request: Request, session: CurrentSession, api: Api, form: CheckedForm) -> Response:
    changes: dict[str, Any] = {"invoice_issue_date_required": form.get("invoice_issue_date_required") == "yes"}
    for name in ("default_payment_terms_days", "approval_reminder_days"):
        # Sent as typed: the API refuses what is not a whole number in range, and the page says so.
        if (value := str(form.get(name) or "").strip()) != "":
            changes[name] = value
    return await _save_settings(request, api, changes, "invoices")


@router.post("/settings/matching", response_class=HTMLResponse)
async def save_matching_settings(request: Request, session: CurrentSession, api: Api, form: CheckedForm) -> Response:
    matching = MatchingForm.of_form(form)
    try:
        await api.patch("/settings", matching.changes())
    except ApiProblem as problem:
        if not problem.about_the_input:
            raise
        errors = FormErrors(problem, message=marked_below("form"))
        if not errors.fields:  # not about one value (a buyer user's forged form): said at the top
            return await _settings_page(
                request, api, matching=matching, problem=_refused(problem), status_code=problem.status
            )
        return await _settings_page(
            request, api, matching=matching, matching_errors=as_sentences(errors), status_code=problem.status
        )
    return RedirectResponse("/settings?done=matching", status_code=303)


# The organisation's details on its documents; an emptied field clears the detail.
PROFILE_FIELDS = ("legal_name", "address", "tax_id", "contact_name", "contact_email", "contact_phone")


@router.post("/settings/profile", response_class=HTMLResponse)
async def save_organisation_profile(request: Request, session: CurrentSession, api: Api, form: CheckedForm) -> Response:
    changes = {name: str(form.get(name) or "").strip() for name in PROFILE_FIELDS}
    return await _save_settings(request, api, changes, "profile")


async def _save_settings(request: Request, api: GatewayApi, changes: dict[str, Any], done: str) -> Response:
    try:
        await api.patch("/settings", changes)
    except ApiProblem as problem:
        if not problem.about_the_input:
            raise
        return await _settings_page(request, api, problem=_refused(problem), status_code=problem.status)
    return RedirectResponse(f"/settings?done={done}", status_code=303)


def _wanted(switch: str) -> bool | None:
    return {"on": True, "off": False}.get(switch)


@router.get("/settings/portal", response_class=HTMLResponse)
async def portal_switch(request: Request, session: CurrentSession, api: Api, switch: str = "") -> Response:
    """What switching the supplier portal on or off does, and the button that confirms it."""
    enabled = _wanted(switch)
    settings = await api.get("/settings")
    if enabled is None or settings["supplier_portal_enabled"] == enabled:
        return RedirectResponse("/settings", status_code=303)
    return render(request, "settings_portal.html", settings=settings, enabled=enabled, switch=switch)


@router.post("/settings/portal", response_class=HTMLResponse)
async def confirm_portal_switch(request: Request, session: CurrentSession, api: Api, form: CheckedForm) -> Response:
    enabled = _wanted(str(form.get("switch") or ""))
    if enabled is None:
        return RedirectResponse("/settings", status_code=303)
    try:
        await api.patch("/settings", {"supplier_portal_enabled": enabled})
    except ApiProblem as problem:
        if not problem.about_the_input:
            raise
        return await _settings_page(request, api, problem=_refused(problem), status_code=problem.status)
    return RedirectResponse(f"/settings?done=portal_{'on' if enabled else 'off'}", status_code=303)


# People of the organisation ---------------------------------------------------------------------


async def _users_page(
    request: Request,
    api: GatewayApi,
    *,
    typed: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    problem: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    users = await api.get("/users")
    added = request.query_params.get("added", "")
    return render(
        request,
        "users.html",
        status_code=status_code,
        users=by_name(users["items"]),
        switched=account_switches.switched_message(request.query_params, users["items"], SWITCHED_MESSAGES),
        problem=problem,
        typed=typed or {"role": "buyer_user"},
        errors=errors or FormErrors(),
        roles=USER_ROLES,
        added=next((u for u in users["items"] if u["id"] == added), None),
    )


@router.get("/users", response_class=HTMLResponse)
async def users_page(request: Request, session: CurrentSession, api: Api) -> HTMLResponse:
    return await _users_page(request, api)


def _user_errors(problem: ApiProblem) -> FormErrors:
    errors = FormErrors(problem)
    if problem.status == 409:
        # The email has an account already (here or at a supplier): said next to it.
        errors.add("email", problem.detail or problem.title)
    if errors.fields:
        errors.message = marked_below("new user")
    return as_sentences(errors)


@router.post("/users", response_class=HTMLResponse)
async def add_user(request: Request, session: CurrentSession, api: Api, form: CheckedForm) -> Response:
    typed = {name: str(form.get(name) or "").strip() for name in ("name", "email", "role")}
    body: dict[str, Any] = typed | {"password": str(form.get("password") or "")}
    try:
        created = await api.post("/users", body)
    except ApiProblem as problem:
        if not problem.about_the_input:
            raise
        return await _users_page(request, api, typed=typed, errors=_user_errors(problem), status_code=422)
    return RedirectResponse(f"/users?added={created['id']}", status_code=303)


account_switches.add_routes(router, "/users", "/users", _users_page)
