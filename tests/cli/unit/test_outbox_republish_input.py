"""What ``portal outbox republish`` accepts: a known service, a time (ISO 8601 or a span back from
now), and where it finds the service's database; anything else is refused with exit code 2."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from portal_cli.endpoints import Endpoints, write
from portal_cli.main import app
from portal_cli.outbox import BadTime, UnknownService, database_url_of, known_service, parse_since

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_a_time_without_a_zone_is_utc_and_one_with_a_zone_is_converted() -> None:
    assert parse_since("2026-12-06T09:30", now=NOW) == datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
    assert parse_since("2026-12-06T09:30:00Z", now=NOW) == datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
    assert parse_since("2026-12-06T10:30:00+01:00", now=NOW) == datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
    assert parse_since("2026-12-06", now=NOW) == datetime(2026, 12, 6, tzinfo=UTC)
    assert parse_since("2026-12-06T10:30:00+01:00", now=NOW).tzinfo == UTC


@pytest.mark.parametrize(
    ("span", "back"),
    [
        ("90s", timedelta(seconds=90)),
        ("10m", timedelta(minutes=10)),
        ("2h", timedelta(hours=2)),
        ("7d", timedelta(days=7)),
    ],
)
def test_a_span_counts_back_from_now(span: str, back: timedelta) -> None:
    assert parse_since(span, now=NOW) == NOW - back


@pytest.mark.parametrize("text", ["yesterday", "2h ago", "-2h", "10 minutes", "2026-13-01", ""])
def test_what_is_neither_a_time_nor_a_span_is_refused_with_the_forms_it_takes(text: str) -> None:
    with pytest.raises(BadTime, match="ISO 8601"):
        parse_since(text, now=NOW)


def test_a_time_in_the_future_is_refused() -> None:
    with pytest.raises(BadTime, match="in the future"):
        parse_since("2026-12-06T12:00:01Z", now=NOW)


def test_only_a_service_with_an_outbox_is_accepted() -> None:
    assert known_service("invoicing") == "invoicing"
    with pytest.raises(UnknownService, match="unknown service 'web'; the services with an outbox: suppliers, orders"):
        known_service("web")


def test_the_database_is_the_option_else_the_services_variable_else_the_endpoints_files() -> None:
    files = {"orders": "postgresql://file/orders"}
    environ = {"ORDERS_DATABASE_URL": "postgresql://env/orders"}
    assert database_url_of("orders", given="postgresql://option", environ=environ, endpoints_urls=files) == (
        "postgresql://option"
    )
    assert database_url_of("orders", given=None, environ=environ, endpoints_urls=files) == "postgresql://env/orders"
    assert database_url_of("orders", given=None, environ={}, endpoints_urls=files) == "postgresql://file/orders"
    with pytest.raises(UnknownService, match="--database-url or ORDERS_DATABASE_URL"):
        database_url_of("orders", given=None, environ={}, endpoints_urls={})


def test_the_endpoints_file_names_every_services_database_and_defaults_to_the_embedded_stacks(tmp_path: Path) -> None:
    path = tmp_path / "portal-endpoints.json"
    write(Endpoints(database_urls={"orders": "postgresql://db.internal/portal_orders"}), path)
    assert Endpoints.load(path).database_urls == {"orders": "postgresql://db.internal/portal_orders"}
    defaults = Endpoints.load(tmp_path / "missing.json").database_urls
    assert defaults["invoicing"] == "postgresql+asyncpg://postgres@127.0.0.1:5439/portal_invoicing"
    assert set(defaults) == {"gateway", "suppliers", "orders", "invoicing", "matching", "notifier"}


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--service", "billing", "--since", "2h"], "unknown service 'billing'"),
        (["--service", "orders", "--since", "last tuesday"], "--since takes an ISO 8601 time"),
        (["--service", "orders", "--since", "2999-01-01T00:00:00Z"], "is in the future"),
    ],
)
def test_the_command_refuses_bad_input_with_exit_code_2_before_touching_a_database(args: list[str], says: str) -> None:
    result = CliRunner().invoke(
        app, ["outbox", "republish", *args, "--database-url", "postgresql://nowhere.invalid/db"], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 2, result.output
    assert says in result.output
