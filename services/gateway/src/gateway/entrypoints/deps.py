"""FastAPI dependencies of the gateway."""

from datetime import timedelta
from typing import Annotated

from fastapi import Depends

from gateway.config import Settings
from gateway.domain.throttling import LoginLimit
from gateway.service.accounts import LinkSettings
from gateway.service.colleagues import InvitationSettings
from gateway.service.login_throttle import LoginLimits
from gateway.service.unit_of_work import UnitOfWork
from shared.runtime import Runtime


async def unit_of_work(runtime: Runtime) -> UnitOfWork:
    return UnitOfWork(runtime.session_factory, runtime.settings.service_name)


async def login_limits(runtime: Runtime) -> LoginLimits:
    settings = _settings(runtime)
    return LoginLimits.of(
        per_account=settings.login_max_failures_per_account,
        per_ip=settings.login_max_failures_per_ip,
        window_s=settings.login_window_s,
    )


def _settings(runtime: Runtime) -> Settings:
    settings = runtime.settings
    assert isinstance(settings, Settings)
    return settings


async def link_settings(runtime: Runtime) -> LinkSettings:
    settings = _settings(runtime)
    window = timedelta(seconds=settings.password_reset_window_s)
    return LinkSettings(
        links=settings.link_sealer,
        password_reset_ttl=timedelta(seconds=settings.password_reset_ttl_s),
        email_change_ttl=timedelta(seconds=settings.email_change_ttl_s),
        resets_per_account=LoginLimit(settings.password_resets_per_account, window),
        resets_per_ip=LoginLimit(settings.password_resets_per_ip, window),
    )


async def invitation_settings(runtime: Runtime) -> InvitationSettings:
    settings = _settings(runtime)
    return InvitationSettings(settings.link_sealer, timedelta(days=settings.invitation_ttl_days))


Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
Limits = Annotated[LoginLimits, Depends(login_limits)]
Links = Annotated[LinkSettings, Depends(link_settings)]
Invites = Annotated[InvitationSettings, Depends(invitation_settings)]
