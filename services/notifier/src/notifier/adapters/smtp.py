"""Sends stored MIME messages over SMTP with aiosmtplib, over one session kept open.

Consecutive emails share a connection (one TCP connect, greeting, EHLO, STARTTLS and login for
many messages): cheaper for the notifier and the server, and kinder to relays that limit how
often a client may connect. The session is replaced after ``smtp_max_messages_per_connection``
messages (servers cap them per connection) and closed once idle for ``smtp_idle_timeout_s``
(servers drop idle clients; ``close_if_idle`` lets the sender hang up first). A connection
the server dropped meanwhile is noticed when the next message goes out: that message is sent
again at once over a new connection, since the server cannot have taken it.

Failures are classified: a recipient or message refused with a 5xx reply is permanent (no
retry can change it); everything else (server down, timeouts, 4xx, authentication set up
wrong) is worth retrying. After any failure the connection is dropped: the next message starts
from a clean session.
"""

from __future__ import annotations

import time
from collections.abc import Callable
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


def _hung_up(exc: Exception) -> bool:
    if isinstance(exc, aiosmtplib.SMTPServerDisconnected):
        return True
    return isinstance(exc, aiosmtplib.SMTPResponseException) and exc.code == 421


class SmtpTransport:
    def __init__(self, settings: Settings, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._settings = settings
        self._monotonic = monotonic
        self.envelope_from = parseaddr(settings.smtp_from)[1] or settings.smtp_from
        self._client = aiosmtplib.SMTP(
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            # Explicit: aiosmtplib would otherwise upgrade whenever the server offers it.
            start_tls=settings.smtp_starttls,
            # The name said in EHLO; looked up once (socket.getfqdn) and kept when not set.
            local_hostname=settings.smtp_local_hostname,
            timeout=settings.smtp_timeout_s,
        )
        self._sent_on_connection = 0
        self._last_used = 0.0
        self.connections = 0  # opened so far

    @property
    def connected(self) -> bool:
        return self._client.is_connected

    async def send(self, message: bytes, *, recipient: str) -> None:
        try:
            reused = await self._ready()
            try:
                await self._client.sendmail(self.envelope_from, [recipient], message)
            except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPResponseException) as exc:
                if not (reused and _hung_up(exc)):
                    raise
                # The server ended the kept session (dropped it while idle, or closes with 421
                # after as many messages as it takes on one): it has not taken this one.
                self._client.close()
                await self._ready()
                await self._client.sendmail(self.envelope_from, [recipient], message)
        except (aiosmtplib.SMTPException, OSError) as exc:
            self._client.close()
            reason = f"{type(exc).__name__}: {exc}"
            raise DeliveryFailed(reason, permanent=_is_permanent(exc)) from exc
        except BaseException:
            self._client.close()  # cancelled or failed mid-dialogue: the session's state is unknown
            raise
        self._sent_on_connection += 1
        self._last_used = self._monotonic()

    async def close_if_idle(self) -> None:
        """Hang up a connection unused for ``smtp_idle_timeout_s``."""
        if self._client.is_connected and self._idle():
            await self.close()

    async def close(self) -> None:
        """Say QUIT and close; a server that does not answer is simply disconnected."""
        if not self._client.is_connected:
            return
        try:
            await self._client.quit(timeout=min(self._settings.smtp_timeout_s, 5.0))
        except (aiosmtplib.SMTPException, OSError):
            pass
        finally:
            self._client.close()

    async def _ready(self) -> bool:
        """Connected and able to take a message; True when the connection was already open."""
        if self._client.is_connected:
            worn = self._sent_on_connection >= self._settings.smtp_max_messages_per_connection
            if not (worn or self._idle()):
                return True
            await self.close()
        await self._client.connect()
        self.connections += 1
        self._sent_on_connection = 0
        return False

    def _idle(self) -> bool:
        return self._monotonic() - self._last_used >= self._settings.smtp_idle_timeout_s
