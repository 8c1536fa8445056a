"""Composition root of the notifier service: API, consumers and the email sender."""

from __future__ import annotations

from notifier.config import Settings
from notifier.entrypoints.api import router
from notifier.entrypoints.consumers import consumers
from notifier.entrypoints.sender import email_sender
from shared.runtime import ServiceRuntime


def bootstrap(settings: Settings | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    return ServiceRuntime(
        settings,
        title="Supplier portal — notifier",
        routers=[router],
        consumers=consumers,
        background=[email_sender],
        verifier=settings.token_verifier(),
    )
