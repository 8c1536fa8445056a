"""A supplier's colleagues: the accounts that work on the same supplier records, the colleagues
invited who have not accepted yet, inviting one, and switching one off and on.

A colleague is invited to the records the session covers (every buyer, or the one chosen); the
API refuses what the person may not do (their own account, a colleague who also works for a
company the person cannot see), and the page says why.
"""

from __future__ import annotations

from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.adapters.gateway_api import ApiProblem, GatewayApi
from web.domain.accounts import by_name, named
from web.domain.sessions import WebSession
from web.entrypoints.deps import Api, CheckedForm, CurrentSession
from web.entrypoints.rendering import FormErrors, as_sentences, render, switch_account

router = APIRouter(tags=["colleagues"])

SWITCHED_MESSAGES = {
    "off": "{name} was switched off: they are signed out and cannot sign in until you switch them on.",
    "on": "{name} was switched on: they sign in again with their password.",
}


def _not_for_buyers(session: WebSession) -> RedirectResponse | None:
    """A buyer's people are on the users page of its settings; this page is a supplier's."""
    return None if session.is_supplier else RedirectResponse("/", status_code=303)


async def _colleagues_page(
    request: Request,
    api: GatewayApi,
    *,
    typed: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    problem: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    page = await api.get("/portal/users")
    query = request.query_params
    invited = named(page["invitations"], "email", query.get("invited", ""))
    switched_user = named(page["items"], "id", query.get("user", ""))
    switched = SWITCHED_MESSAGES.get(query.get("switched", ""), "")
    return render(
        request,
        "colleagues.html",
        status_code=status_code,
        colleagues=by_name(page["items"]),
        invitations=sorted(page["invitations"], key=lambda i: str(i["email"])),
        invited=invited,
        switched=switched.format(name=switched_user["name"]) if switched and switched_user else "",
        typed=typed or {},
        errors=errors or FormErrors(),
        problem=problem,
    )


@router.get("/colleagues", response_class=HTMLResponse)
async def colleagues_page(request: Request, session: CurrentSession, api: Api) -> Response:
    if away := _not_for_buyers(session):
        return away
    return await _colleagues_page(request, api)


def _invite_errors(problem: ApiProblem) -> FormErrors:
    errors = FormErrors(problem)
    if problem.status == 409:
        # The address has an account on these records already: said next to it.
        errors.add("email", problem.detail or problem.title)
    elif "email" in errors.fields:
        errors.fields["email"] = "Enter an email address such as name@example.com."
    if errors.fields:
        errors.message = "The invitation has a few things to fix; they are marked below."
    return as_sentences(errors)


@router.post("/colleagues", response_class=HTMLResponse)
async def invite_colleague(request: Request, session: CurrentSession, api: Api, form: CheckedForm) -> Response:
    typed = {name: str(form.get(name) or "").strip() for name in ("name", "email")}
    errors = FormErrors()
    if not typed["name"]:
        errors.add("name", "Enter your colleague's name.")
    if not typed["email"]:
        errors.add("email", "Enter your colleague's email address.")
    if not errors:
        try:
            invitation = await api.post("/portal/users", typed)
        except ApiProblem as problem:
            if not problem.about_the_input:
                raise
            errors = _invite_errors(problem)
        else:
            return RedirectResponse(f"/colleagues?{urlencode({'invited': invitation['email']})}", status_code=303)
    else:
        errors.message = "The invitation has a few things to fix; they are marked below."
    return await _colleagues_page(request, api, typed=typed, errors=errors, status_code=422)


async def _switch(request: Request, api: GatewayApi, user_id: UUID, action: str) -> Response:
    return await switch_account(
        request,
        api,
        api_path="/portal/users",
        page_path="/colleagues",
        user_id=user_id,
        action=action,
        page=_colleagues_page,
    )


@router.post("/colleagues/{user_id}/disable", response_class=HTMLResponse)
async def disable_colleague(
    request: Request, session: CurrentSession, api: Api, form: CheckedForm, user_id: UUID
) -> Response:
    return await _switch(request, api, user_id, "disable")


@router.post("/colleagues/{user_id}/enable", response_class=HTMLResponse)
async def enable_colleague(
    request: Request, session: CurrentSession, api: Api, form: CheckedForm, user_id: UUID
) -> Response:
    return await _switch(request, api, user_id, "enable")
