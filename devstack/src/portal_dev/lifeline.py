"""Every process the embedded stack starts dies with the process that started it.

``portal up`` can end without stopping anything: SIGKILL, an out-of-memory kill, a terminal
closed hard. Its children run in sessions of their own (Ctrl-C reaches ``portal up`` alone, which
stops them in order), so nothing else would end them. Two ways, both watching the parent's pid
with ``os.getppid()`` (a child whose parent dies is handed to another process), on Linux and on
macOS alike, whichever thread started them:

- a Python child runs as ``python -m portal_dev.lifeline --parent PID -m MODULE ...``: a
  thread in it watches the parent and, once it is gone, sends the process SIGTERM (its graceful
  stop), and kills it if it is still there ``GRACE_S`` later;
- a server binary (PostgreSQL, the broker) gets a watcher beside it,
  ``python -m portal_dev.lifeline --parent PID --watch CHILD --signal INT``, a child of the
  same parent that sends CHILD the signal when the parent is gone and ends when CHILD does; CHILD
  keeps its own pid (signals, CPU figures and ``pg_ctl`` reach it directly).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import runpy
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence

POLL_S = 0.25
# How long a Python child whose parent died has for its graceful stop before it is killed.
GRACE_S = 20.0


def python_command(parent_pid: int, module: str, *args: str) -> list[str]:
    """The command that runs ``python -m module args`` bound to ``parent_pid``."""
    return [sys.executable, "-m", "portal_dev.lifeline", "--parent", str(parent_pid), "-m", module, *args]


def watcher_command(parent_pid: int, child_pid: int, sig: signal.Signals = signal.SIGTERM) -> list[str]:
    """The command of a watcher that ends ``child_pid`` with ``sig`` once ``parent_pid`` is gone."""
    return [
        sys.executable,
        "-m",
        "portal_dev.lifeline",
        "--parent",
        str(parent_pid),
        "--watch",
        str(child_pid),
        "--signal",
        sig.name,
    ]


def end_watcher(watcher: subprocess.Popen[bytes] | None) -> None:
    """Reap a watcher whose server has ended (it ends by itself within ``POLL_S``)."""
    if watcher is None:
        return
    try:
        watcher.wait(5)
    except subprocess.TimeoutExpired:
        watcher.kill()
        watcher.wait()


def alive(pid: int) -> bool:
    """Whether a process with this pid exists (a zombie counts until it is reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def wait_for_parent_end(parent_pid: int, *, while_: Callable[[], bool] = lambda: True) -> bool:
    """Block until ``parent_pid`` is no longer this process's parent (True), or ``while_`` turns
    false (False)."""
    while while_():
        if os.getppid() != parent_pid:
            return True
        time.sleep(POLL_S)
    return False


def watch_in_thread(parent_pid: int, *, grace_s: float = GRACE_S) -> threading.Thread:
    """Stop this process (SIGTERM, then SIGKILL after ``grace_s``) once ``parent_pid`` is gone."""

    def watch() -> None:
        wait_for_parent_end(parent_pid)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(grace_s)
        os.kill(os.getpid(), signal.SIGKILL)

    thread = threading.Thread(target=watch, name="lifeline", daemon=True)
    thread.start()
    return thread


def watch_other(parent_pid: int, child_pid: int, sig: signal.Signals) -> int:
    """Send ``child_pid`` the signal once ``parent_pid`` is gone; return when the child is gone."""
    if wait_for_parent_end(parent_pid, while_=lambda: alive(child_pid)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(child_pid, sig)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Everything after ``-m MODULE`` is the module's own arguments.
    module, module_args = None, []
    if "-m" in argv:
        at = argv.index("-m")
        module, module_args, argv = argv[at + 1] if at + 1 < len(argv) else None, argv[at + 2 :], argv[:at]
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0], allow_abbrev=False)
    parser.add_argument("--parent", type=int, required=True, help="the pid whose end ends the child")
    parser.add_argument("--watch", type=int, help="the pid of a server to end (watcher mode)")
    parser.add_argument("--signal", default="SIGTERM", help="the signal that ends the watched server")
    args = parser.parse_args(argv)
    if args.watch is not None:
        # The watcher is not the server's parent: Ctrl-C of a terminal is the parent's to handle.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        return watch_other(args.parent, args.watch, signal.Signals[args.signal])
    if not module:
        parser.error("give --watch PID or -m MODULE")
    watch_in_thread(args.parent)
    sys.argv = [module, *module_args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
