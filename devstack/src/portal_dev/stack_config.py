"""What a whole system is started with: its processes in start order, their ports, and where its
data, servers and first organisation come from (the environment for ``make up``, free ports and a
temporary directory for the tests)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from portal_dev.ports import free_port

# Start order: the gateway after the services behind it, so that its API answers only when they run.
SERVICES = ("suppliers", "orders", "invoicing", "matching", "notifier", "gateway")
# The web portal: a client of the gateway (no events), behind the gateway's address.
WEB = "web"
# How long services stopped at once (the broker gone) have to end before they are killed: their
# consumers and background work end at once, but a producer holding a batch for the lost broker
# waits for it up to its request timeout (15 s). What it held was not marked sent in its outbox.
SERVICE_STOP_S = 8.0
PROCESSES = (*SERVICES, WEB)
DEFAULT_SERVICE_PORTS = {
    "suppliers": 8101,
    "orders": 8102,
    "invoicing": 8103,
    "matching": 8104,
    "notifier": 8105,
    WEB: 8106,
}


@dataclass
class StackConfig:
    data_dir: Path
    http_port: int = 8000
    service_ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_SERVICE_PORTS))
    postgres_port: int = 5439
    broker_port: int = 9092
    smtp_port: int = 1025
    mail_dir: Path | None = None
    admin_email: str = "admin@example.com"
    admin_password: str | None = None
    public_url: str | None = None
    # External servers instead of the embedded ones.
    kafka_bootstrap_servers: str | None = None
    kafka_topic_prefix: str = ""  # a shared cluster's topics and groups of this portal
    database_urls: dict[str, str] = field(default_factory=dict)
    smtp_host: str | None = None
    log_format: str = "console"
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_environment(cls) -> StackConfig:
        env = os.environ
        data_dir = Path(env.get("PORTAL_DATA_DIR") or "var").resolve()
        http_port = int(env.get("PORTAL_HTTP_PORT") or 8000)
        return cls(
            data_dir=data_dir,
            http_port=http_port,
            service_ports={
                name: int(env.get(f"{name.upper()}_HTTP_PORT") or port) for name, port in DEFAULT_SERVICE_PORTS.items()
            },
            postgres_port=int(env.get("PORTAL_POSTGRES_PORT") or 5439),
            broker_port=int(env.get("PORTAL_KAFKA_PORT") or 9092),
            smtp_port=int(env.get("SMTP_PORT") or 1025),
            mail_dir=Path(env["MAIL_SINK_DIR"]).resolve() if env.get("MAIL_SINK_DIR") else None,
            admin_email=env.get("PORTAL_ADMIN_EMAIL") or "admin@example.com",
            admin_password=env.get("PORTAL_ADMIN_PASSWORD") or None,
            public_url=env.get("PORTAL_PUBLIC_URL") or None,
            kafka_bootstrap_servers=env.get("KAFKA_BOOTSTRAP_SERVERS") or None,
            kafka_topic_prefix=env.get("KAFKA_TOPIC_PREFIX") or "",
            database_urls={
                name: env[f"{name.upper()}_DATABASE_URL"]
                for name in PROCESSES
                if env.get(f"{name.upper()}_DATABASE_URL")
            },
            smtp_host=env.get("SMTP_HOST") or None,
            log_format=env.get("PORTAL_LOG_FORMAT") or "console",
        )

    @classmethod
    def for_tests(cls, data_dir: Path) -> StackConfig:
        return cls(
            data_dir=data_dir,
            http_port=free_port(),
            service_ports={name: free_port() for name in DEFAULT_SERVICE_PORTS},
            postgres_port=free_port(),
            broker_port=free_port(),
            smtp_port=free_port(),
            admin_password="admin-password-for-tests",
            log_format="json",
        )

    @property
    def mail_sink_dir(self) -> Path:
        return self.mail_dir or self.data_dir / "mail"

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"
