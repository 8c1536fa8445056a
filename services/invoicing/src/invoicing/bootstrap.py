"""Composition root of the invoicing service."""

from __future__ import annotations

from invoicing.adapters.arrivals import PurchaseOrderArrivals
from invoicing.config import Settings
from invoicing.entrypoints.api import router
from invoicing.entrypoints.collaboration import router as conversation_router
from invoicing.entrypoints.consumers import consumers
from invoicing.service.purchase_order_wait import PurchaseOrderWait
from shared.runtime import ServiceRuntime
from shared.stalls import StallCheck, waiting_longer_than


def bootstrap(settings: Settings | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    # The purchase order consumer announces the orders it stores; requests waiting for one hear it.
    arrivals = PurchaseOrderArrivals()
    runtime = ServiceRuntime(
        settings,
        title="Supplier portal — invoicing",
        routers=[router, conversation_router],
        consumers=lambda runtime: consumers(runtime, arrivals),
        verifier=settings.token_verifier(),
        stall_checks=stall_checks(settings),
    )
    runtime.app.state.purchase_order_wait = PurchaseOrderWait(
        arrivals,
        timeout_s=settings.purchase_order_wait_s,
        poll_interval_s=settings.purchase_order_wait_poll_s,
        max_waiters=settings.purchase_order_waiters,
    )
    return runtime


def stall_checks(settings: Settings) -> list[StallCheck]:
    """A submitted invoice waits in "matching" for the matching service's verdict, normally a
    moment; ``submitted_at`` is when it entered that status (each submission sets it again).
    The partial index ``ix_invoices_matching`` holds just those invoices."""
    return [
        waiting_longer_than(
            "invoice_matching",
            settings.stall_matching_s,
            table="invoices",
            since="submitted_at",
            where="status = 'matching'",
        )
    ]
