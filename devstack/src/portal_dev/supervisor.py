"""``portal up`` keeps every process of the stack running: a child that dies is started again.

A restart waits a back-off that doubles with each death in a row (``BACKOFF_FIRST_S`` up to
``BACKOFF_MAX_S``; a child that stayed up ``STABLE_AFTER_S`` starts again from the first step).
A child that dies ``GIVE_UP_DEATHS`` times within ``GIVE_UP_WINDOW_S`` is not going to get
better by itself: the supervisor then stops everything and says why.

What it sees is written to ``<data dir>/portal-supervisor.json`` (``portal status`` reads it): the
supervisor's pid, and per child its pid, its start time, how often it was restarted, its last exit.
A later ``portal up`` that takes over the lock of one that died reads it too, to wait for (and at
worst end) what that one had started.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil

from shared.kafka import PLAINTEXT, ensure_topics

if TYPE_CHECKING:
    from portal_dev.stack import Stack

STATE_FILE = "portal-supervisor.json"
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 30.0
STABLE_AFTER_S = 60.0
GIVE_UP_DEATHS = 5
GIVE_UP_WINDOW_S = 120.0
# How long the children of a run that died have to end (their lifelines stop them) before the
# next run ends them itself.
LEFTOVER_WAIT_S = 30.0

POSTGRES, BROKER, MAIL_SINK = "postgres", "broker", "mail sink"


@dataclass
class Child:
    name: str
    restarts: int = 0
    last_exit: int | None = None
    started_at: float = field(default_factory=time.monotonic)
    streak: int = 0  # deaths in a row, each within STABLE_AFTER_S of its start
    deaths: deque[float] = field(default_factory=deque)
    restart_at: float | None = None  # set while it waits for its restart

    def backoff_s(self) -> float:
        return min(BACKOFF_FIRST_S * 2 ** max(self.streak - 1, 0), BACKOFF_MAX_S)


def describe_exit(code: int | None) -> str:
    if code is None:
        return "running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class Supervisor:
    def __init__(self, stack: Stack, *, say: Callable[[str], None] = print) -> None:
        self.stack = stack
        self.say = say
        self.children: dict[str, Child] = {}
        self.state_file = stack.config.data_dir / STATE_FILE
        self.started = datetime.now(UTC)
        self._created: dict[int, float | None] = {}
        self._written: dict[str, Any] | None = None
        # The services stopped while the broker is gone, started again with it.
        self._waiting_for_broker: list[str] = []

    def processes(self) -> dict[str, subprocess.Popen[bytes]]:
        """Every child of the stack that runs (or ran) under this supervisor, by name."""
        stack = self.stack
        found: dict[str, subprocess.Popen[bytes]] = {}
        if stack.postgres is not None and stack.postgres.process is not None:
            found[POSTGRES] = stack.postgres.process
        if stack.broker is not None and stack.broker.process is not None:
            found[BROKER] = stack.broker.process
        if stack.sink is not None:
            found[MAIL_SINK] = stack.sink
        found.update(stack.processes)
        return found

    def check(self) -> str | None:
        """Notice children that died and restart those whose back-off is over; returns why to
        give up, or None."""
        now = time.monotonic()
        for name, process in self.processes().items():
            child = self.children.setdefault(name, Child(name))
            if child.restart_at is not None or name in self._waiting_for_broker or process.poll() is None:
                continue
            child.last_exit = process.returncode
            child.deaths.append(now)
            while child.deaths and child.deaths[0] < now - GIVE_UP_WINDOW_S:
                child.deaths.popleft()
            child.streak = child.streak + 1 if now - child.started_at < STABLE_AFTER_S else 1
            log = self.stack.logs_dir / f"{'mailsink' if name == MAIL_SINK else name}.log"
            if len(child.deaths) >= GIVE_UP_DEATHS:
                return (
                    f"{name} died {len(child.deaths)} times within {GIVE_UP_WINDOW_S:.0f} s "
                    f"(last: {describe_exit(child.last_exit)}); stopping everything. See {log}"
                )
            child.restart_at = now + child.backoff_s()
            self.say(
                f"{name} ended ({describe_exit(child.last_exit)}); starting it again in "
                f"{child.backoff_s():.1f} s. See {log}"
            )
            if name == BROKER:
                self._stop_services_for_broker()
        for child in self.children.values():
            if child.restart_at is not None and now >= child.restart_at:
                self._restart(child)
        self.write_state()
        return None

    def _stop_services_for_broker(self) -> None:
        """Stop the services until a new broker runs with its topics. A service's Kafka clients
        must not carry what they knew of the lost broker (offsets, group members, the topics it
        had) onto an empty one: started afresh on it, each relay first finds the new cluster id
        and publishes its window again, and each consumer group reads it from the start."""
        stopped = self.stack.stop_services()
        self._waiting_for_broker += [name for name in stopped if name not in self._waiting_for_broker]
        for name in stopped:
            if name in self.children:
                self.children[name].restart_at = None  # started with the broker, not on their own
        if stopped:
            self.say(f"stopped {', '.join(stopped)} until the broker runs again")

    def _restart(self, child: Child) -> None:
        child.restart_at = None
        child.restarts += 1
        child.started_at = time.monotonic()
        try:
            self._start(child.name)
        except Exception as exc:  # counted as a death at the next check
            self.say(f"{child.name} did not start again: {exc}")
            return
        self.say(f"{child.name} started again (restart {child.restarts})")

    def _start(self, name: str) -> None:
        stack = self.stack
        if name == POSTGRES:
            assert stack.postgres is not None
            stack.postgres.start()
        elif name == BROKER:
            assert stack.broker is not None
            stack.broker.start()  # empty, with a cluster id of its own: the relays publish again
            try:
                asyncio.run(
                    ensure_topics(
                        stack.broker.bootstrap_servers,
                        security=PLAINTEXT,
                        prefix=stack.config.kafka_topic_prefix,
                        timeout_s=30,
                    )
                )
            except Exception:
                stack.broker.stop()  # a broker without its topics is no broker: counted as a death
                raise
            waiting, self._waiting_for_broker = self._waiting_for_broker, []
            for service in waiting:
                self.children.setdefault(service, Child(service)).started_at = time.monotonic()
            stack.start_services(waiting)
        elif name == MAIL_SINK:
            stack.start_sink()
        else:
            stack.start_service(name)

    def write_state(self) -> None:
        """Write the state file when what it says changed (``check`` runs every few tenths of a
        second; the children's start times are read once per pid)."""
        children: dict[str, Any] = {}
        for name, process in self.processes().items():
            child = self.children.setdefault(name, Child(name))
            if process.pid not in self._created:
                self._created[process.pid] = _created(process.pid)
            children[name] = {
                "pid": process.pid,
                "created": self._created[process.pid],
                "state": "restarting" if child.restart_at is not None else "running",
                "restarts": child.restarts,
                "last_exit": child.last_exit,
            }
        state = {"pid": os.getpid(), "started_at": self.started.isoformat(), "children": children}
        if state == self._written:
            return
        temp = self.state_file.with_suffix(".tmp")
        temp.write_text(json.dumps(state, indent=2))
        os.replace(temp, self.state_file)
        self._written = state


def read_state(data_dir: Path) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = json.loads((data_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return None
    return found


def _created(pid: int) -> float | None:
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def leftovers(state: dict[str, Any] | None) -> list[psutil.Process]:
    """The children named in a run's state that still run: the same pid and start time."""
    found = []
    for child in (state or {}).get("children", {}).values():
        try:
            process = psutil.Process(int(child["pid"]))
            if child.get("created") is not None and abs(process.create_time() - float(child["created"])) < 0.01:
                found.append(process)
        except (psutil.Error, KeyError, TypeError, ValueError):
            continue
    return found


def end_leftovers(state: dict[str, Any] | None, *, say: Callable[[str], None], wait_s: float = LEFTOVER_WAIT_S) -> None:
    """Wait for the children of a run that died to end (their lifelines stop them), then kill
    what is left, so that none of them holds a port or writes to a broker of the next run."""
    remaining = leftovers(state)
    if not remaining:
        return
    say(f"waiting for {len(remaining)} process(es) of the previous run to end")
    _, alive = psutil.wait_procs(remaining, timeout=wait_s)
    for process in alive:
        say(f"ending pid {process.pid}, left by the previous run")
        with contextlib.suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(alive, timeout=10)
