"""Account emails on the real broker: a password reset and a change of sign-in address become
emails with their links, and the audit of them (the list, EmailSent) never carries a link."""

from __future__ import annotations

from uuid import uuid4

from portal_dev.testing import Tokens
from shared.contracts.notifier import EMAILS_TOPIC
from tests.notifier import samples
from tests.notifier.integration.conftest import StartNotifier
from tests.notifier.integration.kafka_events import Publisher, read_events
from tests.notifier.integration.mailbox import MailSink, bodies


async def test_reset_and_address_change_are_emailed_with_their_links_and_audited_without_them(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str, tokens: Tokens
) -> None:
    tenant, user_id = uuid4(), uuid4()
    reset = samples.password_reset(user_id)
    change = samples.login_email_change(user_id)
    async with start_notifier(smtp_port=mail_sink.port) as (client, _), Publisher(broker) as publisher:
        await publisher.publish(reset, tenant_id=tenant)
        await publisher.publish(change, tenant_id=tenant)
        await mail_sink.wait_for("irene@buyer.example", 2)
        [confirmation] = await mail_sink.wait_for("irene@new.example")
        sent = await read_events(broker, EMAILS_TOPIC, 3)
        listed = (await client.get("/api/v1/emails", headers=tokens.headers(tokens.buyer(tenant)))).json()

    by_subject = {m["Subject"]: m for m in mail_sink.to("irene@buyer.example")}
    reset_plain, reset_html = bodies(by_subject["Reset your supplier portal password"])
    reset_link = samples.LINKS.open(reset.reset_url_sealed or "")
    assert reset_link.endswith(samples.TOKEN)
    assert reset_link in reset_plain and f'href="{reset_link}"' in reset_html
    notice = by_subject["A change of your supplier portal sign-in email was asked for"]
    assert samples.TOKEN not in notice.as_string()
    assert samples.LINKS.open(change.confirm_url_sealed or "") in bodies(confirmation)[0]

    assert sorted(e["data"]["template"] for e in sent) == [
        "login_email_confirm",
        "login_email_notice",
        "password_reset",
    ]
    assert {e["tenant_id"] for e in sent} == {str(tenant)}
    assert len(listed["items"]) == 3
    assert samples.TOKEN not in str(sent) and samples.TOKEN not in str(listed)


async def test_a_colleagues_invitation_names_the_colleague(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    tenant = uuid4()
    invitation = samples.invitation(tenant, uuid4(), email="new@acme.example", invited_by="Sam Supplier")
    async with start_notifier(smtp_port=mail_sink.port), Publisher(broker) as publisher:
        await publisher.publish(invitation, tenant_id=tenant)
        [message] = await mail_sink.wait_for("new@acme.example")

    assert message["Subject"] == "Sam Supplier invited you to the supplier portal for Acme Tools"
    plain, _ = bodies(message)
    assert "Sam Supplier invited you" in plain and samples.LINKS.open(invitation.accept_url_sealed or "") in plain
