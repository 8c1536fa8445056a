"""The web portal's sessions and defences, in real Chromium: a wrong password is a message, a
lost session comes back to the page asked for (never to another site), the token never reaches
the browser, forms need their CSRF token, sign-out ends the session on the server, another
party's document is "not found", and every answer carries the security headers."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from playwright.async_api import expect

from portal_dev.stack import Stack
from tests.e2e.conftest import Portal, link_in
from tests.e2e.test_web_supplier_day import onboard_in_browser

PASSWORD = "web-security-password"


async def order_for(portal: Portal, buyer: dict[str, str], supplier_id: str, description: str = "Bolts") -> dict:
    po = await portal.create_po(buyer, supplier_id, [{"description": description, "quantity": "5", "unit_price": "2"}])
    return await portal.submit_po(buyer, po["id"])


async def test_a_wrong_password_is_a_message_on_the_sign_in_page(browser_people: Any) -> None:
    person = await browser_people()
    await person.open("/")
    await expect(person.page).to_have_url(re.compile(r"/sign-in\?next=%2F$"))
    await person.page.get_by_label("Email").fill("nobody@nowhere.example")
    await person.page.get_by_label("Password").fill("not-the-password")
    await person.page.get_by_role("button", name="Sign in").click()
    await expect(person.page.get_by_role("alert")).to_have_text("Wrong email or password.")
    await expect(person.page.get_by_label("Email")).to_have_value("nobody@nowhere.example")
    await expect(person.page.get_by_label("Password")).to_have_value("")
    await person.accessible("the sign-in page with its message")
    await person.screenshot("sign-in")


async def test_a_lost_session_signs_in_again_and_returns_to_the_page_asked_for_on_this_site_only(
    portal: Portal, browser_people: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    email = f"lost-{tag}@session.example"
    buyer, supplier_id, supplier = await onboard_in_browser(
        portal, browser_people, name=f"Lost {tag}", email=email, password=PASSWORD
    )
    po = await order_for(portal, buyer, supplier_id)
    [new_order] = await portal.email(to=email, subject=po["number"])
    await supplier.context.clear_cookies()  # the session is gone (expired, or another browser)

    # The email's link, not signed in: sign in, then straight to the order.
    await supplier.page.goto(link_in(new_order, f"/purchase-orders/{po['id']}"))
    await expect(supplier.page.get_by_role("button", name="Sign in")).to_be_visible()
    await supplier.sign_in(email, PASSWORD)
    await expect(supplier.page).to_have_url(re.compile(rf"/purchase-orders/{po['id']}$"))
    await expect(supplier.page.get_by_role("heading", level=1)).to_have_text(po["number"])

    # Another site as the place to return to: the portal goes to its own dashboard instead.
    for elsewhere in ("//evil.example/", "https://evil.example/", "/\\evil.example", "http:evil.example"):
        visitor = await browser_people()
        await visitor.open("/sign-in?next=" + httpx.QueryParams({"n": elsewhere})["n"].replace("/", "%2F"))
        await visitor.sign_in(email, PASSWORD)
        await expect(visitor.page).to_have_url(supplier.base_url + "/")


async def test_the_session_is_a_server_side_cookie_and_the_token_never_reaches_the_browser(
    portal: Portal, browser_people: Any, stack: Stack
) -> None:
    tag = uuid.uuid4().hex[:6]
    email = f"cookie-{tag}@session.example"
    _, _, supplier = await onboard_in_browser(
        portal, browser_people, name=f"Cookie {tag}", email=email, password=PASSWORD
    )
    [cookie] = [c for c in await supplier.context.cookies() if c["name"] == "portal_session"]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["secure"] is False  # plain HTTP here; behind HTTPS it is Secure (unit-tested)
    assert await supplier.page.evaluate("document.cookie") == ""
    assert "eyJ" not in cookie["value"]  # a random key, not the gateway's token
    html = await supplier.page.content()
    assert "eyJ" not in html and "Bearer" not in html

    answer = await supplier.page.goto(supplier.base_url + "/purchase-orders")
    assert answer is not None
    headers = answer.headers
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"


async def test_sign_out_ends_the_session_on_the_server(portal: Portal, browser_people: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    email = f"out-{tag}@session.example"
    _, _, supplier = await onboard_in_browser(portal, browser_people, name=f"Out {tag}", email=email, password=PASSWORD)
    stolen = [c for c in await supplier.context.cookies() if c["name"] == "portal_session"]
    await supplier.sign_out()
    await expect(supplier.page.get_by_role("status")).to_have_text("You have signed out.")

    # The old cookie, replayed from another browser, opens nothing.
    replay = await browser_people()
    await replay.context.add_cookies(stolen)
    await replay.open("/purchase-orders")
    await expect(replay.page.get_by_role("button", name="Sign in")).to_be_visible()


async def test_a_changing_form_without_its_csrf_token_is_refused(portal: Portal, browser_people: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    email = f"csrf-{tag}@session.example"
    buyer, supplier_id, supplier = await onboard_in_browser(
        portal, browser_people, name=f"Csrf {tag}", email=email, password=PASSWORD
    )
    po = await order_for(portal, buyer, supplier_id)
    request = supplier.context.request
    url = f"{supplier.base_url}/purchase-orders/{po['id']}/acknowledge"
    for form in ({}, {"csrf_token": "forged"}):
        refused = await request.post(url, form=form, max_redirects=0)
        assert refused.status == 403, await refused.text()
        assert "This form has expired" in await refused.text()
    order = (await portal.api.get(f"/purchase-orders/{po['id']}", headers=buyer)).json()
    assert order["acknowledged_at"] is None
    # Signing in needs the form's token too (no login CSRF).
    anonymous = await browser_people()
    refused = await anonymous.context.request.post(
        f"{supplier.base_url}/sign-in", form={"email": email, "password": PASSWORD}, max_redirects=0
    )
    assert refused.status == 403


async def test_another_partys_document_is_not_found_and_text_people_wrote_stays_text(
    portal: Portal, browser_people: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    buyer, owner_id, _ = await onboard_in_browser(
        portal, browser_people, name=f"Owner {tag}", email=f"owner-{tag}@party.example", password=PASSWORD
    )
    _, _, other = await onboard_in_browser(
        portal, browser_people, name=f"Other {tag}", email=f"other-{tag}@party.example", password=PASSWORD
    )
    po = await order_for(portal, buyer, owner_id, description='<img src=x onerror="alert(1)"> "quoted" & more')
    for path in (
        f"/purchase-orders/{po['id']}",
        f"/purchase-orders/{uuid.uuid4()}",
        "/purchase-orders/not-an-id",
        f"/invoices/{uuid.uuid4()}",
        "/no/such/page",
    ):
        answer = await other.page.goto(other.base_url + path)
        assert answer is not None and answer.status == 404, path
        await expect(other.page.get_by_role("heading", level=1)).to_have_text("Not found")
        assert "Traceback" not in await other.page.content()
    await other.accessible("the not-found page")

    owner = await browser_people()
    await owner.open(f"/purchase-orders/{po['id']}")
    await owner.sign_in(f"owner-{tag}@party.example", PASSWORD)
    await expect(owner.page.get_by_role("cell", name='<img src=x onerror="alert(1)"> "quoted" & more')).to_be_visible()
    assert owner.dialogs == []
