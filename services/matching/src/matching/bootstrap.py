"""Composition root of the matching service: HTTP API, the three consumers, the outbox relay."""

from __future__ import annotations

from matching.config import Settings
from matching.entrypoints.api import router
from matching.entrypoints.consumers import consumers
from shared.runtime import ServiceRuntime


def bootstrap(settings: Settings | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    return ServiceRuntime(
        settings,
        title="Supplier portal — matching",
        routers=[router],
        consumers=consumers,
        verifier=settings.token_verifier(),
    )
