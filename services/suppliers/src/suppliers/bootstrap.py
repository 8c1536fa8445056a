"""Composition root of the suppliers service."""

from __future__ import annotations

from shared.auth import TokenVerifier
from shared.runtime import ServiceRuntime
from suppliers.config import Settings
from suppliers.entrypoints.api import router


def bootstrap(settings: Settings | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    return ServiceRuntime(
        settings,
        title="Supplier portal — suppliers",
        routers=[router],
        verifier=TokenVerifier(settings.public_key_pem(), issuer=settings.jwt_issuer),
    )
