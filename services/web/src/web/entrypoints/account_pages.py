"""A person's own account: its password and its login email, changed while signed in; a password
forgotten, reset through the emailed link; a new login email confirmed through its link.

A password change ends every other token of the account, this session's included: the session
goes on with the fresh token the API answers (narrowed again to the buyer the supplier chose).
The emailed links open pages whose button does the change (a POST): a mail scanner that follows
links must not use them up.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.adapters.gateway_api import ApiProblem, GatewayApi
from web.domain.sessions import WebSession, session_expiry
from web.entrypoints.auth_pages import anonymous_csrf, set_session_cookie, wait_in_words, with_anonymous_csrf
from web.entrypoints.deps import AnonymousForm, Api, CheckedForm, CurrentSession, now, store_of
from web.entrypoints.rendering import FormErrors, as_sentences, render
from web.entrypoints.security import SESSION_COOKIE

router = APIRouter(tags=["account"])

DONE_MESSAGES = {
    "password": "Your password was changed. You stay signed in here; everywhere else you were signed out.",
}
INVALID_EMAIL = "Enter an email address such as name@example.com."
LINK_ENDED = "This link does not work any more: it was used already, or it expired."
# What the API calls a field, as the account page's forms name them.
PASSWORD_FIELDS = {"password": "new_password"}


def _too_many(problem: ApiProblem) -> FormErrors:
    return FormErrors(message=f"Too many attempts. Try again in {wait_in_words(problem.retry_after)}.")


def _refusal(problem: ApiProblem, renamed: dict[str, str] | None = None) -> FormErrors:
    """The API's refusal of one of these forms, each message next to its field (as the form
    names it); an email the API cannot read is said plainly."""
    if problem.status == 429:
        return _too_many(problem)
    errors = FormErrors(problem)
    errors.fields = {(renamed or {}).get(name, name): message for name, message in errors.fields.items()}
    if problem.status == 422 and "email" in errors.fields:
        errors.fields["email"] = INVALID_EMAIL
    if problem.status == 409:
        errors.fields.setdefault("email", problem.detail or problem.title)
    if errors.fields:
        errors.message = None
    return as_sentences(errors)


# Signed in: the account page -----------------------------------------------------------------


async def _account_page(
    request: Request,
    api: GatewayApi,
    *,
    password_errors: FormErrors | None = None,
    email_errors: FormErrors | None = None,
    typed_email: str = "",
    email_sent_to: str = "",
    me: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    me = me or await api.get("/me")
    return render(
        request,
        "account.html",
        status_code=status_code,
        me=me,
        done=DONE_MESSAGES.get(request.query_params.get("done", ""), ""),
        password_errors=password_errors or FormErrors(),
        email_errors=email_errors or FormErrors(),
        typed_email=typed_email,
        email_sent_to=email_sent_to,
    )


@router.get("/account", response_class=HTMLResponse)
async def account_page(request: Request, session: CurrentSession, api: Api) -> HTMLResponse:
    return await _account_page(request, api)


async def _go_on_with(request: Request, session: WebSession, token: dict[str, Any], response: Response) -> None:
    """Keep the session on the fresh token (every earlier one ended), narrowed again to the buyer
    the supplier works for; should that buyer be out of reach now, the session covers them all."""
    access_token = str(token["access_token"])
    expires_in = int(token["expires_in"])
    store = store_of(request)
    scoped_token: str | None = None
    if session.supplier_id is not None:
        try:
            scoped = await GatewayApi(request.app.state.gateway_client, access_token).post(
                "/auth/switch", {"supplier_id": str(session.supplier_id)}
            )
            scoped_token = str(scoped["access_token"])
        except ApiProblem:
            await store.choose_supplier(session.digest, None, None)
    await store.renew(session.digest, access_token, scoped_token, session_expiry(now(), expires_in))
    if key := request.cookies.get(SESSION_COOKIE):
        set_session_cookie(request, response, key, expires_in)


@router.post("/account/password", response_class=HTMLResponse)
async def change_password(request: Request, session: CurrentSession, api: Api, form: CheckedForm) -> Response:
    current = str(form.get("current_password") or "")
    new = str(form.get("new_password") or "")
    errors = FormErrors()
    if not current:
        errors.add("current_password", "Enter your current password.")
    if not new:
        errors.add("new_password", "Choose a new password.")
    if not errors:
        # As the account itself (not the token narrowed to one buyer): the fresh token is the session's.
        account = GatewayApi(request.app.state.gateway_client, session.access_token)
        try:
            token = await account.post("/me/password", {"current_password": current, "new_password": new})
        except ApiProblem as problem:
            if not problem.about_the_input:
                raise
            errors = _refusal(problem, PASSWORD_FIELDS)
        else:
            response = RedirectResponse("/account?done=password", status_code=303)
            await _go_on_with(request, session, token, response)
            return response
    return await _account_page(request, api, password_errors=errors, status_code=422)


@router.post("/account/email", response_class=HTMLResponse)
async def change_email(request: Request, session: CurrentSession, api: Api, form: CheckedForm) -> Response:
    email = str(form.get("email") or "").strip()
    password = str(form.get("password") or "")
    # The address as it is now (a link confirmed since sign-in changed it).
    me: dict[str, Any] = await api.get("/me")
    errors = FormErrors()
    if not email:
        errors.add("email", "Enter the new email address.")
    elif email.casefold() == str(me["email"]).casefold():
        errors.add("email", "You already sign in with this address.")
    if not password:
        errors.add("password", "Enter your password.")
    if not errors:
        try:
            await api.post("/me/email", {"email": email, "password": password})
        except ApiProblem as problem:
            if not problem.about_the_input:
                raise
            errors = _refusal(problem)
        else:
            return await _account_page(request, api, email_sent_to=email, me=me)
    return await _account_page(request, api, email_errors=errors, typed_email=email, me=me, status_code=422)


# Not signed in: a forgotten password ------------------------------------------------------------


def _anonymous_page(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    anonymous_csrf(request)
    return with_anonymous_csrf(request, render(request, template, status_code=status_code, **context))


@router.get("/password-reset", response_class=HTMLResponse)
async def password_reset_page(request: Request) -> Response:
    return _anonymous_page(request, "password_reset.html", errors=FormErrors(), email="", sent=False)


@router.post("/password-reset", response_class=HTMLResponse)
async def request_password_reset(request: Request, form: AnonymousForm) -> Response:
    email = str(form.get("email") or "").strip()
    errors = FormErrors()
    if not email:
        errors.add("email", "Enter the email address you sign in with.")
    else:
        try:
            await GatewayApi(request.app.state.gateway_client).post("/auth/password-reset", {"email": email})
        except ApiProblem as problem:
            if not problem.about_the_input:
                raise
            errors = _refusal(problem)
        else:
            # The same answer for every address: the page tells nobody which ones have an account.
            return _anonymous_page(request, "password_reset.html", errors=errors, email=email, sent=True)
    return _anonymous_page(request, "password_reset.html", status_code=422, errors=errors, email=email, sent=False)


@router.get("/password-reset/{token}", response_class=HTMLResponse)
async def new_password_page(request: Request, token: str) -> Response:
    return _anonymous_page(request, "new_password.html", token=token, errors=FormErrors())


@router.post("/password-reset/{token}", response_class=HTMLResponse)
async def set_new_password(request: Request, token: str, form: AnonymousForm) -> Response:
    password = str(form.get("password") or "")
    errors = FormErrors()
    if not password:
        errors.add("password", "Choose a new password.")
    else:
        try:
            await GatewayApi(request.app.state.gateway_client).post(
                f"/auth/password-reset/{token}", {"password": password}
            )
        except ApiProblem as problem:
            if problem.status == 404:
                errors = FormErrors(message=LINK_ENDED)
            elif problem.about_the_input:
                errors = _refusal(problem)
            else:
                raise
        else:
            return RedirectResponse("/sign-in?password_reset=1", status_code=303)
    link_ended = errors.message == LINK_ENDED
    return _anonymous_page(
        request, "new_password.html", status_code=422, token=token, errors=errors, link_ended=link_ended
    )


# A new login email, confirmed through its link ---------------------------------------------------


@router.get("/email-change/{token}", response_class=HTMLResponse)
async def confirm_email_page(request: Request, token: str) -> Response:
    return _anonymous_page(request, "email_change.html", token=token, problem="", changed_to="")


@router.post("/email-change/{token}", response_class=HTMLResponse)
async def confirm_email(request: Request, token: str, form: AnonymousForm) -> Response:
    try:
        changed = await GatewayApi(request.app.state.gateway_client).post(f"/auth/email-change/{token}")
    except ApiProblem as problem:
        if problem.status == 404:
            message = LINK_ENDED + " Ask for a new one on your account page."
        elif problem.status == 409:
            message = "Another account signs in with this address now, so your login email stays as it was."
        else:
            raise
        return _anonymous_page(
            request, "email_change.html", status_code=problem.status, token=token, problem=message, changed_to=""
        )
    return _anonymous_page(request, "email_change.html", token=token, problem="", changed_to=changed["email"])
