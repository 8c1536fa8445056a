"""Fault points: places where the fault-injection suite crashes a service or slows it down.

A point does nothing unless the process was started with ``PORTAL_FAULT_POINTS`` naming it,
and that setting is refused outside a development or test environment (``PORTAL_ENVIRONMENT``,
``production`` unless set): a production process cannot be armed. Unarmed, reaching a point
costs one lookup in an empty dict.

``PORTAL_FAULT_POINTS`` is a comma-separated list of ``point[@scope][:hit=N][:delay=S]``:

- ``point``: one of ``POINTS``;
- ``@scope``: only when reached for this scope (a topic, a consumer group or an event type,
  whatever the point passes); ``@a+b``: only when reached for all of them (one consumer group's
  events of one type, where a service has several groups on a topic);
- ``hit=N``: on the N-th time the point is reached (in scope), once; default 1;
- ``delay=S``: sleep S seconds there instead of killing the process with SIGKILL.

Example: ``relay.before_publish:hit=3,consumer.before_handler@InvoiceSubmitted:hit=2:delay=8``.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
from collections.abc import Iterable
from dataclasses import dataclass

import structlog

log = structlog.get_logger(__name__)

POINTS: dict[str, str] = {
    "relay.before_publish": "the outbox relay has read unsent rows and not yet handed them to the producer",
    "invoicing.submit.after_commit": "an invoice's submission has committed and not yet been answered",
    "consumer.before_handler": "a consumer has decoded an event and not yet called its handler",
    "consumer.before_ack": "a consumer's handler has committed its effect and the offset is not yet committed",
}
# Where fault points may be armed; everything else counts as production.
ARMABLE_ENVIRONMENTS = frozenset({"development", "test"})

_ENTRY = re.compile(r"^(?P<point>[a-z_.]+)(?:@(?P<scope>[^:@,\s]+))?(?P<options>(?::[a-z]+=[^:,\s]+)*)$")


class FaultPointsRefused(ValueError):
    """``PORTAL_FAULT_POINTS`` is malformed, or set where faults must never be injected."""


@dataclass
class FaultPoint:
    point: str
    scope: str | None = None
    hit: int = 1
    delay_s: float | None = None
    reached: int = 0

    def matches(self, scopes: Iterable[str]) -> bool:
        if self.scope is None:
            return True
        reached_for = set(scopes)
        return all(scope in reached_for for scope in self.scope.split("+"))


def parse(spec: str) -> list[FaultPoint]:
    """The fault points of a ``PORTAL_FAULT_POINTS`` value; a typo is an error, not a no-op."""
    found = []
    for entry in filter(None, (part.strip() for part in spec.split(","))):
        match = _ENTRY.match(entry)
        if match is None:
            raise FaultPointsRefused(f"fault point {entry!r} is not point[@scope][:hit=N][:delay=S]")
        if match["point"] not in POINTS:
            raise FaultPointsRefused(f"unknown fault point {match['point']!r}; known: {', '.join(sorted(POINTS))}")
        fault = FaultPoint(match["point"], match["scope"])
        for option in filter(None, match["options"].split(":")):
            name, _, value = option.partition("=")
            try:
                if name == "hit" and int(value) >= 1:
                    fault.hit = int(value)
                elif name == "delay" and float(value) >= 0:
                    fault.delay_s = float(value)
                else:
                    raise ValueError(option)
            except ValueError:
                raise FaultPointsRefused(f"fault point {entry!r}: bad option {option!r}") from None
        found.append(fault)
    return found


def check(spec: str, environment: str) -> list[FaultPoint]:
    """``parse``, refusing any fault point outside a development or test environment."""
    points = parse(spec)
    if points and environment not in ARMABLE_ENVIRONMENTS:
        raise FaultPointsRefused(
            f"PORTAL_FAULT_POINTS is set in the {environment!r} environment; fault points can only be "
            f"armed where PORTAL_ENVIRONMENT is one of {', '.join(sorted(ARMABLE_ENVIRONMENTS))}"
        )
    return points


_armed: dict[str, list[FaultPoint]] = {}


def arm(spec: str, *, environment: str) -> None:
    """Arm the points of ``spec`` for this process (an empty spec disarms everything)."""
    points = check(spec, environment)
    _armed.clear()
    for fault in points:
        _armed.setdefault(fault.point, []).append(fault)
    if points:
        log.warning("fault points armed", fault_points=spec, environment=environment)


def disarm() -> None:
    _armed.clear()


async def reached(point: str, *scopes: str) -> None:
    """Mark that ``point`` is reached (for ``scopes``); kill or delay here when it is armed."""
    faults = _armed.get(point)
    if not faults:
        return
    for fault in faults:
        if not fault.matches(scopes):
            continue
        fault.reached += 1
        if fault.reached != fault.hit:
            continue
        if fault.delay_s is not None:
            log.warning("fault point reached; delaying", fault_point=point, scopes=list(scopes), delay_s=fault.delay_s)
            await asyncio.sleep(fault.delay_s)
            log.warning("fault point delay over", fault_point=point, scopes=list(scopes))
        else:
            log.warning("fault point reached; killing the process", fault_point=point, scopes=list(scopes))
            os.kill(os.getpid(), signal.SIGKILL)
