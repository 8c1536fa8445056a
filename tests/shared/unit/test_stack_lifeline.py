"""The embedded stack's processes die with the process that started them, one run holds a data
directory at a time, and a child that dies is started again until it keeps dying."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from portal_dev import supervisor as supervision
from portal_dev.broker import EmbeddedBroker
from portal_dev.lock import DataDirLock, StackAlreadyRunning
from portal_dev.ports import free_port
from portal_dev.stack import Stack, StackConfig
from portal_dev.supervisor import Supervisor, end_leftovers, read_state

DEADLINE_S = 15.0


def gone(pid: int, *, timeout_s: float = DEADLINE_S) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def parent_of(tmp_path: Path) -> Iterator[object]:
    """Starts a parent process running ``code`` (which prints the pids it started, one per line);
    yields a function returning (parent, pids); kills what is left at the end."""
    started: list[int] = []

    def start(code: str) -> tuple[subprocess.Popen[str], list[int]]:
        parent = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE, text=True, start_new_session=True
        )
        assert parent.stdout is not None
        pids = [int(pid) for pid in parent.stdout.readline().split()]
        started.extend([parent.pid, *pids])
        return parent, pids

    yield start
    for pid in started:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_a_python_child_stops_when_its_parent_is_killed(parent_of) -> None:  # type: ignore[no-untyped-def]
    parent, [child] = parent_of(
        """
        import os, subprocess, time
        from portal_dev.lifeline import python_command
        child = subprocess.Popen(python_command(os.getpid(), "http.server", "0", "--bind", "127.0.0.1"),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        print(child.pid, flush=True)
        time.sleep(600)
        """
    )
    time.sleep(0.5)
    assert psutil.pid_exists(child)
    parent.kill()
    parent.wait()
    assert gone(child), "the child outlived its parent"


def test_a_server_binary_is_ended_by_its_watcher_when_the_parent_is_killed(parent_of) -> None:  # type: ignore[no-untyped-def]
    parent, [server, watcher] = parent_of(
        """
        import os, subprocess, time
        import signal
        from portal_dev.lifeline import watcher_command
        # A server that stops on SIGINT (as PostgreSQL does, whatever it inherits): the runner of
        # this test may have SIGINT ignored or blocked, which ``sleep`` would inherit.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        server = subprocess.Popen(["sleep", "600"], start_new_session=True)
        watcher = subprocess.Popen(watcher_command(os.getpid(), server.pid, signal.SIGINT), start_new_session=True)
        print(server.pid, watcher.pid, flush=True)
        time.sleep(600)
        """
    )
    time.sleep(0.5)
    assert psutil.pid_exists(server) and psutil.pid_exists(watcher)
    parent.kill()
    parent.wait()
    assert gone(server), "the server outlived the process that started it"
    assert gone(watcher)


def test_a_watcher_ends_with_its_server_and_leaves_the_parent_alone(parent_of) -> None:  # type: ignore[no-untyped-def]
    parent, [server, watcher] = parent_of(
        """
        import os, subprocess, time
        from portal_dev.lifeline import watcher_command
        server = subprocess.Popen(["sleep", "600"], start_new_session=True)
        watcher = subprocess.Popen(watcher_command(os.getpid(), server.pid), start_new_session=True)
        print(server.pid, watcher.pid, flush=True)
        server.wait()
        watcher.wait()
        time.sleep(600)
        """
    )
    os.kill(server, signal.SIGKILL)
    assert gone(watcher)
    assert parent.poll() is None


# -- the data directory's lock ----------------------------------------------------------------
@contextlib.contextmanager
def lock_held_elsewhere(data_dir: Path) -> Iterator[int]:
    """Another process holding the data directory's lock, as a running ``portal up`` does; its pid."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from pathlib import Path; from portal_dev.lock import DataDirLock; "
            f"DataDirLock(Path({str(data_dir)!r})).acquire(); print('held', flush=True); time.sleep(600)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield holder.pid
    finally:
        holder.kill()
        holder.wait()


def test_a_second_run_on_the_same_data_directory_is_refused_naming_the_running_pid(tmp_path: Path) -> None:
    with lock_held_elsewhere(tmp_path) as holder, pytest.raises(StackAlreadyRunning) as refused:
        DataDirLock(tmp_path).acquire()
    assert refused.value.pid == holder
    assert f"pid {holder}" in str(refused.value) and str(tmp_path) in str(refused.value)


def test_the_lock_of_a_run_that_died_is_taken_over(tmp_path: Path) -> None:
    holder = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os; from pathlib import Path; from portal_dev.lock import DataDirLock; "
            f"DataDirLock(Path({str(tmp_path)!r})).acquire(); os._exit(9)",
        ],
        check=False,
    )
    assert holder.returncode == 9
    dead_pid = int((tmp_path / "portal.lock").read_text())
    lock = DataDirLock(tmp_path)
    lock.acquire()
    try:
        assert lock.taken_over_from == dead_pid
        assert int((tmp_path / "portal.lock").read_text()) == os.getpid()
    finally:
        lock.release()
    assert (tmp_path / "portal.lock").read_text() == ""  # a clean stop leaves no pid
    again = DataDirLock(tmp_path)
    again.acquire()
    assert again.taken_over_from is None
    again.release()


def test_the_children_of_a_run_that_died_are_ended_before_the_next_starts(tmp_path: Path) -> None:
    leftover = subprocess.Popen(["sleep", "600"], start_new_session=True)
    other = subprocess.Popen(["sleep", "600"], start_new_session=True)
    try:
        state = {
            "pid": 1,
            "children": {
                "broker": {"pid": leftover.pid, "created": psutil.Process(leftover.pid).create_time()},
                # The same pid started at another time is not the run's child: left alone.
                "web": {"pid": other.pid, "created": psutil.Process(other.pid).create_time() - 100},
            },
        }
        (tmp_path / supervision.STATE_FILE).write_text(json.dumps(state))
        said: list[str] = []
        end_leftovers(read_state(tmp_path), say=said.append, wait_s=0.5)
        assert gone(leftover.pid, timeout_s=5)
        assert other.poll() is None
        assert any(f"ending pid {leftover.pid}" in line for line in said)
    finally:
        for process in (leftover, other):
            process.kill()
            process.wait()


# -- supervision ---------------------------------------------------------------------------------
class ShortLived:
    """A stack whose only child is a service that exits with ``code`` at once (or after ``after_s``)."""

    def __init__(self, tmp_path: Path, code: int, after_s: float = 0.0) -> None:
        self.stack = Stack(StackConfig(data_dir=tmp_path))
        self.stack.logs_dir.mkdir(parents=True, exist_ok=True)
        self.code, self.after_s, self.starts = code, after_s, 0
        self.stack.start_service = self.start  # type: ignore[method-assign]
        self.start("matching")

    def start(self, service: str, **_: object) -> None:
        self.starts += 1
        self.stack.processes[service] = subprocess.Popen(
            [sys.executable, "-c", f"import time, sys; time.sleep({self.after_s}); sys.exit({self.code})"]
        )


def run_until(supervisor: Supervisor, condition, *, timeout_s: float = DEADLINE_S) -> str | None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        reason = supervisor.check()
        if reason or condition():
            return reason
        time.sleep(0.02)
    raise AssertionError("the supervisor did not get there in time")


def test_a_child_that_dies_is_started_again_after_a_back_off_and_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(supervision, "BACKOFF_FIRST_S", 0.05)
    stack = ShortLived(tmp_path, code=3, after_s=0.2)
    said: list[str] = []
    supervisor = Supervisor(stack.stack, say=said.append)
    assert run_until(supervisor, lambda: stack.starts >= 3) is None
    child = supervisor.children["matching"]
    assert child.restarts == 2 and child.last_exit == 3
    assert any("matching ended (exit code 3); starting it again in 0.1 s" in line for line in said), said
    state = json.loads((tmp_path / supervision.STATE_FILE).read_text())
    assert state["pid"] == os.getpid()
    assert state["children"]["matching"]["restarts"] == 2
    assert state["children"]["matching"]["last_exit"] == 3
    stack.stack.processes["matching"].kill()


def test_the_back_off_doubles_while_a_child_keeps_dying_young() -> None:
    child = supervision.Child("broker")
    delays = []
    for streak in range(1, 10):
        child.streak = streak
        delays.append(child.backoff_s())
    assert delays[:4] == [0.5, 1.0, 2.0, 4.0]
    assert max(delays) == supervision.BACKOFF_MAX_S


def test_a_child_that_keeps_dying_makes_the_supervisor_give_up_saying_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(supervision, "BACKOFF_FIRST_S", 0.01)
    monkeypatch.setattr(supervision, "BACKOFF_MAX_S", 0.01)
    stack = ShortLived(tmp_path, code=1)
    supervisor = Supervisor(stack.stack, say=lambda _: None)
    reason = run_until(supervisor, lambda: False)
    assert reason is not None
    assert reason.startswith(f"matching died {supervision.GIVE_UP_DEATHS} times within 120 s (last: exit code 1)")
    assert "stopping everything" in reason and str(tmp_path / "logs" / "matching.log") in reason


def test_the_services_stop_when_the_broker_dies_and_start_only_on_the_new_one_behind_the_gateway_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(supervision, "BACKOFF_FIRST_S", 0.3)
    stack = Stack(StackConfig(data_dir=tmp_path))
    stack.logs_dir.mkdir(parents=True, exist_ok=True)
    stack.broker = EmbeddedBroker(free_port(), stack.logs_dir / "broker.log")
    broker_start = stack.broker.start
    services_alive_at_broker_start: list[list[str]] = []

    def start_broker() -> None:
        services_alive_at_broker_start.append([n for n, p in stack.processes.items() if p.poll() is None])
        broker_start()

    starts: list[tuple[str, str]] = []  # (service, the cluster id of the broker it started on)

    def start_service(service: str, **_: object) -> None:
        assert stack.broker is not None
        starts.append((service, stack.broker.cluster_id))
        stack.processes[service] = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])

    stack.broker.start = start_broker  # type: ignore[method-assign]
    stack.start_service = start_service  # type: ignore[method-assign]
    stack.wait_ready = lambda *_, **__: None  # type: ignore[method-assign]
    said: list[str] = []
    supervisor = Supervisor(stack, say=said.append)
    try:
        stack.broker.start()
        first = stack.broker.cluster_id
        for service in ("gateway", "invoicing", "matching"):
            stack.start_service(service)
        old = dict(stack.processes)
        assert stack.broker.process is not None
        stack.broker.process.kill()

        assert run_until(supervisor, lambda: len(starts) == 6) is None
        assert all(process.poll() is not None for process in old.values())  # stopped, not left running
        assert services_alive_at_broker_start[-1] == []  # none of them met the new broker
        second = stack.broker.cluster_id
        assert second != first
        assert [s for s, cluster in starts[3:]] == ["invoicing", "matching", "gateway"]
        assert {cluster for _, cluster in starts[3:]} == {second}
        assert "stopped invoicing, matching, gateway until the broker runs again" in said
        assert supervisor.children["broker"].restarts == 1
        # Stopped for the broker, not dead: neither counted nor restarted on their own.
        assert all(supervisor.children[s].restarts == 0 for s in ("gateway", "invoicing", "matching"))
    finally:
        for process in stack.processes.values():
            process.kill()
            process.wait()
        stack.broker.stop()
