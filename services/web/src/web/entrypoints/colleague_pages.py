"""A supplier's colleagues: the accounts that work on the same supplier records, the colleagues
invited who have not accepted yet, inviting one, and switching one off and on.

A colleague is invited to the records the session covers (every buyer, or the one chosen); the
API refuses what the person may not do (their own account, a colleague who also works for a
company the person cannot see), and the page says why.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.adapters.gateway_api import ApiProblem, GatewayApi
from web.domain.accounts import by_name, named
from web.domain.sessions import WebSession
from web.entrypoints import account_switches
from web.entrypoints.deps import Api, CheckedForm, CurrentSession
from web.entrypoints.rendering import FormErrors, as_sentences, marked_below, render

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
    return render(
        request,
        "colleagues.html",
        status_code=status_code,
        colleagues=by_name(page["items"]),
        invitations=sorted(page["invitations"], key=lambda i: str(i["email"])),
        invited=invited,
        switched=account_switches.switched_message(query, page["items"], SWITCHED_MESSAGES),
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
        errors.message = marked_below("invitation")
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
        errors.message = marked_below("invitation")
    return await _colleagues_page(request, api, typed=typed, errors=errors, status_code=422)


account_switches.add_routes(router, "/colleagues", "/portal/users", _colleagues_page)
