"""No usable single-use token is kept at rest outside the gateway's digests: after an invitation is
accepted, another left pending and a password reset asked for and left unused (and all the
end-to-end tests before this one on the same stack), once their emails are sent no table of any
service's database and no message of any topic (dead-letter topics included) holds the token of
any link an email carried. The search is shown to find a token where one is."""

from __future__ import annotations

import quopri
import re
import uuid
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from portal_dev.stack import PROCESSES, Stack
from portal_dev.testing import Mailbox, poll_until
from shared.settings import plain_database_url
from tests.e2e.conftest import Portal

LINK_TOKEN = re.compile(r"/(?:invitations|password-reset|email-change)/([A-Za-z0-9_\-]{20,})")


def link_tokens(mailbox: Mailbox) -> set[str]:
    """The token of every single-use link the mail sink received (each text part, decoded)."""
    return {token for text in mailbox.texts() for token in LINK_TOKEN.findall(text)}


def readable(value: Any) -> str:
    """A stored value as text to search: bytes decoded as they are and as quoted-printable."""
    if isinstance(value, bytes | memoryview):
        raw = bytes(value)
        return raw.decode(errors="replace") + "\n" + quopri.decodestring(raw).decode(errors="replace")
    return str(value)


async def database_text(stack: Stack, service: str) -> dict[str, str]:
    """Every table of the service's database: its rows as text."""
    connection = await asyncpg.connect(plain_database_url(stack.database_url(service)))
    try:
        tables = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {
            f"{service}.{table['tablename']}": "\n".join(
                readable(value)
                for row in await connection.fetch(f'SELECT * FROM "{table["tablename"]}"')
                for value in row.values()
            )
            for table in tables
        }
    finally:
        await connection.close()


async def topics_text(stack: Stack) -> dict[str, str]:
    """Every message of every topic on the broker (keys, values and headers), read from the start."""
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [
            TopicPartition(topic, partition)
            for topic in await consumer.topics()
            for partition in consumer.partitions_for_topic(topic) or ()
        ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        texts: dict[str, list[str]] = {}
        while [p for p, end in ends.items() if await consumer.position(p) < end]:
            batches = await consumer.getmany(timeout_ms=500)
            for partition, records in batches.items():
                for record in records:
                    texts.setdefault(partition.topic, []).extend(
                        readable(part)
                        for part in (record.key or b"", record.value or b"", *(v for _, v in record.headers))
                    )
        return {topic: "\n".join(lines) for topic, lines in texts.items()}
    finally:
        await consumer.stop()


async def at_rest(stack: Stack, tokens: set[str]) -> dict[str, list[str]]:
    """Where each token is kept: database tables and topics."""
    stores: dict[str, str] = {}
    for service in PROCESSES:
        stores |= await database_text(stack, service)
    stores |= {f"topic {name}": text for name, text in (await topics_text(stack)).items()}
    return {token[:6] + "…": [name for name, text in stores.items() if token in text] for token in tokens}


async def test_no_database_or_topic_keeps_a_usable_link_token_once_its_email_is_sent(
    stack: Stack, api: httpx.AsyncClient, portal: Portal, mailbox: Mailbox
) -> None:
    tag = uuid.uuid4().hex[:8]
    admin = await portal.admin()
    accepted_email, pending_email = f"joined-{tag}@rest.example", f"pending-{tag}@rest.example"
    await portal.onboard_supplier(admin, name=f"Joined {tag}", email=accepted_email)
    created = await api.post(
        "/suppliers", json={"name": f"Pending {tag}", "email": pending_email, "currency": "EUR"}, headers=admin
    )
    assert created.status_code == 201, created.text
    activated = await api.post(f"/suppliers/{created.json()['id']}/portal/activate", headers=admin)
    assert activated.status_code == 200, activated.text
    assert (await api.post("/auth/password-reset", json={"email": accepted_email})).status_code == 202
    await portal.email(to=pending_email, subject="invit")
    await portal.email(to=accepted_email, subject="Reset")

    tokens = link_tokens(mailbox)
    assert len(tokens) >= 3

    async def kept() -> dict[str, list[str]] | None:
        found = {token: where for token, where in (await at_rest(stack, tokens)).items() if where}
        return found or None

    # The notifier records an email as sent just after the SMTP server took it.
    async def none_kept() -> bool:
        return await kept() is None

    try:
        await poll_until(none_kept, timeout_s=20, what="no link token at rest")
    except TimeoutError:
        raise AssertionError(f"link tokens kept at rest: {await kept()}") from None

    # The search finds a token where one is: in a table of a database, and on a topic.
    planted, table = next(iter(tokens)), f"planted_{tag}"
    connection = await asyncpg.connect(plain_database_url(stack.database_url("notifier")))
    try:
        await connection.execute(f'CREATE TABLE "{table}" (message bytea)')
        await connection.execute(f'INSERT INTO "{table}" VALUES ($1)', f"/invitations/{planted}".encode())
        found = await at_rest(stack, {planted})
    finally:
        await connection.execute(f'DROP TABLE "{table}"')
        await connection.close()
    assert list(found.values()) == [[f"notifier.{table}"]]
