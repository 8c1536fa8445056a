"""CPU time per process over a phase, as the bench reports it per invoice."""

from __future__ import annotations

import os
import subprocess
import sys
from types import SimpleNamespace
from typing import Any

from bench.cpu import CpuMeter

# Burns 0.3 s of CPU, says so, then waits to be told to end.
BUSY = (
    "import sys, time\n"
    "end = time.process_time() + 0.3\n"
    "while time.process_time() < end: pass\n"
    "print('burnt', flush=True)\n"
    "sys.stdin.readline()\n"
)


def test_the_cpu_a_process_burns_during_the_phase_is_counted_for_it() -> None:
    busy = subprocess.Popen([sys.executable, "-c", BUSY], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    stack: Any = SimpleNamespace(processes={"busy": busy}, broker=None, sink=None, postgres=None)
    try:
        meter = CpuMeter(stack)
        with meter.measuring():
            assert busy.stdout is not None
            assert busy.stdout.readline() == b"burnt\n"
        busy.communicate(b"\n", timeout=30)
    finally:
        busy.kill()
    assert set(meter.seconds) == {"bench", "busy"}
    assert meter.seconds["busy"] >= 0.25
    assert meter.seconds["bench"] < meter.seconds["busy"]
    assert 0 < meter.cores_busy <= (os.cpu_count() or 1) * 1.05


def test_the_figures_per_item_are_in_milliseconds_biggest_first_with_their_total() -> None:
    stack: Any = SimpleNamespace(processes={}, broker=None, sink=None, postgres=None)
    meter = CpuMeter(stack, seconds={"matching": 0.5, "invoicing": 1.5, "bench": 0.25})
    assert meter.per_item_ms(100) == {"invoicing": 15.0, "matching": 5.0, "bench": 2.5, "total": 22.5}
    assert meter.per_item_ms(0) == {}


def test_processes_outside_the_stack_are_measured_alike_under_their_own_names() -> None:
    busy = subprocess.Popen([sys.executable, "-c", BUSY], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    stack: Any = SimpleNamespace(processes={}, broker=None, sink=None, postgres=None)
    try:
        meter = CpuMeter(stack, extra={"floor invoicing": busy.pid})
        with meter.measuring():
            assert busy.stdout is not None
            assert busy.stdout.readline() == b"burnt\n"
        busy.communicate(b"\n", timeout=30)
    finally:
        busy.kill()
    assert set(meter.seconds) == {"bench", "floor invoicing"}
    assert meter.seconds["floor invoicing"] >= 0.25
