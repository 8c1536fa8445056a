"""``portal outbox republish``: a service's relay publishes again the events it sent since a time.

Every service writes its events to its outbox table with the change that causes them, and its
relay publishes them and marks them sent (``shared.relay``). Clearing that mark for the rows sent
since a time makes the relay publish them again, in their order, as soon as it is woken (the
command notifies it). The relay does this by itself for its republish window (seven days unless
``OUTBOX_REPUBLISH_WINDOW_S`` says otherwise) when it finds the broker restarted empty; this is
the same by hand, from any time the outbox still holds (its sent rows are deleted after
``OUTBOX_RETENTION_S``, fourteen days unless set): a broker that lost more than the window, a
topic recreated, a consumer outside the portal that needs the events again.

It is safe: every consumer records the events it handled (its inbox) and skips one it sees again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import asyncpg

from portal_dev.stack import SERVICES
from shared.relay import publish_again
from shared.settings import async_database_url, plain_database_url

# The services that publish events, each from the outbox of its own database.
SERVICES_WITH_OUTBOX = SERVICES

_SPAN = re.compile(r"(?P<amount>\d+)\s*(?P<unit>s|m|h|d)")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class UnknownService(ValueError):
    pass


class BadTime(ValueError):
    pass


def known_service(name: str) -> str:
    if name not in SERVICES_WITH_OUTBOX:
        known = ", ".join(SERVICES_WITH_OUTBOX)
        raise UnknownService(f"unknown service {name!r}; the services with an outbox: {known}")
    return name


def parse_since(text: str, *, now: datetime) -> datetime:
    """The time ``--since`` names: ISO 8601 (``2026-12-06T09:30``, UTC unless it carries a zone)
    or a span back from ``now`` (``90s``, ``10m``, ``2h``, ``7d``). A time after ``now`` is refused:
    nothing was sent then."""
    value = text.strip()
    span = _SPAN.fullmatch(value)
    if span:
        since = now - timedelta(**{_UNITS[span["unit"]]: int(span["amount"])})
    else:
        try:
            since = datetime.fromisoformat(value)
        except ValueError:
            raise BadTime(
                f"--since takes an ISO 8601 time (2026-12-06T09:30:00Z; UTC without a zone) "
                f"or a span back from now (90s, 10m, 2h, 7d), got {text!r}"
            ) from None
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
    if since > now:
        raise BadTime(f"--since {text!r} is in the future ({since.astimezone(UTC).isoformat()}): nothing was sent then")
    return since.astimezone(UTC)


def database_url_of(
    service: str, *, given: str | None, environ: Mapping[str, str], endpoints_urls: Mapping[str, str]
) -> str:
    """The service's database: the option, else ``<SERVICE>_DATABASE_URL``, else the endpoints file's."""
    url = given or environ.get(f"{service.upper()}_DATABASE_URL") or endpoints_urls.get(service)
    if not url:
        raise UnknownService(f"no database URL for {service}: give --database-url or {service.upper()}_DATABASE_URL")
    return url


async def republish(database_url: str, since: datetime) -> int:
    """Clear the sent mark of the outbox rows sent at or after ``since`` and wake the relay;
    returns how many rows it will publish again."""
    connection = await asyncpg.connect(plain_database_url(async_database_url(database_url)), timeout=10)
    try:
        return await publish_again(connection, since)
    finally:
        await connection.close(timeout=5)
