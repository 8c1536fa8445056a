"""Documents that wait too long for their next step: declared by a service, read when asked.

Events lost on the way or a consumer stuck on one leave every service looking healthy (up, an
empty outbox, no lag, no dead letters) while an invoice stays in matching for ever. A stall check
names one such wait (its ``kind``, e.g. ``invoice_matching``), counts the documents in it that have
waited longer than ``threshold_s`` and measures the oldest one. A service passes its checks to
``ServiceRuntime(stall_checks=...)``; they are read when Prometheus scrapes
(``portal_stalled_documents{kind}``...) and when ``/health/ready`` is asked, which lists the kinds
with stalled documents under ``stalled``. A stall never makes a service "not ready": restarting it
would not move the documents on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncEngine

# A Prometheus label value and a JSON key that read well: ``invoice_matching``, ``email_delivery``.
_KIND = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class StallCheck:
    """One wait worth watching. ``query`` answers one row, ``stalled`` (how many documents have
    waited longer than the bound parameter ``:threshold_s``) and ``oldest_age_s`` (the age in
    seconds of the oldest document waiting at all; 0 when none is). ``waiting_longer_than``
    writes such a query for the usual case of a status and the time the document entered it."""

    kind: str
    query: TextClause
    threshold_s: float

    def __post_init__(self) -> None:
        if not _KIND.fullmatch(self.kind):
            raise ValueError(f"a stall check's kind is lower-case words joined by '_', got {self.kind!r}")
        if not self.threshold_s > 0:
            raise ValueError(f"the threshold of stall check {self.kind!r} must be positive, got {self.threshold_s!r}")


def waiting_longer_than(kind: str, threshold_s: float, *, table: str, since: str, where: str) -> StallCheck:
    """The documents of ``table`` matching ``where`` (a status), waiting since the timestamp column
    ``since``. ``where`` is written out, never bound, so that the planner can use a partial index
    on the same condition in every plan: only the documents in that status are read."""
    query = text(
        f"SELECT count(*) FILTER (WHERE {since} < clock_timestamp() - make_interval(secs => :threshold_s))"
        " AS stalled,"
        f" coalesce(extract(epoch FROM clock_timestamp() - min({since})), 0) AS oldest_age_s"
        f" FROM {table} WHERE {where}"
    )
    return StallCheck(kind, query, threshold_s)


@dataclass(frozen=True)
class Stall:
    """What one check found: ``count`` documents over ``threshold_s``, the oldest waiting ``oldest_age_s``."""

    kind: str
    count: int
    oldest_age_s: float
    threshold_s: float


async def read_stall(engine: AsyncEngine, check: StallCheck) -> Stall:
    async with engine.connect() as conn:
        row = (await conn.execute(check.query, {"threshold_s": float(check.threshold_s)})).one()
    return Stall(check.kind, int(row.stalled), max(0.0, float(row.oldest_age_s)), check.threshold_s)


def stalled_report(stalls: Iterable[Stall]) -> dict[str, dict[str, Any]]:
    """The ``stalled`` part of ``/health/ready``: each kind with documents over its threshold."""
    return {
        stall.kind: {
            "count": stall.count,
            "threshold_s": stall.threshold_s,
            "oldest_age_s": round(stall.oldest_age_s, 1),
        }
        for stall in stalls
        if stall.count > 0
    }
