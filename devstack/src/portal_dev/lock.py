"""One running stack per data directory: ``<data dir>/portal.lock``.

The lock is an exclusive ``flock`` on that file, held for as long as the stack runs, and the file
says the holder's pid. The kernel lets go of the lock when its holder ends in any way (a SIGKILL
too), so a lock left by a process that died is simply taken over; the pid it names says whose it
was. The stack's children do not inherit it (``subprocess`` closes every other descriptor).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

FILE_NAME = "portal.lock"


class StackAlreadyRunning(RuntimeError):
    def __init__(self, data_dir: Path, pid: int | None) -> None:
        self.data_dir, self.pid = data_dir, pid
        holder = f"pid {pid}" if pid else "another process"
        stop = f"Ctrl-C in its terminal, or kill {pid}" if pid else "Ctrl-C in its terminal"
        super().__init__(
            f"the supplier portal is already running on {data_dir} ({holder}): stop it first ({stop}), "
            "or give this one another PORTAL_DATA_DIR"
        )


class DataDirLock:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.path = data_dir / FILE_NAME
        self._fd: int | None = None
        # The pid in a lock this one took over: a run that ended without letting go of it.
        self.taken_over_from: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock or raise ``StackAlreadyRunning`` naming its holder."""
        if self._fd is not None:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            raise StackAlreadyRunning(self.data_dir, holder) from None
        previous = _read_pid(fd)
        self.taken_over_from = previous if previous and previous != os.getpid() else None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        os.ftruncate(fd, 0)  # a lock file without a pid: the last run stopped cleanly
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _read_pid(fd: int) -> int | None:
    text = os.pread(fd, 64, 0).decode(errors="replace").strip()
    return int(text) if text.isdigit() else None
