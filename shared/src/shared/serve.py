"""Serve a service's ASGI app with uvicorn; SIGTERM stops it gracefully."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from shared.settings import ServiceSettings


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=30,
        # The peer stays the connection's: the gateway reads proxy headers itself, from the proxies
        # it trusts, and /metrics is answered by who connected, never by what a header claims.
        proxy_headers=False,
        loop="auto",
    )
