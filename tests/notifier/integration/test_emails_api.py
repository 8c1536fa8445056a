"""The audit list of emails: buyer admins of the tenant only, filtered and paginated."""

from __future__ import annotations

from uuid import uuid4

from portal_dev.testing import Tokens, poll_until
from tests.notifier import samples
from tests.notifier.integration.conftest import StartNotifier
from tests.notifier.integration.kafka_events import Publisher
from tests.notifier.integration.mailbox import MailSink


async def test_emails_are_listed_for_the_tenant_admins_newest_first_with_a_cursor(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str, tokens: Tokens
) -> None:
    tenant = uuid4()
    admin = tokens.headers(tokens.buyer(tenant))
    async with start_notifier(smtp_port=mail_sink.port) as (client, _), Publisher(broker) as publisher:
        # One supplier, so one key and one partition: the three are handled in the order published.
        supplier_id = uuid4()
        for n in range(3):
            await publisher.publish(
                samples.invitation(tenant, supplier_id, email=f"s{n}@acme.example"), tenant_id=tenant
            )
        await publisher.publish(samples.invitation(uuid4(), uuid4(), email="other@tenant.example"), tenant_id=uuid4())

        async def all_sent():  # type: ignore[no-untyped-def]
            items = (await client.get("/api/v1/emails?status=sent", headers=admin)).json()["items"]
            return items if len(items) == 3 else None

        await poll_until(all_sent, timeout_s=30, what="three emails sent")
        first = (await client.get("/api/v1/emails?limit=2", headers=admin)).json()
        second = (await client.get(f"/api/v1/emails?limit=2&cursor={first['next_cursor']}", headers=admin)).json()
        pending = (await client.get("/api/v1/emails?status=pending", headers=admin)).json()
        not_admin = await client.get("/api/v1/emails", headers=tokens.headers(tokens.buyer(tenant, admin=False)))
        supplier = await client.get("/api/v1/emails", headers=tokens.headers(tokens.supplier(uuid4())))
        anonymous = await client.get("/api/v1/emails")
        bad_status = await client.get("/api/v1/emails?status=lost", headers=admin)
        bad_cursor = await client.get("/api/v1/emails?cursor=garbage", headers=admin)
        other_admin = (await client.get("/api/v1/emails", headers=tokens.headers(tokens.buyer(uuid4())))).json()

    recipients = [e["recipient"] for page in (first, second) for e in page["items"]]
    assert recipients == ["s2@acme.example", "s1@acme.example", "s0@acme.example"]
    assert second["next_cursor"] is None
    item = first["items"][0]
    assert (item["status"], item["attempts"], item["last_error"], item["template"]) == ("sent", 1, None, "invitation")
    assert item["subject"] == "Invitation to the supplier portal for Acme Tools"
    assert "message" not in item
    assert pending["items"] == []
    assert not_admin.status_code == 403 and supplier.status_code == 403
    assert anonymous.status_code == 401
    assert bad_status.status_code == 422 and bad_cursor.status_code == 422
    assert bad_status.headers["content-type"] == "application/problem+json"
    assert other_admin["items"] == []
