"""The SMTP transport against a real SMTP server: accepted, refused for good, or worth a retry;
one session kept for consecutive messages, replaced when worn, idle or ended by the server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from notifier.adapters.smtp import SmtpTransport
from notifier.config import Settings
from notifier.domain.errors import DeliveryFailed
from portal_dev.mailsink import EmlWriter
from portal_dev.ports import free_port


class PickyWriter(EmlWriter):
    """Refuses ``gone@`` for good (550) and ``busy@`` for now (451); keeps everything else.
    Remembers each session's EHLO name and can end the next session that sends (421 on MAIL)."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.ehlo_names: list[str] = []
        self.servers: list[Any] = []
        self.hang_up_at_next_mail = False

    async def handle_EHLO(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname  # what aiosmtpd does itself when there is no hook
        self.ehlo_names.append(hostname)
        self.servers.append(server)
        return responses

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if self.hang_up_at_next_mail:
            self.hang_up_at_next_mail = False
            return "421 4.7.0 too many messages on this connection, closing"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if address.startswith("gone@"):
            return "550 5.1.1 no such mailbox"
        if address.startswith("busy@"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
async def sink(tmp_path: Path) -> AsyncIterator[tuple[Controller, PickyWriter]]:
    writer = PickyWriter(tmp_path)
    controller = Controller(writer, hostname="127.0.0.1", port=free_port())
    await asyncio.to_thread(controller.start)
    yield controller, writer
    await asyncio.to_thread(controller.stop)


@pytest.fixture
def smtp_port(sink: tuple[Controller, PickyWriter]) -> int:
    return sink[0].port  # type: ignore[no-any-return]


def message(to: str) -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "Supplier Portal <no-reply@supplier-portal.local>", to, "Hello"
    mail.set_content("body")
    return mail.as_bytes(policy=SMTP)


def transport(port: int, *, monotonic: Callable[[], float] = time.monotonic, **settings: Any) -> SmtpTransport:
    return SmtpTransport(Settings(smtp_port=port, smtp_timeout_s=5, **settings), monotonic=monotonic)


async def send_to(smtp: SmtpTransport, recipient: str) -> None:
    await smtp.send(message(recipient), recipient=recipient)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


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


async def test_consecutive_messages_share_one_connection(sink: tuple[Controller, PickyWriter], tmp_path: Path) -> None:
    controller, writer = sink
    smtp = transport(controller.port)
    for n in range(3):
        await send_to(smtp, f"sales{n}@acme.example")
    assert (smtp.connections, len(writer.ehlo_names), len(kept(tmp_path))) == (1, 1, 3)
    await smtp.close()
    assert not smtp.connected


async def test_a_connection_is_replaced_after_the_messages_one_may_carry(
    sink: tuple[Controller, PickyWriter], tmp_path: Path
) -> None:
    controller, _ = sink
    smtp = transport(controller.port, smtp_max_messages_per_connection=2)
    for n in range(5):
        await send_to(smtp, f"sales{n}@acme.example")
    assert (smtp.connections, len(kept(tmp_path))) == (3, 5)


async def test_an_idle_connection_is_hung_up_and_the_next_message_opens_a_new_one(
    sink: tuple[Controller, PickyWriter], tmp_path: Path
) -> None:
    controller, _ = sink
    clock = Clock()
    smtp = transport(controller.port, monotonic=clock, smtp_idle_timeout_s=20)
    await send_to(smtp, "sales@acme.example")
    clock.now += 19
    await smtp.close_if_idle()
    assert smtp.connected
    clock.now += 1
    await smtp.close_if_idle()
    assert not smtp.connected
    await send_to(smtp, "sales@acme.example")
    assert (smtp.connections, len(kept(tmp_path))) == (2, 2)


async def test_a_connection_left_idle_too_long_is_not_used_for_the_next_message(
    sink: tuple[Controller, PickyWriter], tmp_path: Path
) -> None:
    controller, _ = sink
    clock = Clock()
    smtp = transport(controller.port, monotonic=clock, smtp_idle_timeout_s=20)
    await send_to(smtp, "sales@acme.example")
    clock.now += 25  # the sender was not asked to hang up meanwhile
    await send_to(smtp, "sales@acme.example")
    assert (smtp.connections, len(kept(tmp_path))) == (2, 2)


async def test_a_kept_session_the_server_ends_with_421_is_replaced_without_a_failed_try(
    sink: tuple[Controller, PickyWriter], tmp_path: Path
) -> None:
    controller, writer = sink
    smtp = transport(controller.port)
    await send_to(smtp, "sales@acme.example")
    writer.hang_up_at_next_mail = True
    await send_to(smtp, "buyer@acme.example")
    assert smtp.connections == 2
    assert sorted(b"buyer@" in raw for raw in kept(tmp_path)) == [False, True]


async def test_a_kept_connection_the_server_dropped_is_replaced_without_a_failed_try(
    sink: tuple[Controller, PickyWriter], tmp_path: Path
) -> None:
    controller, writer = sink
    smtp = transport(controller.port)
    await send_to(smtp, "sales@acme.example")
    [server] = writer.servers
    controller.loop.call_soon_threadsafe(server.transport.close)  # the server drops it while idle
    await send_to(smtp, "buyer@acme.example")
    assert smtp.connections == 2
    assert len(kept(tmp_path)) == 2


async def test_a_session_that_just_opened_and_ends_with_421_is_a_failure_worth_a_retry(
    sink: tuple[Controller, PickyWriter], tmp_path: Path
) -> None:
    controller, writer = sink
    writer.hang_up_at_next_mail = True
    smtp = transport(controller.port)
    with pytest.raises(DeliveryFailed) as closing:
        await send_to(smtp, "sales@acme.example")
    assert not closing.value.permanent
    assert (smtp.connections, kept(tmp_path)) == (1, [])


async def test_after_a_refused_recipient_the_next_message_goes_out_on_a_fresh_session(
    sink: tuple[Controller, PickyWriter], tmp_path: Path
) -> None:
    controller, _ = sink
    smtp = transport(controller.port)
    with pytest.raises(DeliveryFailed):
        await send_to(smtp, "gone@acme.example")
    assert not smtp.connected
    await send_to(smtp, "sales@acme.example")
    assert len(kept(tmp_path)) == 1


async def test_ehlo_says_the_configured_name(sink: tuple[Controller, PickyWriter]) -> None:
    controller, writer = sink
    smtp = transport(controller.port, smtp_local_hostname="notifier-1.portal.example")
    await send_to(smtp, "sales@acme.example")
    assert writer.ehlo_names == ["notifier-1.portal.example"]
