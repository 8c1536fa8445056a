"""Signing in and out, accepting an invitation, choosing the buyer organisation to work for.

Signing out ends the token at the gateway too: a copy of it (a log, a backup of the sessions'
database) opens nothing afterwards."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.adapters.gateway_api import ApiProblem, GatewayApi, SessionLost, Unreachable
from web.domain.accounts import sign_in_notice
from web.domain.sessions import WebSession, key_digest, new_secret, session_expiry
from web.entrypoints.deps import AnonymousForm, CheckedForm, CurrentSession, MaybeSession, now, store_of
from web.entrypoints.rendering import FormErrors, render
from web.entrypoints.security import ANONYMOUS_CSRF_COOKIE, SESSION_COOKIE, is_https, safe_next

log = structlog.get_logger(__name__)

router = APIRouter(tags=["sign-in"])


def _secure(request: Request) -> bool:
    configured: bool | None = request.app.state.settings.cookie_secure
    return is_https(request.scope) if configured is None else configured


def anonymous_csrf(request: Request) -> str:
    """The CSRF token of a form for someone not signed in (kept in a cookie of its own)."""
    token = request.cookies.get(ANONYMOUS_CSRF_COOKIE) or new_secret()
    request.state.anonymous_csrf = token
    return token


def with_anonymous_csrf(request: Request, response: Response) -> Response:
    response.set_cookie(
        ANONYMOUS_CSRF_COOKIE,
        request.state.anonymous_csrf,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    return response


def set_session_cookie(request: Request, response: Response, key: str, expires_in: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        key,
        max_age=expires_in,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )


def wait_in_words(retry_after: str | None) -> str:
    minutes = max(1, round(int(retry_after or 60) / 60)) if (retry_after or "").isdigit() else 1
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


async def _start_session(request: Request, token: str, expires_in: int, next_path: str) -> Response:
    """Keep the token on the server, give the browser a random key to it, go where asked."""
    api = GatewayApi(request.app.state.gateway_client, token)
    me: dict[str, Any] = await api.get("/me")
    key = new_secret()
    moment = now()
    session = WebSession(
        digest=key_digest(key),
        access_token=token,
        csrf_token=new_secret(),
        user_id=UUID(me["user_id"]),
        email=me["email"],
        name=me.get("name") or me["email"],
        role=me["role"],
        created_at=moment,
        last_seen_at=moment,
        expires_at=session_expiry(moment, expires_in),
        organisations=list(me.get("organisations") or []),
    )
    await store_of(request).add(session)
    response = RedirectResponse(safe_next(next_path), status_code=303)
    set_session_cookie(request, response, key, expires_in)
    response.delete_cookie(ANONYMOUS_CSRF_COOKIE, path="/")
    return response


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(request: Request, session: MaybeSession, next: str = "/") -> Response:
    if session is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    anonymous_csrf(request)
    notice = sign_in_notice(request.query_params)
    response = render(request, "sign_in.html", next_path=safe_next(next), errors=FormErrors(), notice=notice)
    return with_anonymous_csrf(request, response)


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request, form: AnonymousForm) -> Response:
    anonymous_csrf(request)
    email = str(form.get("email") or "").strip()
    password = str(form.get("password") or "")
    next_path = safe_next(str(form.get("next") or "/"))
    errors = FormErrors()
    if not email:
        errors.add("email", "Enter your email address.")
    if not password:
        errors.add("password", "Enter your password.")
    if not errors:
        api = GatewayApi(request.app.state.gateway_client)
        try:
            token = await api.post("/auth/token", {"email": email, "password": password})
        except ApiProblem as problem:
            if problem.status == 429:
                errors = FormErrors(
                    message=f"Too many failed sign-ins. Try again in {wait_in_words(problem.retry_after)}."
                )
            elif problem.status in (401, 422):
                errors = FormErrors(message="Wrong email or password.")
            else:
                raise
        else:
            return await _start_session(request, token["access_token"], int(token["expires_in"]), next_path)
    response = render(
        request, "sign_in.html", status_code=401, next_path=next_path, errors=errors, email=email, notice=None
    )
    return with_anonymous_csrf(request, response)


async def _end_tokens(request: Request, session: WebSession) -> None:
    """Sign the session's tokens out at the gateway (the one narrowed to a buyer is a token of its
    own). The web session ends whatever the gateway answers: a token already ended is fine, and
    with the gateway away the token stays on the server only, out of every browser's reach."""
    for token in dict.fromkeys(t for t in (session.access_token, session.scoped_token) if t):
        try:
            await GatewayApi(request.app.state.gateway_client, token).post("/auth/logout")
        except SessionLost:
            pass
        except (ApiProblem, Unreachable) as exc:
            log.warning("token not signed out at the gateway", error=str(exc))


@router.post("/sign-out")
async def sign_out(request: Request, session: CurrentSession, form: CheckedForm) -> Response:
    await _end_tokens(request, session)
    await store_of(request).remove(session.digest)
    response = RedirectResponse("/sign-in?signed_out=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/invitations/{token}", response_class=HTMLResponse)
async def invitation_page(request: Request, token: str) -> Response:
    anonymous_csrf(request)
    response = render(request, "invitation.html", token=token, errors=FormErrors())
    return with_anonymous_csrf(request, response)


@router.post("/invitations/{token}", response_class=HTMLResponse)
async def accept_invitation(request: Request, token: str, form: AnonymousForm) -> Response:
    anonymous_csrf(request)
    password = str(form.get("password") or "")
    name = str(form.get("name") or "").strip()
    errors = FormErrors()
    if not password:
        errors.add("password", "Choose a password.")
    if not errors:
        body: dict[str, Any] = {"password": password} | ({"name": name} if name else {})
        api = GatewayApi(request.app.state.gateway_client)
        try:
            accepted = await api.post(f"/auth/invitations/{token}/accept", body)
        except ApiProblem as problem:
            if problem.status >= 500:
                raise
            errors = FormErrors(problem)
            if problem.status == 404:
                errors = FormErrors(message="This invitation link is not valid any more. Ask the buyer for a new one.")
            elif problem.status == 401:
                errors.add("password", "This email already has an account: enter that account's password.")
        else:
            return await _start_session(request, accepted["access_token"], int(accepted["expires_in"]), "/")
    response = render(request, "invitation.html", status_code=422, token=token, errors=errors, name=name)
    return with_anonymous_csrf(request, response)


def _list_of(path: str) -> str:
    """The list a page belongs to: after a switch, another buyer's document is not there."""
    first = safe_next(path).split("?")[0].strip("/").split("/")[0]
    return f"/{first}" if first in ("purchase-orders", "invoices", "rfps", "profile") else "/"


@router.post("/organisation")
async def choose_organisation(
    request: Request,
    session: CurrentSession,
    form: CheckedForm,
) -> Response:
    supplier_id = str(form.get("supplier_id") or "")
    next_path = str(form.get("next") or "/")
    store = store_of(request)
    known = {o["supplier_id"] for o in session.organisations}
    if supplier_id and supplier_id in known:
        api = GatewayApi(request.app.state.gateway_client, session.access_token)
        scoped = await api.post("/auth/switch", {"supplier_id": supplier_id})
        await store.choose_supplier(session.digest, UUID(supplier_id), scoped["access_token"])
    else:
        await store.choose_supplier(session.digest, None, None)
    return RedirectResponse(_list_of(next_path), status_code=303)
