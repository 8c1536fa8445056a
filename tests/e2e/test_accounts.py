"""Accounts that end and change, across every process through the gateway: a signed-out or
switched-off account is refused on the very next request by every service; a password is reset
by email; a supplier's colleague is invited, signs in and is switched off; a fresh invitation
voids the earlier link; a deactivated supplier loses its documents on the next request."""

from __future__ import annotations

import re
import uuid

import httpx

from portal_dev.testing import poll_until
from tests.e2e.conftest import Portal, bearer, link_in

USER_PASSWORD = "buyer-user-password"


async def buyer_user(api: httpx.AsyncClient, portal: Portal) -> tuple[str, str, dict[str, str]]:
    admin = await portal.admin()
    email = f"user-{uuid.uuid4().hex[:8]}@buyer.example"
    body = {"email": email, "name": "Pat Buyer", "password": USER_PASSWORD, "role": "buyer_user"}
    created = await api.post("/users", json=body, headers=admin)
    assert created.status_code == 201, created.text
    return created.json()["id"], email, await portal.sign_in(email, USER_PASSWORD)


async def every_service_refuses(api: httpx.AsyncClient, who: dict[str, str]) -> None:
    for path in ("/me", "/suppliers", "/purchase-orders", "/invoices", "/rfps", "/emails"):
        answer = await api.get(path, headers=who)
        assert answer.status_code == 401, f"{path}: {answer.status_code} {answer.text[:200]}"


async def test_sign_out_and_switching_a_user_off_answer_401_on_the_very_next_request(
    api: httpx.AsyncClient, portal: Portal
) -> None:
    user_id, email, user = await buyer_user(api, portal)
    assert (await api.get("/purchase-orders", headers=user)).status_code == 200
    assert (await api.post("/auth/logout", headers=user)).status_code == 204
    await every_service_refuses(api, user)

    again = await portal.sign_in(email, USER_PASSWORD)
    admin = await portal.admin()
    assert (await api.post(f"/users/{user_id}/disable", headers=admin)).status_code == 200
    await every_service_refuses(api, again)
    refused = await api.post("/auth/token", json={"email": email, "password": USER_PASSWORD})
    assert refused.status_code == 401
    assert (await api.post(f"/users/{user_id}/enable", headers=admin)).status_code == 200
    back = await portal.sign_in(email, USER_PASSWORD)
    assert (await api.get("/purchase-orders", headers=back)).status_code == 200


async def test_a_password_is_reset_through_the_emailed_link_once(api: httpx.AsyncClient, portal: Portal) -> None:
    _, email, user = await buyer_user(api, portal)
    asked = await api.post("/auth/password-reset", json={"email": email})
    unknown = await api.post("/auth/password-reset", json={"email": f"nobody-{uuid.uuid4().hex[:6]}@buyer.example"})
    assert asked.status_code == unknown.status_code == 202 and asked.json() == unknown.json()
    [message] = await portal.email(to=email, subject="password")
    link = link_in(message, "/password-reset/")
    token = link.rsplit("/", 1)[1]
    assert (await api.post(f"/auth/password-reset/{token}", json={"password": "a-new-password"})).status_code == 204
    await every_service_refuses(api, user)
    assert (await api.post(f"/auth/password-reset/{token}", json={"password": "yet-another-1"})).status_code == 404
    await portal.sign_in(email, "a-new-password")


async def test_a_colleague_is_invited_signs_in_sees_the_same_orders_and_is_switched_off(
    api: httpx.AsyncClient, portal: Portal
) -> None:
    admin = await portal.admin()
    tag = uuid.uuid4().hex[:8]
    supplier_id, supplier = await portal.onboard_supplier(
        admin, name=f"Colleagues {tag}", email=f"sales-{tag}@s.example"
    )
    order = await portal.create_po(admin, supplier_id, [{"description": "Tape", "quantity": "3", "unit_price": "2"}])
    await portal.submit_po(admin, order["id"])

    colleague_email = f"colleague-{tag}@s.example"
    invited = await api.post(
        "/portal/users", json={"email": colleague_email, "name": "Robin Colleague"}, headers=supplier
    )
    assert invited.status_code == 201, invited.text
    [message] = await portal.email(to=colleague_email, subject="invit")
    token = re.search(r"/invitations/([A-Za-z0-9_\-]+)", link_in(message, "/invitations/")).group(1)  # type: ignore[union-attr]
    accepted = await api.post(f"/auth/invitations/{token}/accept", json={"password": "colleague-password"})
    assert accepted.status_code == 201, accepted.text
    colleague = bearer(accepted.json()["access_token"])
    seen = (await api.get(f"/purchase-orders/{order['id']}", headers=colleague)).json()
    assert seen["id"] == order["id"]

    listed = (await api.get("/portal/users", headers=supplier)).json()
    robin = next(u for u in listed["items"] if u["email"] == colleague_email)
    assert robin["name"] == "Robin Colleague" and robin["active"] is True
    assert (await api.post(f"/portal/users/{robin['id']}/disable", headers=supplier)).status_code == 200
    await every_service_refuses(api, colleague)
    assert (await api.get(f"/purchase-orders/{order['id']}", headers=supplier)).status_code == 200


async def test_a_fresh_invitation_voids_the_earlier_link(api: httpx.AsyncClient, portal: Portal) -> None:
    admin = await portal.admin()
    tag = uuid.uuid4().hex[:8]
    email = f"again-{tag}@s.example"
    created = await api.post(
        "/suppliers", json={"name": f"Again {tag}", "email": email, "currency": "EUR"}, headers=admin
    )
    supplier_id = created.json()["id"]
    assert (await api.post(f"/suppliers/{supplier_id}/portal/activate", headers=admin)).status_code == 200
    [first] = await portal.email(to=email, subject="invit")
    reinvited = await api.post(f"/suppliers/{supplier_id}/portal/invite", headers=admin)
    assert reinvited.status_code == 201, reinvited.text
    messages = await portal.email(to=email, subject="invit", count=2)
    old_token = link_in(first, "/invitations/").rsplit("/", 1)[1]
    new_token = next(t for t in (link_in(m, "/invitations/").rsplit("/", 1)[1] for m in messages) if t != old_token)
    stale = await api.post(f"/auth/invitations/{old_token}/accept", json={"password": "supplier-password"})
    assert stale.status_code == 404
    fresh = await api.post(f"/auth/invitations/{new_token}/accept", json={"password": "supplier-password"})
    assert fresh.status_code == 201, fresh.text


async def test_a_deactivated_supplier_loses_its_orders_on_the_next_request(
    api: httpx.AsyncClient, portal: Portal
) -> None:
    admin = await portal.admin()
    tag = uuid.uuid4().hex[:8]
    supplier_id, supplier = await portal.onboard_supplier(admin, name=f"Ending {tag}", email=f"end-{tag}@s.example")
    order = await portal.create_po(admin, supplier_id, [{"description": "Glue", "quantity": "1", "unit_price": "9"}])
    await portal.submit_po(admin, order["id"])
    assert (await api.get(f"/purchase-orders/{order['id']}", headers=supplier)).status_code == 200
    assert (await api.post(f"/suppliers/{supplier_id}/portal/deactivate", headers=admin)).status_code == 200

    async def gone() -> bool:
        return (await api.get(f"/purchase-orders/{order['id']}", headers=supplier)).status_code == 404

    # The gateway learns of the deactivation from the suppliers' event (milliseconds); the same
    # token then reaches nothing of that buyer's, for reads and writes alike.
    await poll_until(gone, timeout_s=10, what="the deactivation to take effect")
    comment = await api.post(f"/purchase-orders/{order['id']}/comments", json={"body": "still here?"}, headers=supplier)
    assert comment.status_code == 404
