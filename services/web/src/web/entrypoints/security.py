"""What every answer of the portal carries, and the checks a changing form passes.

- Security headers on every answer: a Content-Security-Policy without inline script or style,
  ``frame-ancestors 'none'``, ``nosniff``; pages are never cached (they show one person's data).
- CSRF: every form that changes something carries a token; signed-in forms the session's,
  the sign-in and invitation forms one from a cookie of their own (double submit).
- ``safe_next``: where to go after signing in, only ever a path of this site.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import Message, Receive, Scope, Send

from shared.asgi import HttpMiddleware

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}

SESSION_COOKIE = "portal_session"
ANONYMOUS_CSRF_COOKIE = "portal_csrf"
CSRF_FIELD = "csrf_token"


class SecurityHeadersMiddleware(HttpMiddleware):
    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if not static:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def is_https(scope: Scope) -> bool:
    """HTTPS as the browser used it: the gateway (or a proxy in front) says so in X-Forwarded-Proto."""
    for name, value in scope.get("headers", []):
        if name == b"x-forwarded-proto":
            return value.decode("latin-1").split(",")[0].strip().lower() == "https"
    return scope.get("scheme") == "https"


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path of this site, else ``default``: never another host (no open
    redirect through ``//evil``, ``/\\evil``, ``https:...`` or control characters)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
