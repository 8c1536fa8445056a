"""FastAPI dependencies of the gateway."""

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request

from gateway.config import Settings
from gateway.domain.client_address import client_address
from gateway.domain.throttling import LoginLimit
from gateway.service.accounts import LinkSettings
from gateway.service.colleagues import InvitationSettings
from gateway.service.login_throttle import LoginLimits
from gateway.service.unit_of_work import UnitOfWork
from shared.networks import forwarded_for
from shared.runtime import Runtime


async def unit_of_work(runtime: Runtime) -> UnitOfWork:
    return UnitOfWork(runtime.session_factory, runtime.settings.service_name)


async def login_limits(runtime: Runtime) -> LoginLimits:
    settings = _settings(runtime)
    return LoginLimits.of(
        per_account_and_ip=settings.login_free_failures_per_account_and_ip,
        per_ip=settings.login_free_failures_per_ip,
        per_account=settings.login_free_failures_per_account,
        window_s=settings.login_window_s,
        first_delay_s=settings.login_first_delay_s,
        max_delay_s=settings.login_max_delay_s,
    )


def _settings(runtime: Runtime) -> Settings:
    settings = runtime.settings
    assert isinstance(settings, Settings)
    return settings


async def client_ip(request: Request, runtime: Runtime) -> str | None:
    """The client's address: the peer's, or before the trusted proxies (``GATEWAY_TRUSTED_PROXIES``)."""
    settings = _settings(runtime)
    xff, forwarded = forwarded_for(request.headers.getlist("x-forwarded-for"), request.headers.getlist("forwarded"))
    hops = forwarded if settings.trusted_proxy_header == "forwarded" else xff
    peer = request.client.host if request.client else None
    return client_address(peer, hops, request.app.state.trusted_proxies)


async def link_settings(runtime: Runtime) -> LinkSettings:
    settings = _settings(runtime)
    window = timedelta(seconds=settings.password_reset_window_s)
    return LinkSettings(
        links=settings.link_sealer,
        password_reset_ttl=timedelta(seconds=settings.password_reset_ttl_s),
        email_change_ttl=timedelta(seconds=settings.email_change_ttl_s),
        # Beyond the allowance, asking again waits until the oldest counted request leaves the window.
        resets_per_account=LoginLimit(settings.password_resets_per_account, window, window, window),
        resets_per_ip=LoginLimit(settings.password_resets_per_ip, window, window, window),
    )


async def invitation_settings(runtime: Runtime) -> InvitationSettings:
    settings = _settings(runtime)
    return InvitationSettings(settings.link_sealer, timedelta(days=settings.invitation_ttl_days))


Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
Limits = Annotated[LoginLimits, Depends(login_limits)]
Links = Annotated[LinkSettings, Depends(link_settings)]
Invites = Annotated[InvitationSettings, Depends(invitation_settings)]
ClientIp = Annotated[str | None, Depends(client_ip)]
