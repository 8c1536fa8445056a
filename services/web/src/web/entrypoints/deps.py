"""What a page's view gets: the signed-in person's session, the API as that person, a checked form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from starlette.datastructures import FormData

from web.adapters.gateway_api import GatewayApi
from web.adapters.session_store import SessionStore
from web.domain.sessions import WebSession, key_digest, same_secret
from web.entrypoints.security import ANONYMOUS_CSRF_COOKIE, CSRF_FIELD, SESSION_COOKIE


@dataclass
class SignInRequired(Exception):
    """No usable session: the person signs in and comes back to ``next_path``."""

    next_path: str


class FormExpired(Exception):
    """A changing form came without its CSRF token (or with another session's)."""


def store_of(request: Request) -> SessionStore:
    store: SessionStore = request.app.state.sessions
    return store


def now() -> datetime:
    return datetime.now(UTC)


def asked_path(request: Request) -> str:
    """Where the person was going: the page itself, or for a form post the page it came from."""
    if request.method == "GET" and not request.headers.get("hx-request"):
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    current = request.headers.get("hx-current-url") or request.headers.get("referer") or "/"
    parts = urlsplit(current)
    return parts.path + (f"?{parts.query}" if parts.query else "") if parts.path else "/"


async def optional_session(request: Request) -> WebSession | None:
    key = request.cookies.get(SESSION_COOKIE)
    if not key:
        return None
    store = store_of(request)
    digest = key_digest(key)
    session = await store.get(digest)
    if session is None:
        return None
    moment = now()
    idle = timedelta(seconds=request.app.state.settings.session_idle_timeout_s)
    if session.ended(moment, idle):
        await store.remove(digest)
        return None
    if session.needs_touch(moment):
        await store.touch(digest, moment)
    request.state.session = session
    return session


async def current_session(request: Request) -> WebSession:
    session = await optional_session(request)
    if session is None:
        raise SignInRequired(asked_path(request))
    return session


async def api_as_person(request: Request, session: Annotated[WebSession, Depends(current_session)]) -> GatewayApi:
    return GatewayApi(request.app.state.gateway_client, session.api_token)


async def checked_form(request: Request, session: Annotated[WebSession, Depends(current_session)]) -> FormData:
    """The posted form, once its CSRF token is the session's."""
    form = await request.form(max_files=20, max_fields=2000)
    token = form.get(CSRF_FIELD)
    if not same_secret(token if isinstance(token, str) else None, session.csrf_token):
        raise FormExpired()
    return form


async def checked_anonymous_form(request: Request) -> FormData:
    """A form of someone not signed in (sign-in, invitation): its token matches its cookie."""
    form = await request.form(max_files=0, max_fields=20)
    token = form.get(CSRF_FIELD)
    cookie = request.cookies.get(ANONYMOUS_CSRF_COOKIE)
    if not cookie or not same_secret(token if isinstance(token, str) else None, cookie):
        raise FormExpired()
    return form


CurrentSession = Annotated[WebSession, Depends(current_session)]
MaybeSession = Annotated[WebSession | None, Depends(optional_session)]
Api = Annotated[GatewayApi, Depends(api_as_person)]
CheckedForm = Annotated[FormData, Depends(checked_form)]
AnonymousForm = Annotated[FormData, Depends(checked_anonymous_form)]
