"""Composition root of the suppliers service."""

from __future__ import annotations

from shared.runtime import ServiceRuntime
from suppliers.config import Settings
from suppliers.entrypoints import api, custom_fields_api, portal_api
from suppliers.entrypoints.consumers import consumers


def bootstrap(settings: Settings | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    return ServiceRuntime(
        settings,
        title="Supplier portal — suppliers",
        routers=[api.router, portal_api.router, custom_fields_api.router],
        consumers=consumers,
        verifier=settings.token_verifier(),
    )
