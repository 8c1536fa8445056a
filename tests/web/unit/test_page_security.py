"""Where a person may be sent after signing in, HTTPS as the browser saw it, and when a session ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from web.domain.sessions import WebSession, key_digest, new_secret, same_secret
from web.entrypoints.security import SECURITY_HEADERS, is_https, safe_next


@pytest.mark.parametrize(
    "target",
    ["/", "/purchase-orders", "/invoices/1?done=saved", "/purchase-orders?status=sent&number=PO%2F1"],
)
def test_a_path_of_this_site_is_where_the_person_returns(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "//evil.example/",
        "///evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "http:evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/\tevil",
        "/ok\r\nSet-Cookie: x=1",
    ],
)
def test_anything_else_returns_to_the_dashboard(target: str | None) -> None:
    assert safe_next(target) == "/"


def test_https_is_what_the_gateway_saw() -> None:
    assert is_https({"scheme": "http", "headers": [(b"x-forwarded-proto", b"https")]})
    assert not is_https({"scheme": "http", "headers": [(b"x-forwarded-proto", b"http")]})
    assert is_https({"scheme": "https", "headers": []})


def test_every_answer_forbids_framing_sniffing_and_inline_script() -> None:
    csp = SECURITY_HEADERS["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert SECURITY_HEADERS["X-Content-Type-Options"] == "nosniff"


def session(now: datetime, *, expires_in: timedelta, idle_for: timedelta) -> WebSession:
    return WebSession(
        digest=key_digest(new_secret()),
        access_token="token",
        csrf_token=new_secret(),
        user_id=uuid4(),
        email="a@b.example",
        name="A",
        role="supplier",
        created_at=now - idle_for,
        last_seen_at=now - idle_for,
        expires_at=now + expires_in,
    )


def test_a_session_ends_when_its_token_expires_or_after_being_idle() -> None:
    now = datetime.now(UTC)
    idle = timedelta(minutes=30)
    assert not session(now, expires_in=timedelta(minutes=5), idle_for=timedelta(minutes=29)).ended(now, idle)
    assert session(now, expires_in=timedelta(0), idle_for=timedelta(0)).ended(now, idle)
    assert session(now, expires_in=timedelta(hours=1), idle_for=timedelta(minutes=30)).ended(now, idle)


def test_secrets_compare_whole_and_the_key_is_never_its_digest() -> None:
    key = new_secret()
    assert len(key) >= 40 and key_digest(key) != key
    assert same_secret(key, key) and not same_secret(key[:-1], key) and not same_secret(None, key)
