"""The embedded SMTP sink: accepts every message and writes it as one ``.eml`` file.

Run it as ``python -m portal_dev.mailsink --dir var/mail --port 1025``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import time
import uuid
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class EmlWriter:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        name = f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{uuid.uuid4().hex[:12]}.eml"
        temp = self.directory / ("." + name + ".tmp")
        content = envelope.original_content or envelope.content
        temp.write_bytes(content if isinstance(content, bytes) else content.encode())
        os.replace(temp, self.directory / name)  # readers never see half a message
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description="SMTP sink writing .eml files")
    parser.add_argument("--dir", required=True, type=Path)
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    controller = Controller(EmlWriter(args.dir), hostname=args.host, port=args.port, data_size_limit=50 * 1024 * 1024)
    controller.start()

    async def wait() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()

    try:
        asyncio.run(wait())
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
