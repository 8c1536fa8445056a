"""An embedded PostgreSQL server: the binaries of the ``pgserver`` wheel, or ``initdb``/``pg_ctl``
found on PATH where that wheel is not available. Listens on 127.0.0.1 only, trusts local users."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from portal_dev.lifeline import end_watcher, watcher_command

SYSTEM_USER = "pgportal"  # PostgreSQL refuses to run as root


class _ServerUser(TypedDict, total=False):
    """The ``subprocess`` arguments that run a command as the server's user (none when not root)."""

    user: int
    group: int
    extra_groups: list[int]


def _binaries() -> tuple[Path, str]:
    try:
        from pgserver._commands import POSTGRES_BIN_PATH

        return Path(POSTGRES_BIN_PATH), "the pgserver wheel"
    except Exception:
        pass
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent, "pg_ctl on PATH"
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if candidates:
        return Path(candidates[-1]).parent, "pg_ctl of the system's PostgreSQL"
    raise RuntimeError(
        "no PostgreSQL binaries: install the 'pgserver' wheel (CPython 3.10-3.12 on Linux x86_64 "
        "or macOS arm64) or put initdb/pg_ctl on PATH, or set the services' DATABASE_URLs"
    )


def _ensure_system_user() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", SYSTEM_USER], check=True)
    return SYSTEM_USER


def _readable_by(user: str, path: Path) -> None:
    """Let the server's user traverse the directories above its data and binaries."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & 0o005:
            parent.chmod(mode | 0o005)


@dataclass
class EmbeddedPostgres:
    data_dir: Path
    port: int

    def __post_init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.watcher: subprocess.Popen[bytes] | None = None
        self.bin_dir, self.source = _binaries()
        self.user = _ensure_system_user()
        self.log_file = self.data_dir.parent / "postgres.log"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            timeout=120,
            cwd="/",
            **self._as_server_user(),
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): {result.stderr.strip()}")
        return result

    def _as_server_user(self) -> _ServerUser:
        if not self.user:
            return {}
        entry = pwd.getpwnam(self.user)
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        if self.user:
            _readable_by(self.user, self.bin_dir)
            _readable_by(self.user, self.data_dir.parent)
            for path in (self.data_dir.parent,):
                shutil.chown(path, self.user)
        if not (self.data_dir / "PG_VERSION").exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            if self.user:
                shutil.chown(self.data_dir, self.user)
            self._run(
                "initdb", "-D", str(self.data_dir), "--auth=trust", "-U", "postgres", "--encoding=UTF8", "--no-sync"
            )
        if self.running():
            self.stop()
        self._reap()
        # The server runs as a child of this process (not daemonized by pg_ctl) so that a
        # supervisor sees it end, and a watcher ends it (fast shutdown) if this process dies.
        log_file = self.log_file.open("ab")
        self.process = subprocess.Popen(
            [
                str(self.bin_dir / "postgres"),
                "-D",
                str(self.data_dir),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-k",
                "",
                "-c",
                "max_connections=300",
                "-c",
                "fsync=on",
            ],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            cwd="/",
            start_new_session=True,
            **self._as_server_user(),
        )
        log_file.close()
        self.watcher = subprocess.Popen(
            watcher_command(os.getpid(), self.process.pid, signal.SIGINT), start_new_session=True
        )
        deadline = time.monotonic() + 60
        while self._run("pg_isready", "-h", "127.0.0.1", "-p", str(self.port), "-t", "1", check=False).returncode:
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = self.log_file.read_text()[-3000:] if self.log_file.exists() else ""
                self.stop()
                raise RuntimeError(f"PostgreSQL did not start (exit {self.process.returncode}):\n{log}")
            time.sleep(0.1)

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data_dir), "status", check=False).returncode == 0

    def stop(self) -> None:
        """Fast shutdown: sessions end, a checkpoint is written."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        elif (self.data_dir / "postmaster.pid").exists():
            # A server this object did not start (left by an earlier run): pg_ctl finds it.
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "60", "stop", check=False)
        self._reap()

    def kill_hard(self) -> None:
        """Immediate shutdown, as after a crash: the next start recovers from the WAL."""
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "stop", check=False)
        if self.process is not None:
            self.process.wait(30)

    def _reap(self) -> None:
        if self.process is not None:
            self.process.poll()  # a server that ended is reaped: its watcher sees it gone
        end_watcher(self.watcher)  # it ends with the server it watched
        self.watcher = None

    def create_databases(self, names: list[str]) -> None:
        for name in names:
            out = self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
            if out.strip() != "1":
                self._psql(f'CREATE DATABASE "{name}"')

    def _psql(self, sql: str) -> str:
        result = self._run(
            "psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "postgres", "-tAc", sql
        )
        return result.stdout


def describe() -> str:
    bin_dir, source = _binaries()
    return f"PostgreSQL from {source} ({bin_dir})"


if __name__ == "__main__":  # pragma: no cover - a manual check
    print(describe(), file=sys.stderr)
