"""Where the running system is: the endpoints file ``portal up`` writes, read by the other commands.

``portal up`` writes ``<data dir>/portal-endpoints.json`` (readable by its owner only: an
external database URL in it may carry a password) and removes it when it stops. Every other
command reads it, and its options (or their environment variables) override what it says;
without the file they fall back to the embedded stack's default ports.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from portal_dev.stack import DEFAULT_SERVICE_PORTS, PROCESSES, SERVICES, Stack

FILE_NAME = "portal-endpoints.json"


def default_file() -> Path:
    return Path(os.environ.get("PORTAL_DATA_DIR") or "var") / FILE_NAME


def embedded_database_urls() -> dict[str, str]:
    """Every service's database on the embedded stack's PostgreSQL at its default port."""
    return {name: f"postgresql+asyncpg://postgres@127.0.0.1:5439/portal_{name}" for name in SERVICES}


@dataclass
class Endpoints:
    gateway_url: str = "http://127.0.0.1:8000"
    services: dict[str, str] = field(
        default_factory=lambda: {name: f"http://127.0.0.1:{port}" for name, port in DEFAULT_SERVICE_PORTS.items()}
    )
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_topic_prefix: str = ""  # what the portal's topic names start with on the cluster
    # Every service's database by name (the operator's commands, `portal outbox republish`).
    database_urls: dict[str, str] = field(default_factory=embedded_database_urls)
    mail_dir: str | None = "var/mail"  # the SMTP sink's .eml files; None with an external SMTP server
    smtp: str = "127.0.0.1:1025"
    mail_ui_url: str | None = None
    data_dir: str | None = None
    source: str = "defaults of the embedded stack"

    @property
    def gateway_database_url(self) -> str:
        """The gateway's database (the operator's commands run against it)."""
        return self.database_urls.get("gateway") or embedded_database_urls()["gateway"]

    def all_services(self) -> dict[str, str]:
        """Every service by name, the gateway first."""
        return {"gateway": self.gateway_url, **{k: v for k, v in self.services.items() if k != "gateway"}}

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if k != "source"}, indent=2)

    @classmethod
    def from_file(cls, path: Path) -> Endpoints:
        values: dict[str, Any] = json.loads(path.read_text())
        known = {k: v for k, v in values.items() if k in cls.__dataclass_fields__ and k != "source"}
        if "gateway_database_url" in values:  # a file written before the gateway was one of database_urls
            known["database_urls"] = {"gateway": values["gateway_database_url"], **known.get("database_urls", {})}
        return cls(**known, source=str(path))

    @classmethod
    def load(cls, path: Path | None = None) -> Endpoints:
        """The endpoints file when there is one, otherwise the embedded stack's defaults."""
        path = path or default_file()
        return cls.from_file(path) if path.is_file() else cls()


def endpoints_of(stack: Stack, *, mail_ui_url: str | None = None) -> Endpoints:
    """What a started ``Stack`` serves, as the other commands need it."""
    cfg = stack.config
    return Endpoints(
        gateway_url=cfg.gateway_url,
        services={name: stack.service_url(name) for name in PROCESSES if name != "gateway"},
        kafka_bootstrap_servers=stack.bootstrap_servers,
        kafka_topic_prefix=cfg.kafka_topic_prefix,
        database_urls={name: stack.database_url(name) for name in SERVICES},
        mail_dir=None if cfg.smtp_host else str(cfg.mail_sink_dir),
        smtp=f"{cfg.smtp_host or '127.0.0.1'}:{cfg.smtp_port}",
        mail_ui_url=mail_ui_url,
        data_dir=str(cfg.data_dir),
        source="portal up",
    )


def write(endpoints: Endpoints, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name("." + path.name + ".tmp")
    temp.touch(mode=0o600)
    temp.chmod(0o600)
    temp.write_text(endpoints.to_json())
    os.replace(temp, path)
