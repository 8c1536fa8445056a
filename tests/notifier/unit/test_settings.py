"""The notifier reads the stack's SMTP settings and the portal's address without its own prefix."""

from __future__ import annotations

import pytest

from notifier.config import Settings


def test_smtp_settings_are_read_as_smtp_star_and_the_rest_with_the_notifier_prefix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMTP_HOST", "mail.internal")
    monkeypatch.setenv("SMTP_PORT", "2525")
    monkeypatch.setenv("SMTP_USERNAME", "portal")
    monkeypatch.setenv("SMTP_PASSWORD", "s3cret")
    monkeypatch.setenv("SMTP_STARTTLS", "true")
    monkeypatch.setenv("SMTP_FROM", "Portal <portal@buyer.example>")
    monkeypatch.setenv("NOTIFIER_EMAIL_MAX_ATTEMPTS", "7")
    settings = Settings()
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_username) == ("mail.internal", 2525, "portal")
    assert settings.smtp_password is not None and settings.smtp_password.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(settings)
    assert settings.smtp_starttls is True
    assert settings.smtp_from == "Portal <portal@buyer.example>"
    assert settings.email_max_attempts == 7


def test_defaults_point_at_the_embedded_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "SMTP_HOST",
        "SMTP_PORT",
        "SMTP_FROM",
        "SMTP_STARTTLS",
        "NOTIFIER_DATABASE_URL",
        "NOTIFIER_HTTP_PORT",
        "PORTAL_PUBLIC_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_starttls) == ("127.0.0.1", 1025, False)
    assert settings.smtp_from == "Supplier Portal <no-reply@supplier-portal.local>"
    assert settings.http_port == 8105
    assert settings.database_url.endswith("/portal_notifier")
    assert (settings.email_retry_first_delay_s, settings.email_retry_max_delay_s) == (0.5, 60.0)
    assert settings.portal_public_url == "http://127.0.0.1:8000"


def test_the_portal_address_is_the_stack_wide_portal_public_url_without_a_trailing_slash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "https://portal.example.com/")
    assert Settings().portal_public_url == "https://portal.example.com"
    assert Settings(portal_public_url="https://other.example//").portal_public_url == "https://other.example"
