"""The SMTP transport against a real SMTP server: accepted, refused for good, or worth a retry."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from notifier.adapters.smtp import SmtpTransport
from notifier.config import Settings
from notifier.domain.errors import DeliveryFailed
from shared.devstack.mailsink import EmlWriter
from shared.devstack.ports import free_port


class PickyWriter(EmlWriter):
    """Refuses ``gone@`` for good (550) and ``busy@`` for now (451); keeps everything else."""

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if address.startswith("gone@"):
            return "550 5.1.1 no such mailbox"
        if address.startswith("busy@"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
async def smtp_port(tmp_path: Path) -> AsyncIterator[int]:
    port = free_port()
    controller = Controller(PickyWriter(tmp_path), hostname="127.0.0.1", port=port)
    await asyncio.to_thread(controller.start)
    yield port
    await asyncio.to_thread(controller.stop)


def message(to: str) -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "Supplier Portal <no-reply@supplier-portal.local>", to, "Hello"
    mail.set_content("body")
    return mail.as_bytes(policy=SMTP)


def transport(port: int) -> SmtpTransport:
    return SmtpTransport(Settings(smtp_port=port, smtp_timeout_s=5))


def kept(directory: Path) -> list[bytes]:
    return [path.read_bytes() for path in directory.glob("*.eml")]


async def test_an_accepted_message_is_kept_by_the_server(smtp_port: int, tmp_path: Path) -> None:
    await transport(smtp_port).send(message("sales@acme.example"), recipient="sales@acme.example")
    [raw] = kept(tmp_path)
    assert b"To: sales@acme.example" in raw


async def test_a_recipient_refused_with_5xx_is_a_permanent_failure(smtp_port: int) -> None:
    with pytest.raises(DeliveryFailed) as refused:
        await transport(smtp_port).send(message("gone@acme.example"), recipient="gone@acme.example")
    assert refused.value.permanent
    assert "no such mailbox" in str(refused.value)


async def test_a_recipient_deferred_with_4xx_is_worth_a_retry(smtp_port: int) -> None:
    with pytest.raises(DeliveryFailed) as deferred:
        await transport(smtp_port).send(message("busy@acme.example"), recipient="busy@acme.example")
    assert not deferred.value.permanent


async def test_a_server_that_is_not_there_is_worth_a_retry() -> None:
    with pytest.raises(DeliveryFailed) as down:
        await transport(free_port()).send(message("sales@acme.example"), recipient="sales@acme.example")
    assert not down.value.permanent


def test_the_envelope_sender_is_the_address_of_smtp_from() -> None:
    assert SmtpTransport(Settings()).envelope_from == "no-reply@supplier-portal.local"
