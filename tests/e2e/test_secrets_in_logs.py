"""No secret is ever in a log: after sign-ins, an invitation accepted and used again, tokens used
through the gateway and straight at every service, forged tokens and a failed sign-in (and all the
end-to-end tests before this one on the same stack), no log of the stack holds a password, a
bearer token or anything shaped like a JWT, an invitation token or link, the JWT private key or
the databases' password. The scan is shown to find such a secret when one is there.
"""

from __future__ import annotations

import json
import re
import shutil
import uuid
from pathlib import Path

import httpx

from portal_dev.stack import SERVICES, Stack
from portal_dev.testing import Mailbox
from shared.auth import Principal
from tests.e2e.attackers import PROTECTED, forged, private_key_pem
from tests.e2e.conftest import ADMIN_PASSWORD, DATABASE_PASSWORD, SUPPLIER_PASSWORD, Portal, bearer

INVITATION = re.compile(r"/invitations/([A-Za-z0-9_\-]+)")
JWT_SHAPED = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def log_files(stack: Stack, logs_dir: Path | None = None) -> list[Path]:
    """Every log the stack writes: each service's, the broker's, the mail sink's, PostgreSQL's."""
    files = sorted((logs_dir or stack.logs_dir).glob("*.log"))
    postgres = stack.config.data_dir / "postgres" / "postgres.log"
    return files + ([postgres] if postgres.exists() and logs_dir is None else [])


def leaks(files: list[Path], secrets: dict[str, str]) -> dict[str, list[str]]:
    """For each secret found (and for JWT-shaped text), where: ``file:line``."""
    found: dict[str, list[str]] = {}
    for path in files:
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
            for what, secret in secrets.items():
                if secret in line:
                    found.setdefault(what, []).append(f"{path.name}:{number}")
            if JWT_SHAPED.search(line):
                found.setdefault("something shaped like a JWT", []).append(f"{path.name}:{number}")
    return found


def invitation_tokens(mailbox: Mailbox) -> set[str]:
    """The token of every invitation link sent so far (each text part of each message, decoded)."""
    return {token for text in mailbox.texts() for token in INVITATION.findall(text)}


async def test_no_log_holds_a_password_token_invitation_or_key(
    stack: Stack, api: httpx.AsyncClient, portal: Portal, mailbox: Mailbox, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:8]
    wrong_password = f"wrong-password-{tag}"
    admin = await portal.admin()
    refused = await api.post("/auth/token", json={"email": f"nobody-{tag}@example.com", "password": wrong_password})
    assert refused.status_code == 401
    supplier_id, supplier = await portal.onboard_supplier(admin, name=f"Secret {tag}", email=f"s-{tag}@logs.example")
    signed_in = await portal.sign_in(f"s-{tag}@logs.example", SUPPLIER_PASSWORD)
    [invitation] = await portal.email(to=f"s-{tag}@logs.example", subject="invit")
    [token] = INVITATION.findall(invitation.get_body(preferencelist=("plain",)).get_content())
    again = await api.post(f"/auth/invitations/{token}/accept", json={"password": SUPPLIER_PASSWORD})
    assert again.status_code in (404, 409, 410), again.text
    async with httpx.AsyncClient(timeout=10) as http:
        page = await http.get(f"{stack.config.gateway_url}/invitations/{token}")
        assert page.status_code < 500
        me = (await api.get("/me", headers=admin)).json()
        attacker = bearer(forged(_principal(me)))
        for service, path in PROTECTED.items():
            for headers in (admin, supplier, signed_in, attacker):
                await http.get(stack.service_url(service) + path, headers=headers)
                await http.get(stack.config.gateway_url + path, headers=headers)

    used = {
        "the admin's": admin,
        "the supplier's": supplier,
        "the signed-in supplier's": signed_in,
        "a forged": attacker,
    }
    secrets = {
        "the admin's password": ADMIN_PASSWORD,
        "a supplier's password": SUPPLIER_PASSWORD,
        "a wrong password tried": wrong_password,
        "the databases' password": DATABASE_PASSWORD,
        "the JWT private key": "PRIVATE KEY",
    }
    secrets |= {f"a line of the JWT private key ({i})": line for i, line in enumerate(_key_lines(stack))}
    for whose, headers in used.items():
        credential = headers["Authorization"].removeprefix("Bearer ")
        secrets[f"{whose} bearer token"] = credential
        secrets[f"{whose} bearer token's signature"] = credential.rsplit(".", 1)[1]
    tokens = invitation_tokens(mailbox)
    assert token in tokens
    secrets |= {f"invitation token {t[:4]}…": t for t in tokens}

    assert leaks(log_files(stack), secrets) == {}

    # The scan does find a secret that is there: the same logs, plus one line a careless
    # service could have written.
    planted = tmp_path / "logs"
    shutil.copytree(stack.logs_dir, planted)
    gateway_log = planted / "gateway.log"
    lines_before = len(gateway_log.read_text().splitlines())
    with gateway_log.open("a") as log:
        log.write(json.dumps({"event": "request", "headers": {"authorization": supplier["Authorization"]}}) + "\n")
    where = [f"gateway.log:{lines_before + 1}"]
    assert leaks(log_files(stack, planted), secrets) == {
        "the supplier's bearer token": where,
        "the supplier's bearer token's signature": where,
        "something shaped like a JWT": where,
    }
    assert supplier_id and all((stack.logs_dir / f"{service}.log").exists() for service in SERVICES)


def _key_lines(stack: Stack) -> list[str]:
    """The base64 lines of the private key's PEM (each one a part of the key)."""
    return [line for line in private_key_pem(stack).splitlines() if line and not line.startswith("-----")]


def _principal(me: dict) -> Principal:
    return Principal(
        user_id=uuid.UUID(me["user_id"]), role="buyer_admin", tenant_id=uuid.UUID(me["tenant_id"]), email=me["email"]
    )
