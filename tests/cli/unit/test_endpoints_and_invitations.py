"""Where the commands find the system (the endpoints file) and how the demo seed reads an
invitation link from the mail sink's ``.eml`` files."""

from __future__ import annotations

import stat
from email.message import EmailMessage
from pathlib import Path

from portal_cli.endpoints import Endpoints, write
from portal_cli.seed import invitation_token


def test_the_endpoints_file_is_read_back_as_written_and_only_its_owner_can_read_it(tmp_path: Path) -> None:
    written = Endpoints(
        gateway_url="http://127.0.0.1:18000",
        services={"orders": "http://127.0.0.1:18102"},
        kafka_bootstrap_servers="127.0.0.1:19092",
        database_urls={"gateway": "postgresql+asyncpg://portal:secret@db/portal_gateway"},
        mail_dir=None,
        smtp="smtp.internal:587",
    )
    path = tmp_path / "state" / "portal-endpoints.json"

    write(written, path)
    read = Endpoints.load(path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read.source == str(path)
    read.source = written.source
    assert read == written
    assert list(read.all_services()) == ["gateway", "orders"]
    assert read.gateway_database_url == "postgresql+asyncpg://portal:secret@db/portal_gateway"


def test_an_endpoints_file_naming_the_gateway_database_on_its_own_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "portal-endpoints.json"
    path.write_text(
        '{"gateway_database_url": "postgresql+asyncpg://portal@db/portal_gateway",'
        ' "database_urls": {"orders": "postgresql+asyncpg://portal@db/portal_orders"}}'
    )

    read = Endpoints.load(path)

    assert read.gateway_database_url == "postgresql+asyncpg://portal@db/portal_gateway"
    assert read.database_urls["orders"] == "postgresql+asyncpg://portal@db/portal_orders"


def test_without_an_endpoints_file_the_embedded_stack_defaults_apply(tmp_path: Path) -> None:
    found = Endpoints.load(tmp_path / "missing.json")

    assert found.gateway_url == "http://127.0.0.1:8000"
    assert found.services["notifier"] == "http://127.0.0.1:8105"
    assert found.kafka_bootstrap_servers == "127.0.0.1:9092"


def eml(directory: Path, name: str, *, to: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["To"], message["From"], message["Subject"] = to, "portal@example.com", subject
    message.set_content(body)
    directory.mkdir(exist_ok=True)
    (directory / name).write_bytes(bytes(message))


def test_the_invitation_token_is_taken_from_the_newest_invitation_to_that_address(tmp_path: Path) -> None:
    mail = tmp_path / "mail"
    eml(mail, "1.eml", to="sales@acme.example", subject="You are invited", body="http://x/invitations/old-token")
    eml(mail, "2.eml", to="sales@acme.example", subject="You are invited", body="Open http://x/invitations/new_Tok-3 .")
    eml(mail, "3.eml", to="sales@acme.example", subject="New purchase order", body="http://x/invitations/not-this")
    eml(mail, "4.eml", to="other@acme.example", subject="You are invited", body="http://x/invitations/someone-else")

    assert invitation_token(mail, "Sales@Acme.example") == "new_Tok-3"
    assert invitation_token(mail, "nobody@acme.example") is None
