"""Single-use links at rest in the notifier: the stored email holds the link with its token withheld
and the sealed link beside it while it waits; once sent (or failed for good) nothing of the token
is left, not even sealed. The person gets the whole link."""

from __future__ import annotations

import asyncio
from pathlib import Path
from uuid import uuid4

from alembic import command
from sqlalchemy import text

from notifier.migrate import SERVICE_ROOT
from portal_dev.ports import free_port
from portal_dev.testing import Servers, poll_until
from shared.contracts.identity import SupplierInvitationIssued
from shared.contracts.notifier import EMAILS_TOPIC
from shared.db import make_engine
from shared.migrate import alembic_config
from shared.runtime import ServiceRuntime
from shared.sealed_links import LinkSealer, new_link_keys
from tests.notifier import samples
from tests.notifier.integration.conftest import StartNotifier
from tests.notifier.integration.kafka_events import Publisher, read_events
from tests.notifier.integration.mailbox import MailSink, bodies

TOKEN = "Qx7Lr2vN8kTz4Wm1Pb6Yc3Hd9Fs5Jg0Ae-_Bn7Ut2Ko"


async def stored(runtime: ServiceRuntime) -> list[tuple[str, bytes, object]]:
    async with runtime.session_factory() as session:
        rows = await session.execute(text("SELECT status, message, sealed_links FROM emails"))
        return [(status, bytes(message), sealed) for status, message, sealed in rows.all()]


async def everything_stored(runtime: ServiceRuntime) -> str:
    """Every row of every table of the notifier's database, as text."""
    async with runtime.session_factory() as session:
        tables = (
            await session.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
        ).scalars()
        dumps = [
            str((await session.execute(text(f'SELECT t::text FROM "{name}" t'))).scalars().all()) for name in tables
        ]
    # The message column is bytea (hex in its text form): its text is added decoded.
    messages = b"".join(message for _, message, _ in await stored(runtime))
    return "\n".join(dumps) + messages.decode(errors="replace")


async def test_a_waiting_email_keeps_only_the_sealed_link_and_a_sent_one_nothing_of_the_token(
    start_notifier: StartNotifier, tmp_path: Path, broker: str
) -> None:
    tenant = uuid4()
    invitation = samples.invitation(tenant, uuid4())
    link = samples.LINKS.open(invitation.accept_url_sealed or "")
    sink = MailSink(tmp_path / "mail", free_port())  # not started: the email waits
    async with start_notifier(smtp_port=sink.port) as (_, runtime), Publisher(broker) as publisher:
        await publisher.publish(invitation, tenant_id=tenant)
        [(status, message, sealed)] = await poll_until(lambda: stored(runtime), what="the email queued")
        assert status == "pending" and sealed == {invitation.accept_url: invitation.accept_url_sealed}
        assert samples.TOKEN not in await everything_stored(runtime)
        assert invitation.accept_url.encode() in message.replace(b"=\r\n", b"")

        await sink.start()
        try:
            [delivered] = await sink.wait_for("owner@acme.example")
        finally:
            await sink.stop()

        async def settled() -> list[tuple[str, bytes, object]] | None:
            rows = await stored(runtime)
            return rows if rows[0][0] == "sent" else None

        [(_, kept, sealed_after)] = await poll_until(settled, what="the email recorded as sent")
        everything = await everything_stored(runtime)
    plain, html = bodies(delivered)
    assert link in plain and f'href="{link}"' in html
    assert delivered["Message-ID"] and delivered["Subject"] == "Invitation to the supplier portal for Acme Tools"
    assert sealed_after is None and kept == message
    assert samples.TOKEN not in everything and (invitation.accept_url_sealed or "") not in everything


async def test_a_link_that_came_whole_is_sent_whole_and_kept_withheld(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    """An invitation event from before links were sealed: the notifier seals its link itself."""
    tenant = uuid4()
    whole = f"http://127.0.0.1:8000/invitations/{TOKEN}"
    invitation = samples.invitation(tenant, uuid4()).model_copy(update={"accept_url": whole, "accept_url_sealed": None})
    async with start_notifier(smtp_port=mail_sink.port) as (_, runtime), Publisher(broker) as publisher:
        await publisher.publish(invitation, tenant_id=tenant)
        [delivered] = await mail_sink.wait_for("owner@acme.example")
        await poll_until(lambda: _all_sent(runtime), what="the email recorded as sent")
        everything = await everything_stored(runtime)
    assert whole in bodies(delivered)[0]
    assert TOKEN not in everything and "/invitations/link-withheld" in everything


async def test_a_link_sealed_to_another_key_fails_the_email_for_good_and_keeps_nothing(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    tenant = uuid4()
    _, other_public = new_link_keys()
    elsewhere = LinkSealer("http://127.0.0.1:8000", other_public).link("invitations", TOKEN)
    invitation: SupplierInvitationIssued = samples.invitation(tenant, uuid4()).model_copy(
        update={"accept_url": elsewhere.shown, "accept_url_sealed": elsewhere.sealed}
    )
    async with start_notifier(smtp_port=mail_sink.port) as (_, runtime), Publisher(broker) as publisher:
        await publisher.publish(invitation, tenant_id=tenant)
        [failed] = await read_events(broker, EMAILS_TOPIC, 1)
        rows = await stored(runtime)
    assert failed["type"] == "EmailFailed" and "cannot be opened" in failed["data"]["error"]
    assert [(status, sealed) for status, _, sealed in rows] == [("failed", None)]
    assert mail_sink.messages() == []


async def _all_sent(runtime: ServiceRuntime) -> bool:
    rows = await stored(runtime)
    return bool(rows) and all(status == "sent" for status, _, _ in rows)


async def test_the_upgrade_withholds_the_tokens_of_emails_sent_before_links_were_sealed(
    servers: Servers,
) -> None:
    url = await servers.create_database("notifier")
    config = alembic_config(SERVICE_ROOT, url)
    await asyncio.to_thread(command.upgrade, config, "0007_outbox_inbox_pruning")
    message = (
        'MIME-Version: 1.0\r\nContent-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: 7bit\r\n'
        f"Message-ID: <1@portal>\r\n\r\nOpen http://127.0.0.1:8000/invitations/{TOKEN} to join.\r\n"
    ).encode()
    insert = text(
        "INSERT INTO emails (id, tenant_id, source_event_id, recipient, subject, template, message, status,"
        " attempts, next_attempt_at, created_at) VALUES (:id, :tenant, :event, 'a@b.example', 's', :template,"
        " :message, :status, 1, now(), now())"
    )
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            for status in ("sent", "pending"):
                values = {"id": uuid4(), "tenant": uuid4(), "event": uuid4(), "template": "invitation"}
                await connection.execute(insert, values | {"message": message, "status": status})
        await asyncio.to_thread(command.upgrade, config, "heads")
        async with engine.connect() as connection:
            rows = {
                status: message
                for status, message in (await connection.execute(text("SELECT status, message FROM emails"))).all()
            }
    finally:
        await engine.dispose()
    assert TOKEN not in bytes(rows["sent"]).decode() and "/invitations/link-withheld" in bytes(rows["sent"]).decode()
    assert b"Message-ID: <1@portal>" in bytes(rows["sent"])
    assert TOKEN in bytes(rows["pending"]).decode()  # still to be sent as it was queued
