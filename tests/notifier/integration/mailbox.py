"""The real SMTP sink of the tests (aiosmtpd writing ``.eml`` files) and reading what it got."""

from __future__ import annotations

import asyncio
import email
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

from aiosmtpd.controller import Controller

from portal_dev.mailsink import EmlWriter
from portal_dev.testing import poll_until


class MailSink:
    """An SMTP server on ``port`` that keeps each message in ``directory``; it can go down and up."""

    def __init__(self, directory: Path, port: int) -> None:
        self.directory = directory
        self.port = port
        self._controller: Controller | None = None

    async def start(self) -> None:
        controller = Controller(EmlWriter(self.directory), hostname="127.0.0.1", port=self.port)
        await asyncio.to_thread(controller.start)
        self._controller = controller

    async def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            await asyncio.to_thread(controller.stop)

    def messages(self) -> list[EmailMessage]:
        found = []
        for path in sorted(self.directory.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=default)
            assert isinstance(message, EmailMessage)
            found.append(message)
        return found

    def to(self, recipient: str) -> list[EmailMessage]:
        return [m for m in self.messages() if m["To"] == recipient]

    async def wait_for(self, recipient: str, count: int = 1, *, timeout_s: float = 30.0) -> list[EmailMessage]:
        def arrived() -> list[EmailMessage] | None:
            found = self.to(recipient)
            return found if len(found) >= count else None

        return await poll_until(
            arrived,
            timeout_s=timeout_s,
            what=f"{count} email(s) to {recipient}",
        )


def bodies(message: EmailMessage) -> tuple[str, str]:
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content()
