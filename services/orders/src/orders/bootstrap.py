"""Composition root of the orders service."""

from __future__ import annotations

from orders.config import Settings
from orders.entrypoints.api import router
from orders.entrypoints.consumers import consumers
from shared.auth import TokenVerifier
from shared.runtime import ServiceRuntime


def bootstrap(settings: Settings | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    return ServiceRuntime(
        settings,
        title="Supplier portal — purchase orders",
        routers=[router],
        consumers=consumers,
        verifier=TokenVerifier(settings.public_key_pem(), issuer=settings.jwt_issuer),
    )
