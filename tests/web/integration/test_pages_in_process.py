"""The web portal in this process on its real, migrated database (the gateway away): cookies
marked Secure exactly when the browser used HTTPS, the headers on every answer, forms refused
without their token, and a page asked for without a session sent to sign-in and back."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from portal_dev.ports import free_port
from portal_dev.testing import Servers, migrate
from web import migrate as web_migrate
from web.bootstrap import bootstrap
from web.config import Settings

pytestmark = pytest.mark.integration


@pytest.fixture
async def web(servers: Servers) -> AsyncIterator[httpx.AsyncClient]:
    url = await servers.create_database("web")
    await migrate(web_migrate.main, {"WEB_DATABASE_URL": url})
    app = bootstrap(Settings(database_url=url, gateway_url=f"http://127.0.0.1:{free_port()}", log_format="console"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://portal.example") as client:
            yield client


async def test_cookies_are_secure_when_the_browser_used_https(web: httpx.AsyncClient) -> None:
    plain = await web.get("/sign-in")
    assert "secure" not in plain.headers["set-cookie"].lower()
    behind_https = await web.get("/sign-in", headers={"x-forwarded-proto": "https"})
    cookie = behind_https.headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


async def test_every_answer_carries_the_security_headers(web: httpx.AsyncClient) -> None:
    for path in ("/sign-in", "/no/such/page", "/static/portal.css"):
        answer = await web.get(path)
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"], path
        assert answer.headers["x-content-type-options"] == "nosniff", path
    assert (await web.get("/sign-in")).headers["cache-control"] == "no-store"
    assert "no-store" not in (await web.get("/static/portal.css")).headers.get("cache-control", "")


async def test_a_page_without_a_session_goes_to_sign_in_and_htmx_is_told_to(web: httpx.AsyncClient) -> None:
    page = await web.get("/invoices?status=pending")
    assert page.status_code == 303
    assert page.headers["location"] == "/sign-in?next=%2Finvoices%3Fstatus%3Dpending"
    partial = await web.get("/dashboard/new-orders", headers={"hx-request": "true", "hx-current-url": "http://x/"})
    assert (partial.status_code, partial.headers["hx-redirect"]) == (200, "/sign-in?next=%2F")
    forged = await web.get("/sign-in", cookies={"portal_session": "not-a-session"}, follow_redirects=False)
    assert forged.status_code == 200 and "Sign in" in forged.text


async def test_a_sign_in_without_its_token_is_refused_before_the_gateway_is_asked(web: httpx.AsyncClient) -> None:
    refused = await web.post("/sign-in", data={"email": "a@b.example", "password": "x"})
    assert refused.status_code == 403
    assert "This form has expired" in refused.text
    # With the token and its cookie the form is taken, and the gateway being away is said so.
    form = await web.get("/sign-in")
    token = form.cookies["portal_csrf"]
    away = await web.post(
        "/sign-in", data={"email": "a@b.example", "password": "x", "csrf_token": token}, cookies={"portal_csrf": token}
    )
    assert away.status_code == 503
    assert "Temporarily unavailable" in away.text
