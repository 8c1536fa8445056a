"""The upgrade that withholds tokens: the gateway's outbox rows of link events sent before links
were sealed keep the link without its token; a row still to be sent is published as written."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import asyncpg

from gateway.migrate import SERVICE_ROOT
from portal_dev.migrations import upgraded_with
from portal_dev.testing import Servers
from shared.settings import plain_database_url

TOKEN = "Qx7Lr2vN8kTz4Wm1Pb6Yc3Hd9Fs5Jg0Ae-_Bn7Ut2Ko"
ROW = (
    "INSERT INTO outbox (event_id, event_type, topic, key, value, headers, created_at, sent_at)"
    " VALUES ($1, $2, 'gateway.invitation.v1', 'k', $3, '{}', now(), CASE WHEN $4 THEN now() END)"
)


def value(field: str, section: str) -> bytes:
    return json.dumps({"data": {field: f"https://portal.example/{section}/{TOKEN}", "email": "a@b.example"}}).encode()


async def test_sent_link_events_keep_no_token_and_unsent_ones_are_published_as_written(servers: Servers) -> None:
    sent = [
        ("SupplierInvitationIssued", value("accept_url", "invitations")),
        ("PasswordResetRequested", value("reset_url", "password-reset")),
        ("LoginEmailChangeRequested", value("confirm_url", "email-change")),
    ]
    rows = [(ROW, uuid.uuid4(), kind, body, True) for kind, body in sent]
    unsent = value("accept_url", "invitations")
    rows.append((ROW, uuid.uuid4(), "SupplierInvitationIssued", unsent, False))

    url = await upgraded_with(servers, "gateway", Path(SERVICE_ROOT), written_at="0150_outbox_inbox_pruning", rows=rows)

    connection = await asyncpg.connect(plain_database_url(url))
    try:
        kept = await connection.fetch("SELECT value, sent_at IS NOT NULL AS sent FROM outbox ORDER BY id")
    finally:
        await connection.close()
    assert [bytes(row["value"]) for row in kept if not row["sent"]] == [unsent]
    for row in (r for r in kept if r["sent"]):
        data = json.loads(bytes(row["value"]))["data"]
        assert TOKEN not in json.dumps(data) and any(str(v).endswith("/link-withheld") for v in data.values())
