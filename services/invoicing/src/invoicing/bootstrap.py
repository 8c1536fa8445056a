"""Composition root of the invoicing service."""

from __future__ import annotations

from invoicing.config import Settings
from invoicing.entrypoints.api import router
from invoicing.entrypoints.collaboration import router as conversation_router
from invoicing.entrypoints.consumers import consumers
from shared.runtime import ServiceRuntime


def bootstrap(settings: Settings | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    return ServiceRuntime(
        settings,
        title="Supplier portal — invoicing",
        routers=[router, conversation_router],
        consumers=consumers,
        verifier=settings.token_verifier(),
    )
