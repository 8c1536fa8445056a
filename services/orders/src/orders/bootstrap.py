"""Composition root of the orders service."""

from __future__ import annotations

from orders.config import Settings
from orders.entrypoints.api import router
from orders.entrypoints.collaboration import router as collaboration_router
from orders.entrypoints.consumers import consumers
from orders.entrypoints.receipts import router as receipts_router
from orders.sourcing.entrypoints.api import router as rfp_router
from orders.sourcing.entrypoints.closer import close_due_rfps
from orders.sourcing.entrypoints.consumers import rfp_consumers
from shared.runtime import ServiceRuntime


def bootstrap(settings: Settings | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    return ServiceRuntime(
        settings,
        title="Supplier portal — purchase orders",
        routers=[router, collaboration_router, receipts_router, rfp_router],
        consumers=lambda runtime: consumers(runtime) + rfp_consumers(runtime),
        background=[close_due_rfps],
        verifier=settings.token_verifier(),
    )
