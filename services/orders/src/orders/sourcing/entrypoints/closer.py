"""A background task of the runtime: closes published RFPs whose due date passed, every few seconds.

Requests check the due date themselves, so a late or stopped task never lets a proposal in after
the due date; the task only turns the status to ``closed`` and publishes RfpClosed.
"""

from __future__ import annotations

import asyncio

import structlog

from orders.config import Settings
from orders.sourcing.service import commands
from orders.sourcing.service.unit_of_work import RfpUnitOfWork
from shared.runtime import ServiceRuntime

log = structlog.get_logger(__name__)


async def close_due_rfps(runtime: ServiceRuntime) -> None:
    settings = runtime.settings
    interval_s = settings.rfp_close_interval_s if isinstance(settings, Settings) else 2.0
    while True:
        try:
            closed = await commands.close_due_rfps(
                RfpUnitOfWork(runtime.session_factory, runtime.settings.service_name)
            )
            if closed:
                log.info("closed RFPs past their due date", count=closed)
                continue  # there may be more than one batch
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database may be away for a while; try again next round
            log.warning("closing due RFPs failed; will retry", error=repr(exc))
        await asyncio.sleep(interval_s)
