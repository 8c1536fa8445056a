"""CPU time of each process of the stack over a phase: where an invoice's cost goes.

Divided by the invoices the phase handled, it gives the CPU milliseconds one invoice costs in each
process, and their sum says how many invoices per second a number of cores can take at most.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psutil

from portal_dev.stack import Stack


def _processes(stack: Stack, extra: dict[str, int] | None = None) -> dict[str, psutil.Process]:
    """The stack's processes by name, and ``extra`` ones (name: pid); PostgreSQL counts with its
    backends, this one as ``bench``."""
    found: dict[str, psutil.Process] = {"bench": psutil.Process(os.getpid())}
    for name, pid in (extra or {}).items():
        found[name] = psutil.Process(pid)
    for name, process in stack.processes.items():
        found[name] = psutil.Process(process.pid)
    if stack.broker is not None and stack.broker.process is not None:
        found["broker"] = psutil.Process(stack.broker.process.pid)
    if stack.sink is not None:
        found["smtp sink"] = psutil.Process(stack.sink.pid)
    if stack.postgres is not None:
        pid_file = stack.postgres.data_dir / "postmaster.pid"
        if pid_file.exists():
            found["postgres"] = psutil.Process(int(pid_file.read_text().split()[0]))
    return found


def _cpu_seconds(process: psutil.Process, *, with_children: bool) -> float:
    try:
        times = process.cpu_times()
        total = times.user + times.system
        if with_children:
            # Children that ended are in children_*; those still running (backends) are summed.
            total += times.children_user + times.children_system
            for child in process.children(recursive=True):
                try:
                    child_times = child.cpu_times()
                    total += child_times.user + child_times.system
                except psutil.NoSuchProcess:
                    pass
        return total
    except psutil.NoSuchProcess:
        return 0.0


@dataclass
class CpuMeter:
    """CPU seconds per process between ``__enter__`` and ``__exit__`` of ``measuring``."""

    stack: Stack
    extra: dict[str, int] = field(default_factory=dict)  # other processes measured alike (name: pid)
    seconds: dict[str, float] = field(default_factory=dict)
    wall_s: float = 0.0

    @contextmanager
    def measuring(self) -> Iterator[CpuMeter]:
        processes = _processes(self.stack, self.extra)
        started = time.monotonic()
        before = {name: _cpu_seconds(p, with_children=name == "postgres") for name, p in processes.items()}
        yield self
        for name, process in processes.items():
            self.seconds[name] = _cpu_seconds(process, with_children=name == "postgres") - before[name]
        self.wall_s = time.monotonic() - started

    @property
    def cores_busy(self) -> float:
        """CPU seconds of all the processes per second of the phase: how many cores they kept busy."""
        return round(sum(self.seconds.values()) / self.wall_s, 2) if self.wall_s else 0.0

    def per_item_ms(self, items: int) -> dict[str, float]:
        """CPU milliseconds per item and process, the biggest first, with their ``total``."""
        if items <= 0:
            return {}
        shares = {name: round(seconds * 1000 / items, 1) for name, seconds in self.seconds.items()}
        ordered = dict(sorted(shares.items(), key=lambda kv: -kv[1]))
        ordered["total"] = round(sum(self.seconds.values()) * 1000 / items, 1)
        return ordered
