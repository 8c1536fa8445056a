"""Start and stop the whole system: servers, migrations, topics, every service in its own process.

``python -m portal_dev up`` is what ``make up`` runs; the end-to-end tests build the same
``Stack`` on free ports in a temporary data directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import httpx

from portal_dev.broker import EmbeddedBroker
from portal_dev.lifeline import python_command
from portal_dev.lock import DataDirLock, StackAlreadyRunning
from portal_dev.ports import free_port, port_open, wait_for_port
from portal_dev.postgres import EmbeddedPostgres
from portal_dev.stack_config import (  # the names the stack's users import from here
    DEFAULT_SERVICE_PORTS,
    PROCESSES,
    SERVICE_STOP_S,
    SERVICES,
    WEB,
    StackConfig,
)
from portal_dev.supervisor import STATE_FILE, Supervisor, end_leftovers, read_state
from shared.auth import ensure_keypair
from shared.kafka import PLAINTEXT, KafkaClientSecurity, client_security, ensure_topics
from shared.sealed_links import PRIVATE_KEY_NAME, PUBLIC_KEY_NAME, ensure_link_keys
from shared.settings import KafkaSecuritySettings

__all__ = [
    "DEFAULT_SERVICE_PORTS",
    "PROCESSES",
    "SERVICES",
    "SERVICE_STOP_S",
    "WEB",
    "Stack",
    "StackConfig",
    "dump_config",
    "main",
    "run_forever",
]


class Stack:
    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.postgres: EmbeddedPostgres | None = None
        self.broker: EmbeddedBroker | None = None
        self.sink: subprocess.Popen[bytes] | None = None
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        # Further processes of a service (``start_service(..., instance=...)``) and their HTTP ports.
        self.instance_ports: dict[str, int] = {}
        self.admin_note = ""
        self.logs_dir = config.data_dir / "logs"
        self.lock = DataDirLock(config.data_dir)
        self.say: Callable[[str], None] = lambda message: print(message, flush=True)

    # -- servers ---------------------------------------------------------------------------
    def database_url(self, service: str) -> str:
        if service in self.config.database_urls:
            return self.config.database_urls[service]
        assert self.postgres is not None
        return self.postgres.url(f"portal_{service}")

    @property
    def bootstrap_servers(self) -> str:
        if self.config.kafka_bootstrap_servers:
            return self.config.kafka_bootstrap_servers
        assert self.broker is not None
        return self.broker.bootstrap_servers

    def kafka_security(self) -> KafkaClientSecurity:
        """The embedded broker listens in plain text; an external one as the ``KAFKA_SECURITY_*``
        settings of the environment say, which the services inherit with it."""
        if self.broker is not None:
            return PLAINTEXT
        return client_security(KafkaSecuritySettings())

    def take_data_dir(self) -> None:
        """Lock the data directory before starting any server (``StackAlreadyRunning`` while
        another run holds it); after a run that died, wait for what it had started to end."""
        self.lock.acquire()
        if self.lock.taken_over_from is not None:
            self.say(f"taking over {self.lock.path} from pid {self.lock.taken_over_from}, which is no longer running")
            end_leftovers(read_state(self.config.data_dir), say=self.say)

    def start_servers(self) -> None:
        cfg = self.config
        self.take_data_dir()
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        self.private_key, self.public_key = ensure_keypair(cfg.data_dir / "keys")
        # The notifier's pair for single-use links, beside the JWT keys (where both services look).
        ensure_link_keys(cfg.data_dir / "keys")
        if any(s not in cfg.database_urls for s in PROCESSES):
            self.postgres = EmbeddedPostgres(cfg.data_dir / "postgres" / "data", cfg.postgres_port)
            self.postgres.start()
            self.postgres.create_databases([f"portal_{s}" for s in PROCESSES if s not in cfg.database_urls])
        if not cfg.kafka_bootstrap_servers:
            self.broker = EmbeddedBroker(cfg.broker_port, self.logs_dir / "broker.log")
            self.broker.start()
        asyncio.run(
            ensure_topics(self.bootstrap_servers, security=self.kafka_security(), prefix=cfg.kafka_topic_prefix)
        )
        if not cfg.smtp_host:
            self.start_sink()

    def start_sink(self) -> None:
        cfg = self.config
        if port_open(cfg.smtp_port):
            raise RuntimeError(f"SMTP port {cfg.smtp_port} is taken")
        log_file = (self.logs_dir / "mailsink.log").open("ab")
        self.sink = subprocess.Popen(
            python_command(
                os.getpid(), "portal_dev.mailsink", "--dir", str(cfg.mail_sink_dir), "--port", str(cfg.smtp_port)
            ),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log_file.close()
        wait_for_port(cfg.smtp_port, timeout_s=20)

    def stop_sink(self) -> None:
        _terminate(self.sink)
        self.sink = None

    # -- services --------------------------------------------------------------------------
    def service_env(self, service: str) -> dict[str, str]:
        cfg = self.config
        prefix = service.upper()
        env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
            "KAFKA_TOPIC_PREFIX": cfg.kafka_topic_prefix,
            "KAFKA_ENABLE_IDEMPOTENCE": "false" if self.broker else os.environ.get("KAFKA_ENABLE_IDEMPOTENCE", "true"),
            "KAFKA_FETCH_MAX_WAIT_MS": "20" if self.broker else os.environ.get("KAFKA_FETCH_MAX_WAIT_MS", "500"),
            "KAFKA_SESSION_TIMEOUT_MS": "6000" if self.broker else os.environ.get("KAFKA_SESSION_TIMEOUT_MS", "10000"),
            "PORTAL_JWT_PUBLIC_KEY_FILE": str(self.public_key),
            "PORTAL_LOG_FORMAT": cfg.log_format,
            "PORTAL_ENVIRONMENT": "development",
            f"{prefix}_DATABASE_URL": self.database_url(service),
            f"{prefix}_HTTP_PORT": str(cfg.http_port if service == "gateway" else cfg.service_ports[service]),
            "PYTHONUNBUFFERED": "1",
        }
        if self.broker:
            # Idle consumers of the quiet topics (``Topic.pipeline``) ask less often: the embedded
            # broker holds every fetch for its whole wait, and at 20 ms they kept it busy (at
            # 100 ms they still cost the idle stack 60-90 ms of CPU a second more than at 500).
            env["KAFKA_QUIET_FETCH_MAX_WAIT_MS"] = os.environ.get("KAFKA_QUIET_FETCH_MAX_WAIT_MS", "500")
        if service == "notifier":
            env["SMTP_HOST"] = cfg.smtp_host or "127.0.0.1"
            env["SMTP_PORT"] = str(cfg.smtp_port)
            # Its emails link to the documents' pages in the portal, which the gateway serves.
            env["PORTAL_PUBLIC_URL"] = cfg.public_url or cfg.gateway_url
            env["NOTIFIER_LINK_PRIVATE_KEY_FILE"] = str(self.private_key.parent / PRIVATE_KEY_NAME)
        if service == WEB:
            env["WEB_GATEWAY_URL"] = cfg.gateway_url
            env["PORTAL_PUBLIC_URL"] = cfg.public_url or cfg.gateway_url
        if service == "gateway":
            env["GATEWAY_JWT_PRIVATE_KEY_FILE"] = str(self.private_key)
            env["GATEWAY_LINK_PUBLIC_KEY_FILE"] = str(self.private_key.parent / PUBLIC_KEY_NAME)
            env["PORTAL_ADMIN_EMAIL"] = cfg.admin_email
            if cfg.admin_password:
                env["PORTAL_ADMIN_PASSWORD"] = cfg.admin_password
            env["PORTAL_PUBLIC_URL"] = cfg.public_url or cfg.gateway_url
            for name, port in cfg.service_ports.items():
                env[f"GATEWAY_{name.upper()}_URL"] = f"http://127.0.0.1:{port}"
        env.update(cfg.extra_env)
        return env

    def migrate(self) -> None:
        """Run every service's migrations (the gateway's also creates the first admin), all at
        once: each service has a database of its own."""
        running = {
            service: subprocess.Popen(
                [sys.executable, "-m", f"{service}.migrate"],
                env=self.service_env(service),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for service in PROCESSES
        }
        failed = []
        for service, process in running.items():
            try:
                stdout, stderr = process.communicate(timeout=300)
            except subprocess.TimeoutExpired:
                process.kill()
                stdout, stderr = process.communicate()
            if process.returncode != 0:
                failed.append(f"migrations of {service} failed:\n{stdout}\n{stderr}")
            elif service == "gateway":
                self.admin_note = stdout.strip()
        if failed:
            raise RuntimeError("\n".join(failed))

    def start_service(
        self, service: str, *, instance: str | None = None, extra_env: dict[str, str] | None = None
    ) -> None:
        """Start ``service``; ``instance`` names a further process of it (same database, same
        consumer groups) on an HTTP port of its own. ``extra_env`` adds settings (fault points)."""
        name = instance or service
        env = self.service_env(service)
        if instance is not None:
            env[f"{service.upper()}_HTTP_PORT"] = str(self.instance_ports.setdefault(instance, free_port()))
        env.update(extra_env or {})
        log_file = (self.logs_dir / f"{name}.log").open("ab")
        # Bound to this process: it stops when this one dies without stopping it.
        self.processes[name] = subprocess.Popen(
            python_command(os.getpid(), f"{service}.main"),
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log_file.close()

    def service_url(self, service: str) -> str:
        """The URL of a service, or of a further instance of one by its name."""
        if service in self.instance_ports:
            return f"http://127.0.0.1:{self.instance_ports[service]}"
        port = self.config.http_port if service == "gateway" else self.config.service_ports[service]
        return f"http://127.0.0.1:{port}"

    def wait_ready(self, services: tuple[str, ...] = PROCESSES, timeout_s: float = 90.0) -> None:
        deadline = time.monotonic() + timeout_s
        pending = list(services)
        with httpx.Client(timeout=2.0) as client:
            while pending:
                service = pending[0]
                process = self.processes.get(service)
                if process is not None and process.poll() is not None:
                    raise RuntimeError(
                        f"{service} exited with {process.returncode}; see {self.logs_dir / (service + '.log')}"
                    )
                try:
                    if client.get(self.service_url(service) + "/health/ready").status_code == 200:
                        pending.pop(0)
                        continue
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"{service} not ready after {timeout_s}s; see {self.logs_dir / (service + '.log')}"
                    )
                time.sleep(0.1)

    def stop_service(self, service: str, sig: int = signal.SIGTERM) -> None:
        process = self.processes.pop(service, None)
        if process is not None:
            _terminate(process, sig)

    def stop_services(self, *, timeout_s: float = SERVICE_STOP_S) -> list[str]:
        """Stop every service (not the web portal, which talks to the gateway alone) at once:
        SIGTERM to all, SIGKILL to those still running after ``timeout_s``. Returns their names.
        While the broker is gone a service's Kafka clients cannot say goodbye to it, and their
        shutdown can wait for it; what they leave undone is redone, not lost (outbox, inbox)."""
        names = [name for name in SERVICES if name in self.processes]
        for name in names:
            if self.processes[name].poll() is None:
                self.processes[name].send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for name in names:  # each signalled once, above; the deadline is shared
            _wait_or_kill(self.processes.pop(name), max(deadline - time.monotonic(), 0.1))
        return names

    def start_services(self, names: list[str]) -> None:
        """Start the services named, those behind the gateway at once and, once they are ready (or
        ``wait_ready`` gave up on them: the supervisor sees a dead one), the gateway: until then it
        does not answer, rather than answer 503 for every request."""
        behind = [name for name in SERVICES if name in names and name != "gateway"]
        for batch in (behind, ["gateway"] if "gateway" in names else []):
            for name in batch:
                self.start_service(name)
            try:
                self.wait_ready(tuple(batch))
            except (RuntimeError, TimeoutError) as exc:
                self.say(str(exc))

    def start(self) -> None:
        self.start_servers()
        self.migrate()
        for service in PROCESSES:
            self.start_service(service)
        self.wait_ready()

    def stop(self) -> None:
        for service in reversed(list(self.processes)):
            self.stop_service(service)
        self.stop_sink()
        if self.broker:
            self.broker.stop()
        if self.postgres:
            self.postgres.stop()
        (self.config.data_dir / STATE_FILE).unlink(missing_ok=True)
        self.lock.release()

    def summary(self) -> str:
        cfg = self.config
        lines = [
            f"Supplier portal is up: open {cfg.gateway_url}/ in a browser.",
            f"  gateway (API)   {cfg.gateway_url}/api/v1   docs: {cfg.gateway_url}/docs",
        ]
        for service in (*SERVICES[:-1], WEB):
            lines.append(f"  {service:<15} {self.service_url(service)}")
        lines += [
            f"  PostgreSQL      {self.postgres.url('<db>') if self.postgres else 'external'}",
            f"  Kafka           {self.bootstrap_servers}{' (embedded Tansu)' if self.broker else ''}",
            f"  SMTP            {cfg.smtp_host or '127.0.0.1'}:{cfg.smtp_port}"
            + (f"  (sink writes .eml files to {cfg.mail_sink_dir})" if not cfg.smtp_host else ""),
            f"  data            {cfg.data_dir}   logs: {self.logs_dir}",
            f"  admin           {self.admin_note or cfg.admin_email}",
            "Press Ctrl-C to stop.",
        ]
        return "\n".join(lines)


def _terminate(process: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM, timeout_s: float = 30.0) -> None:
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(sig)
    _wait_or_kill(process, timeout_s)


def _wait_or_kill(process: subprocess.Popen[bytes], timeout_s: float) -> None:
    try:
        process.wait(timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_forever(stack: Stack, on_started: Callable[[Stack], None] | None = None) -> int:
    """Start ``stack``, tell where it runs (``on_started``, or print its summary) and keep it up
    until SIGINT or SIGTERM: a child that dies is started again (``Supervisor``), and when one
    keeps dying everything stops, saying why (exit 1). Exit 2 when another run holds the data
    directory: nothing is started then."""
    stop = {"signal": 0}

    def _on_signal(signum: int, _: object) -> None:
        stop["signal"] = signum

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        stack.start()
        if on_started is None:
            print(stack.summary(), flush=True)
        else:
            on_started(stack)
        supervisor = Supervisor(stack, say=stack.say)
        supervisor.write_state()
        while not stop["signal"]:
            if reason := supervisor.check():
                stack.say(reason)
                return 1
            time.sleep(0.3)
        print("Stopping...", flush=True)
        return 0
    except StackAlreadyRunning as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 2
    finally:
        if stack.lock.held:
            stack.stop()
            print("Stopped.", flush=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main() -> int:
    stack = Stack(StackConfig.from_environment())
    return run_forever(stack)


def dump_config() -> str:
    return json.dumps({k: str(v) for k, v in vars(StackConfig.from_environment()).items()}, indent=2)
