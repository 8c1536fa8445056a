"""Secrets never reach a log line: what the services and their libraries log is redacted."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest
import structlog

from shared.logs import configure_logging
from shared.redaction import redact

JWT = "eyJhbGciOiJFZERTQSIsImtpZCI6Ik9JRCJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"
PEM = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIHg1ZWNyZXQta2V5LWJ5dGVz\n-----END PRIVATE KEY-----\n"
SECRETS = ("hunter2-admin", "s3cr3t-db", "inv-Tok3n_abc", "c2lnbmF0dXJlLW9mLXRoZS10b2tlbg", "MC4CAQAwBQYDK2VwBCIEIHg1")


class Captured:
    """What the services write to stderr, as pytest captures it (loggers write to the
    ``sys.stderr`` of the moment, which pytest replaces while a test runs)."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys

    def getvalue(self) -> str:
        return self._capsys.readouterr().err


@pytest.fixture
def logs(capsys: pytest.CaptureFixture[str]) -> Iterator[Captured]:
    """The real configuration; put back as it was afterwards."""
    saved_config, saved_handlers = structlog.get_config(), logging.getLogger().handlers[:]
    configure_logging("test", fmt="json")
    yield Captured(capsys)
    structlog.configure(**saved_config)
    logging.getLogger().handlers[:] = saved_handlers


def lines(buffer: Captured) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_secret_fields_and_secrets_inside_text_are_redacted_in_the_services_lines(logs: Captured) -> None:
    log = structlog.get_logger("test")
    structlog.contextvars.bind_contextvars(path="/api/v1/auth/invitations/inv-Tok3n_abc/accept")
    try:
        log.warning(
            "something happened",
            password="hunter2-admin",
            headers={"Authorization": f"Bearer {JWT}", "accept": "application/json"},
            database="postgresql+asyncpg://orders:s3cr3t-db@db.internal:5432/portal_orders",
            error=f"ValidationError: input_value={{'password': 'hunter2-admin', 'name': 'Ann'}}, key {PEM}",
            link="http://127.0.0.1:8000/invitations/inv-Tok3n_abc",
            query="email=ann%40example.com&password=hunter2-admin&x=1",
        )
    finally:
        structlog.contextvars.clear_contextvars()
    [line] = lines(logs)
    text = json.dumps(line)
    assert not [secret for secret in SECRETS if secret in text], text
    # What is not secret is kept, so the line still says what happened.
    assert line["event"] == "something happened" and line["headers"]["accept"] == "application/json"
    assert line["database"] == "postgresql+asyncpg://orders:[redacted]@db.internal:5432/portal_orders"
    assert line["path"] == "/api/v1/auth/invitations/[redacted]/accept"
    assert "'name': 'Ann'" in line["error"] and "x=1" in line["query"]


def test_a_libraries_log_record_and_an_exceptions_traceback_are_redacted(logs: Captured) -> None:
    try:
        raise RuntimeError(f"could not connect to postgresql://app:s3cr3t-db@db/app with token={JWT}")
    except RuntimeError:
        logging.getLogger("some.library").exception("connection failed for %s", "Bearer inv-Tok3n_abc")
        structlog.get_logger("test").exception("unhandled error")
    library, own = lines(logs)
    assert not [secret for secret in SECRETS if secret in json.dumps([library, own])], (library, own)
    assert "RuntimeError: could not connect to postgresql://app:[redacted]@db/app" in library["exception"]
    assert "Traceback" in own["exception"] and library["event"] == "connection failed for Bearer [redacted]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no secret here: /api/v1/invoices/42", "no secret here: /api/v1/invoices/42"),
        ("the password needs at least 8 characters", "the password needs at least 8 characters"),
        ('{"token": "abc def", "n": 1}', '{"token": "[redacted]", "n": 1}'),
        ("redis://:pw@cache:6379/0", "redis://:[redacted]@cache:6379/0"),
        ("https://example.com/path?token=abc&page=2", "https://example.com/path?token=[redacted]&page=2"),
        ("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", "[redacted token]"),
    ],
)
def test_redaction_keeps_what_is_not_secret_and_removes_what_is(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_secret_fields_are_redacted_at_any_depth_but_empty_ones_stay_empty() -> None:
    event = {
        "user": {"email": "a@b.example", "password": "x", "tokens": ["t"]},
        "api_key": None,
        "items": [{"secret": 1}],
    }
    assert redact(event) == {
        "user": {"email": "a@b.example", "password": "[redacted]", "tokens": "[redacted]"},
        "api_key": None,
        "items": [{"secret": "[redacted]"}],
    }


def test_a_terminals_traceback_shows_no_local_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """``make up`` logs for a terminal; a traceback there never prints the frames' variables."""
    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stderr", buffer)
    saved_config, saved_handlers = structlog.get_config(), logging.getLogger().handlers[:]
    configure_logging("test", fmt="console")
    try:

        def sign_in(password: str) -> None:
            raise RuntimeError("sign-in failed")

        secret = "-".join(("hunter2", "admin"))  # in a variable only, not in the source lines shown
        try:
            sign_in(secret)
        except RuntimeError:
            logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
            structlog.get_logger("test").exception("unhandled error")
    finally:
        structlog.configure(**saved_config)
        logging.getLogger().handlers[:] = saved_handlers
    output = buffer.getvalue()
    assert output.count("RuntimeError: sign-in failed") == 2, output
    assert "hunter2-admin" not in output


def test_the_tokens_of_reset_and_email_change_links_are_redacted(logs: Captured) -> None:
    log = structlog.get_logger("test")
    log.warning(
        "link seen",
        reset="https://portal.example/password-reset/Rst-T0ken_abc",
        path="/api/v1/auth/email-change/Chg-T0ken_abc",
    )
    [line] = lines(logs)
    assert line["reset"] == "https://portal.example/password-reset/[redacted]"
    assert line["path"] == "/api/v1/auth/email-change/[redacted]"
