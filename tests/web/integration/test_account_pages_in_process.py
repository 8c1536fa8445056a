"""The account pages in this process on the web's real, migrated database, in front of a gateway
that answers as the API does: signing out ends the token at the gateway, a token ended mid-session
sends the person to sign-in with a reason, a changed password keeps the session on the fresh
token, a forgotten password is reset through its pages, and a supplier's hand-made post of the
buyer's request buttons is refused with 403 (not the buyer's page, which it cannot be shown)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import httpx
import pytest

from portal_dev.testing import Servers, migrate
from web import migrate as web_migrate
from web.adapters.gateway_api import Answer
from web.bootstrap import bootstrap
from web.config import Settings

pytestmark = pytest.mark.integration

PASSWORD = "old-password"
USER_ID = str(uuid4())


def _answer(status: int, body: Any = None) -> Answer:
    return Answer(status, "", {}, json.dumps(body).encode() if body is not None else b"")


def _problem(status: int, detail: str, errors: list[dict[str, str]] | None = None) -> Answer:
    return _answer(status, {"title": "Refused", "detail": detail, "errors": errors or []})


class FakeGateway:
    """The gateway's API as the account pages use it: tokens that end when signed out or when
    the password changes, and every call remembered with the token it came with."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str | None]] = []
        self.issued: list[str] = []
        self.ended: set[str] = set()
        self.password = PASSWORD
        self.role = "buyer_admin"

    def _token(self) -> dict[str, Any]:
        self.issued.append(f"token-{len(self.issued) + 1}")
        return {"access_token": self.issued[-1], "token_type": "bearer", "expires_in": 3600}

    async def request(self, method: str, path: str, headers: dict[str, str], **kwargs: Any) -> Answer:
        token = headers.get("Authorization", "").removeprefix("Bearer ") or None
        body = kwargs.get("json") or {}
        self.calls.append((method, path, token))
        if token is not None and (token in self.ended or token not in self.issued):
            return _problem(401, "this token was signed out")
        match method, path:
            case "POST", "/auth/token":
                return _answer(200, self._token())
            case "GET", "/me":
                me = {"user_id": USER_ID, "email": "pat@buyer.example", "name": "Pat", "role": self.role}
                if self.role == "supplier":
                    return _answer(200, me | {"tenant_id": None, "supplier_ids": [str(uuid4())], "organisations": []})
                return _answer(200, me | {"tenant_id": str(uuid4()), "supplier_ids": [], "organisations": []})
            case "POST", "/auth/logout":
                self.ended.add(str(token))
                return _answer(204)
            case "POST", "/me/password":
                if body["current_password"] != self.password:
                    wrong = "the current password is wrong"
                    return _problem(422, wrong, [{"field": "current_password", "message": wrong}])
                self.password = body["new_password"]
                self.ended |= set(self.issued)
                return _answer(200, self._token())
            case "POST", "/auth/password-reset":
                return _answer(202, {"detail": "if an account uses this address, a link is on its way"})
            case "POST", "/auth/password-reset/used-link":
                return _problem(404, "this link is unknown, already used or expired; ask for a new one")
            case "POST", "/auth/password-reset/good-link":
                if len(body["password"]) < 8:
                    short = "at least 8 characters"
                    return _problem(
                        422, "the password needs at least 8 characters", [{"field": "password", "message": short}]
                    )
                return _answer(204)
        return _problem(404, f"no route {method} {path}")

    async def close(self) -> None:
        pass


@pytest.fixture
async def gateway() -> FakeGateway:
    return FakeGateway()


@pytest.fixture
async def web(servers: Servers, gateway: FakeGateway) -> AsyncIterator[httpx.AsyncClient]:
    url = await servers.create_database("web")
    await migrate(web_migrate.main, {"WEB_DATABASE_URL": url})
    app = bootstrap(Settings(database_url=url, log_format="console"))
    async with app.router.lifespan_context(app):
        await app.state.gateway_client.close()
        app.state.gateway_client = gateway
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://portal.example") as client:
            yield client


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


async def signed_in(web: httpx.AsyncClient) -> str:
    """Sign in through the form; the session's CSRF token for the forms that follow."""
    form = await web.get("/sign-in")
    signed = await web.post(
        "/sign-in", data={"email": "pat@buyer.example", "password": PASSWORD, "csrf_token": csrf_of(form)}
    )
    assert signed.status_code == 303, signed.text
    return csrf_of(await web.get("/account"))


async def test_signing_out_ends_the_token_at_the_gateway_then_the_web_session(
    web: httpx.AsyncClient, gateway: FakeGateway
) -> None:
    csrf = await signed_in(web)
    out = await web.post("/sign-out", data={"csrf_token": csrf})
    assert (out.status_code, out.headers["location"]) == (303, "/sign-in?signed_out=1")
    assert ("POST", "/auth/logout", "token-1") in gateway.calls
    assert gateway.ended == {"token-1"}
    again = await web.get("/account")
    assert again.headers["location"] == "/sign-in?next=%2Faccount"


async def test_a_token_ended_mid_session_ends_the_web_session_and_the_sign_in_page_says_why(
    web: httpx.AsyncClient, gateway: FakeGateway
) -> None:
    await signed_in(web)
    gateway.ended.add("token-1")  # switched off by an admin, or signed out elsewhere
    lost = await web.get("/account")
    assert (lost.status_code, lost.headers["location"]) == (303, "/sign-in?next=%2Faccount&ended=1")
    assert 'portal_session=""' in lost.headers["set-cookie"]
    sign_in = await web.get(lost.headers["location"])
    assert "Your session has ended" in sign_in.text
    # The session is gone on the server too: the old cookie opens nothing.
    assert (await web.get("/account", cookies={"portal_session": "x"})).headers["location"].startswith("/sign-in")
    # A part of a page asked for by htmx is told where to go instead.
    await signed_in(web)
    gateway.ended.add("token-2")
    partial = await web.get("/account", headers={"hx-request": "true", "hx-current-url": "http://portal.example/"})
    assert partial.headers["hx-redirect"] == "/sign-in?next=%2F&ended=1"


async def test_a_changed_password_keeps_the_session_on_the_fresh_token(
    web: httpx.AsyncClient, gateway: FakeGateway
) -> None:
    csrf = await signed_in(web)
    wrong = await web.post(
        "/account/password", data={"csrf_token": csrf, "current_password": "guess", "new_password": "new-password"}
    )
    assert wrong.status_code == 422
    assert "The current password is wrong." in wrong.text
    assert 'id="current_password-error"' in wrong.text

    changed = await web.post(
        "/account/password", data={"csrf_token": csrf, "current_password": PASSWORD, "new_password": "new-password"}
    )
    assert (changed.status_code, changed.headers["location"]) == (303, "/account?done=password")
    assert "Max-Age=3600" in changed.headers["set-cookie"]
    page = await web.get("/account?done=password")
    assert page.status_code == 200 and "Your password was changed" in page.text
    assert gateway.calls[-1] == ("GET", "/me", "token-2")


async def test_a_forgotten_password_is_asked_for_and_set_through_the_link(
    web: httpx.AsyncClient, gateway: FakeGateway
) -> None:
    sign_in = await web.get("/sign-in")
    assert 'href="/password-reset"' in sign_in.text and "Forgot your password?" in sign_in.text
    form = await web.get("/password-reset")
    asked = await web.post("/password-reset", data={"email": "pat@buyer.example", "csrf_token": csrf_of(form)})
    assert asked.status_code == 200
    assert "If an account signs in with pat@buyer.example, we sent it a link" in asked.text
    assert ("POST", "/auth/password-reset", None) in gateway.calls

    used = await web.get("/password-reset/used-link")
    refused = await web.post("/password-reset/used-link", data={"password": "another-one", "csrf_token": csrf_of(used)})
    assert refused.status_code == 422
    assert "This link does not work any more" in refused.text and 'href="/password-reset"' in refused.text

    good = await web.get("/password-reset/good-link")
    weak = await web.post("/password-reset/good-link", data={"password": "short", "csrf_token": csrf_of(good)})
    assert weak.status_code == 422 and "At least 8 characters." in weak.text and 'aria-invalid="true"' in weak.text
    done = await web.post("/password-reset/good-link", data={"password": "long-enough", "csrf_token": csrf_of(good)})
    assert (done.status_code, done.headers["location"]) == (303, "/sign-in?password_reset=1")
    assert "Your password was changed. Sign in with the new one." in (await web.get(done.headers["location"])).text


async def test_the_buyers_request_buttons_posted_by_a_supplier_are_refused_without_asking_the_gateway(
    web: httpx.AsyncClient, gateway: FakeGateway
) -> None:
    gateway.role = "supplier"
    csrf = await signed_in(web)
    rfp_id = uuid4()
    for action in ("publish", "award", "documents"):
        refused = await web.post(f"/rfps/{rfp_id}/{action}", data={"csrf_token": csrf, "proposal_id": str(uuid4())})
        assert refused.status_code == 403, (action, refused.text)
        assert "Only the buyer&#39;s staff can do this." in refused.text or "Only the buyer's staff" in refused.text
    assert not [call for call in gateway.calls if call[1].startswith("/rfps")]
