"""Composition root of the gateway."""

from __future__ import annotations

from starlette.middleware import Middleware

from gateway.adapters import passwords
from gateway.adapters.standing_cache import STANDING
from gateway.adapters.upstreams import Upstreams
from gateway.config import Settings
from gateway.entrypoints.accounts import router as accounts_router
from gateway.entrypoints.api import router as identity_router
from gateway.entrypoints.consumers import consumers
from gateway.entrypoints.event_docs import router as event_docs_router
from gateway.entrypoints.proxy import router as proxy_router
from gateway.entrypoints.standing import TokenStandingMiddleware
from gateway.entrypoints.summary import router as summary_router
from gateway.entrypoints.web_pages import router as web_router
from shared.auth import TokenIssuer
from shared.body_limit import BodyLimitMiddleware
from shared.networks import Networks
from shared.runtime import CorrelationMiddleware, ServiceRuntime


async def _close_upstreams(runtime: ServiceRuntime) -> None:
    await runtime.app.state.upstreams.close()


def bootstrap(settings: Settings | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    runtime = ServiceRuntime(
        settings,
        title="Supplier portal — gateway",
        # The catch-alls come last so that the gateway's own routes win: the API's proxy, then the
        # web portal's pages for every other path.
        routers=[identity_router, accounts_router, summary_router, event_docs_router, proxy_router, web_router],
        consumers=consumers,
        on_stop=[_close_upstreams],
        verifier=settings.token_verifier(),
    )
    app = runtime.app
    app.router.routes = [
        r for r in app.router.routes if getattr(r, "path", "") not in ("/docs", "/docs/oauth2-redirect", "/redoc")
    ]
    settings.link_sealer  # noqa: B018 - a missing or wrong link key stops the start, not a request
    app.state.token_issuer = TokenIssuer(
        settings.private_key_pem(), issuer=settings.jwt_issuer, ttl_s=settings.token_ttl_s
    )
    # Inside the correlation id (a refusal carries one), outside idempotency (an ended token
    # claims no key).
    position = next(i for i, m in enumerate(app.user_middleware) if m.cls is CorrelationMiddleware) + 1
    STANDING.ttl_s = settings.token_standing_ttl_s
    app.user_middleware.insert(
        position, Middleware(TokenStandingMiddleware, runtime=runtime, issuer=app.state.token_issuer)
    )
    # Outermost: no other middleware reads a body the gateway will not take.
    app.user_middleware.insert(0, Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes))
    app.state.trusted_proxies = Networks.parse(settings.trusted_proxies)
    app.state.upstreams = Upstreams(settings.upstreams(), settings.upstream_timeout_s)
    passwords.SLOTS.configure(settings.password_hashing_slots, settings.password_hashing_wait_s)
    return runtime
