"""Renders an email draft into the full MIME message that is stored and later sent as is.

Plain text and HTML come from the Jinja2 templates in ``notifier/templates`` (HTML autoescaped);
attachments are added as parts. An email about a document links to its page in the web portal:
the templates get the absolute address as ``page_url``, made here from the portal's public
address and the draft's page. The Message-ID is derived from the email id, so every copy of
one email carries the same id.

An email without attachments is written by ``notifier.adapters.mime``, byte for byte as the
``email`` package writes it but without its per-header parsing and folding; one with
attachments (a purchase order's PDF) is built by the package.
"""

from __future__ import annotations

import functools
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from uuid import UUID

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from notifier.adapters import mime
from notifier.domain.headers import header_text, single_address
from notifier.domain.messages import EmailDraft, document_word, format_day, format_money, format_quantity
from shared.taxes import rate_text


@functools.lru_cache(maxsize=8)
def _message_id_domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "supplier-portal.local"


def message_id_for(email_id: UUID, sender: str) -> str:
    return f"<{email_id}@{_message_id_domain(sender)}>"


class EmailRenderer:
    def __init__(self, sender: str, portal_url: str) -> None:
        self.sender = sender
        self.portal_url = portal_url.rstrip("/")
        self._env = Environment(
            loader=PackageLoader("notifier", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
            undefined=StrictUndefined,  # a missing fact fails the render instead of mailing a blank
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # The templates are part of the release and never change while it runs: each is
            # compiled once, and no render asks the file system whether it changed.
            auto_reload=False,
        )
        self._env.filters.update(
            money=format_money, quantity=format_quantity, day=format_day, rate=rate_text, document=document_word
        )
        self._from_header = mime.header("From", sender)  # the same on every email

    def page_url(self, page: str) -> str:
        """The absolute address of a page of the web portal (a path of ``notifier.domain.pages``)."""
        return f"{self.portal_url}/{page.lstrip('/')}"

    def bodies(self, draft: EmailDraft) -> tuple[str, str]:
        """The plain text and HTML bodies of ``draft``."""
        context = {**draft.context, "subject": header_text(draft.subject)}
        if draft.page is not None:
            # A template that links the page of a draft without one fails (StrictUndefined).
            context["page_url"] = self.page_url(draft.page)
        plain = self._env.get_template(f"{draft.template}.txt.j2").render(context)
        html = self._env.get_template(f"{draft.template}.html.j2").render(context)
        return plain.strip() + "\n", html

    def render(self, draft: EmailDraft, *, email_id: UUID, now: datetime) -> bytes:
        """The MIME message of ``draft``; InvalidRecipient when its recipient is not one address."""
        plain, html = self.bodies(draft)
        # The only place user text becomes headers: one plain address, one sanitised line
        # (a CR/LF in a PO number or supplier name must never add a header or a recipient).
        recipient = single_address(draft.recipient)
        subject = header_text(draft.subject)
        if draft.attachments:
            return self._packaged(draft, recipient, subject, plain, html, email_id=email_id, now=now)
        headers = [
            self._from_header,
            mime.header("To", recipient),
            mime.header("Subject", subject),
            mime.header("Date", format_datetime(now)),
            mime.header("Message-ID", message_id_for(email_id, self.sender)),
            mime.header("X-Portal-Template", draft.template),
        ]
        return mime.alternative(headers, plain, html)

    def _packaged(
        self, draft: EmailDraft, recipient: str, subject: str, plain: str, html: str, *, email_id: UUID, now: datetime
    ) -> bytes:
        """The message built by the ``email`` package: the one writer of attachments, and what
        ``notifier.adapters.mime`` is compared with."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = recipient
        message["Subject"] = subject
        message["Date"] = format_datetime(now)
        message["Message-ID"] = message_id_for(email_id, self.sender)
        message["X-Portal-Template"] = draft.template
        message.set_content(plain)
        message.add_alternative(html, subtype="html")
        for attachment in draft.attachments:
            maintype, _, subtype = attachment.content_type.partition("/")
            message.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename)
        return message.as_bytes(policy=SMTP)
