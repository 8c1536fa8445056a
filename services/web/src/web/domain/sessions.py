"""A signed-in person's session: what the portal keeps on the server, never in the browser.

The browser holds only a random session key (an ``HttpOnly`` cookie); the database holds its
digest, so a copy of the table opens no session. The gateway's token stays here.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID


def new_secret() -> str:
    """A random, URL-safe value: session keys and CSRF tokens."""
    return secrets.token_urlsafe(32)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def same_secret(given: str | None, expected: str) -> bool:
    return given is not None and secrets.compare_digest(given.encode(), expected.encode())


def session_expiry(moment: datetime, expires_in: int) -> datetime:
    """When a session on a token that lives ``expires_in`` seconds from ``moment`` ends: a little
    before the token itself, so that no page finds it expired half-way (a minute at the least)."""
    return moment + timedelta(seconds=max(expires_in - 30, 60))


@dataclass
class WebSession:
    digest: str
    access_token: str
    csrf_token: str
    user_id: UUID
    email: str
    name: str
    role: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    # A supplier serving several buyers works for one at a time (or for all: None); the scoped
    # token is the gateway's token narrowed to that supplier record.
    supplier_id: UUID | None = None
    scoped_token: str | None = None
    organisations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_supplier(self) -> bool:
        return self.role == "supplier"

    @property
    def is_buyer(self) -> bool:
        return self.role in ("buyer_admin", "buyer_user")

    @property
    def is_admin(self) -> bool:
        """A buyer admin: the organisation's settings, suppliers' tolerance and payment terms, payments."""
        return self.role == "buyer_admin"

    @property
    def api_token(self) -> str:
        """The token the pages call the API with: narrowed to the chosen buyer, if one is."""
        return self.scoped_token or self.access_token

    @property
    def organisation(self) -> dict[str, Any] | None:
        """The buyer organisation the supplier works for now (None: all of them)."""
        return next((o for o in self.organisations if o.get("supplier_id") == str(self.supplier_id)), None)

    def ended(self, now: datetime, idle_timeout: timedelta) -> bool:
        return now >= self.expires_at or now - self.last_seen_at >= idle_timeout

    def needs_touch(self, now: datetime) -> bool:
        """Record activity at most once a minute: a page view should not always write."""
        return now - self.last_seen_at >= timedelta(minutes=1)
