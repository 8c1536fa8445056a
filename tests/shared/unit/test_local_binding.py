"""``make up`` listens on 127.0.0.1 only: every service, and the embedded PostgreSQL, broker and mail
sink. Listening elsewhere takes an explicit ``<SERVICE>_HTTP_HOST`` (as the container images set)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from gateway.config import Settings as GatewaySettings
from invoicing.config import Settings as InvoicingSettings
from matching.config import Settings as MatchingSettings
from notifier.config import Settings as NotifierSettings
from orders.config import Settings as OrdersSettings
from portal_dev import broker as broker_module
from portal_dev import mailsink
from portal_dev import postgres as postgres_module
from portal_dev import stack as stack_module
from portal_dev.broker import EmbeddedBroker
from portal_dev.postgres import EmbeddedPostgres
from portal_dev.stack import SERVICES, Stack, StackConfig
from shared.serve import serve
from shared.settings import ServiceSettings
from suppliers.config import Settings as SuppliersSettings

SETTINGS: dict[str, type[ServiceSettings]] = {
    "suppliers": SuppliersSettings,
    "orders": OrdersSettings,
    "invoicing": InvoicingSettings,
    "matching": MatchingSettings,
    "notifier": NotifierSettings,
    "gateway": GatewaySettings,
}
LOOPBACK = "127.0.0.1"


class Recorded:
    """Stands in for a started process or server: keeps what it was started with."""

    calls: list[dict[str, Any]]
    pid = 4242  # a started process's pid, as a watcher of it is given

    def __init__(self) -> None:
        self.calls = []

    def poll(self) -> int | None:
        return None

    def __call__(self, *args: Any, **kwargs: Any) -> Recorded:
        self.calls.append({"args": args, **kwargs})
        return self


@pytest.fixture
def make_up_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """An environment with none of the settings ``make up`` reads: its defaults apply."""
    for name in list(os.environ):
        if name.startswith(("PORTAL_", "KAFKA_", "SMTP_", "MAIL_")) or name.endswith(
            ("_HTTP_HOST", "_HTTP_PORT", "_DATABASE_URL")
        ):
            monkeypatch.delenv(name)


def test_every_service_that_make_up_starts_listens_on_loopback_only(
    make_up_environment: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stack = Stack(StackConfig.from_environment())  # what ``python -m portal_dev up`` builds
    stack.private_key, stack.public_key = tmp_path / "jwt-private.pem", tmp_path / "jwt-public.pem"
    stack.broker = EmbeddedBroker(stack.config.broker_port, tmp_path / "broker.log")
    stack.config.database_urls = {s: f"postgresql://127.0.0.1:5439/portal_{s}" for s in SERVICES}
    started = Recorded()
    monkeypatch.setattr(uvicorn, "run", started)
    for service, settings_type in SETTINGS.items():
        with monkeypatch.context() as env:
            for name, value in stack.service_env(service).items():
                env.setenv(name, value)
            settings = settings_type()
        serve(FastAPI(), settings)
        port = stack.config.http_port if service == "gateway" else stack.config.service_ports[service]
        assert (started.calls[-1]["host"], started.calls[-1]["port"]) == (LOOPBACK, port), service
    assert len(started.calls) == len(SERVICES)


def test_a_service_listens_elsewhere_only_when_told(make_up_environment: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERS_HTTP_HOST", "0.0.0.0")  # as services/orders/Dockerfile sets it
    assert OrdersSettings().http_host == "0.0.0.0"
    assert SuppliersSettings().http_host == LOOPBACK


def test_the_embedded_broker_listens_and_advertises_on_loopback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    popen = Recorded()
    monkeypatch.setattr(broker_module.subprocess, "Popen", popen)
    monkeypatch.setattr(broker_module, "tansu_binary", lambda: "tansu")
    monkeypatch.setattr(broker_module, "port_open", lambda port: False)
    monkeypatch.setattr(broker_module, "wait_for_port", lambda port, timeout_s: None)
    broker = EmbeddedBroker(9092, tmp_path / "broker.log")
    broker.start()
    command = list(popen.calls[0]["args"][0])
    for option in ("--listener-url", "--advertised-listener-url"):
        assert command[command.index(option) + 1] == f"tcp://{LOOPBACK}:9092"
    assert broker.bootstrap_servers == f"{LOOPBACK}:9092"


def test_the_embedded_postgresql_listens_on_loopback_and_no_unix_socket(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    server = EmbeddedPostgres.__new__(EmbeddedPostgres)  # without looking for binaries or a system user
    server.data_dir, server.port, server.user = tmp_path / "data", 5439, None
    server.bin_dir, server.process, server.watcher = tmp_path / "bin", None, None
    server.log_file = tmp_path / "postgres.log"
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "PG_VERSION").write_text("16")

    class Done:
        returncode, stdout, stderr = 0, "", ""

    popen = Recorded()
    monkeypatch.setattr(postgres_module.subprocess, "Popen", popen)
    monkeypatch.setattr(server, "_run", lambda *args, check=True: Done())  # pg_isready: accepting
    monkeypatch.setattr(server, "running", lambda: False)
    server.start()
    command = list(popen.calls[0]["args"][0])
    assert command[0] == str(tmp_path / "bin" / "postgres")
    assert command[command.index("-h") + 1] == LOOPBACK
    assert command[command.index("-k") + 1] == ""  # no unix socket
    assert f"@{LOOPBACK}:5439/" in server.url("portal_orders")


def test_the_mail_sink_listens_on_loopback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    popen = Recorded()
    monkeypatch.setattr(stack_module.subprocess, "Popen", popen)
    monkeypatch.setattr(stack_module, "port_open", lambda port: False)
    monkeypatch.setattr(stack_module, "wait_for_port", lambda port, timeout_s: None)
    stack = Stack(StackConfig(data_dir=tmp_path))
    stack.logs_dir.mkdir(parents=True)
    stack.start_sink()
    command = list(popen.calls[0]["args"][0])
    assert "--host" not in command or command[command.index("--host") + 1] == LOOPBACK
    # And the sink's own default, which the stack relies on:
    controller = Recorded()
    controller.start = controller.stop = lambda: None  # type: ignore[method-assign]
    monkeypatch.setattr(mailsink, "Controller", controller)
    monkeypatch.setattr(mailsink.asyncio, "run", lambda coroutine: coroutine.close())
    monkeypatch.setattr(sys, "argv", ["mailsink", "--dir", str(tmp_path / "mail")])
    mailsink.main()
    assert controller.calls[0]["hostname"] == LOOPBACK


def test_on_the_embedded_broker_the_quiet_topics_wait_longer_unless_told_otherwise(
    make_up_environment: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stack = Stack(StackConfig.from_environment())
    stack.private_key, stack.public_key = tmp_path / "jwt-private.pem", tmp_path / "jwt-public.pem"
    stack.broker = EmbeddedBroker(stack.config.broker_port, tmp_path / "broker.log")
    stack.config.database_urls = {s: f"postgresql://127.0.0.1:5439/portal_{s}" for s in SERVICES}
    env = stack.service_env("orders")
    assert (env["KAFKA_FETCH_MAX_WAIT_MS"], env["KAFKA_QUIET_FETCH_MAX_WAIT_MS"]) == ("20", "500")
    monkeypatch.setenv("KAFKA_QUIET_FETCH_MAX_WAIT_MS", "20")
    assert stack.service_env("orders")["KAFKA_QUIET_FETCH_MAX_WAIT_MS"] == "20"
    stack.broker, stack.config.kafka_bootstrap_servers = None, "kafka:9092"  # an external Kafka
    monkeypatch.delenv("KAFKA_QUIET_FETCH_MAX_WAIT_MS")
    # Unset there: the setting's own default, the pipeline's wait.
    assert "KAFKA_QUIET_FETCH_MAX_WAIT_MS" not in stack.service_env("orders")
