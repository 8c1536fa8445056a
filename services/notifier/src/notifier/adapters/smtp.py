"""Sends stored MIME messages over SMTP with aiosmtplib; one connection per message.

Failures are classified: a recipient or message refused with a 5xx reply is permanent (no
retry can change it); everything else (server down, timeouts, 4xx, authentication set up
wrong) is worth retrying.
"""

from __future__ import annotations

from email.utils import parseaddr

import aiosmtplib

from notifier.config import Settings
from notifier.domain.errors import DeliveryFailed


def _is_permanent(exc: Exception) -> bool:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return all(500 <= refusal.code < 600 for refusal in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPRecipientRefused | aiosmtplib.SMTPDataError):
        return 500 <= exc.code < 600
    return False


class SmtpTransport:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.envelope_from = parseaddr(settings.smtp_from)[1] or settings.smtp_from

    async def send(self, message: bytes, *, recipient: str) -> None:
        settings = self._settings
        try:
            await aiosmtplib.send(
                message,
                sender=self.envelope_from,
                recipients=[recipient],
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username or None,
                password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
                # Explicit: aiosmtplib would otherwise upgrade whenever the server offers it.
                start_tls=settings.smtp_starttls,
                timeout=settings.smtp_timeout_s,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            reason = f"{type(exc).__name__}: {exc}"
            raise DeliveryFailed(reason, permanent=_is_permanent(exc)) from exc
