"""FastAPI dependencies of the gateway."""

from typing import Annotated

from fastapi import Depends

from gateway.config import Settings
from gateway.service.login_throttle import LoginLimits
from gateway.service.unit_of_work import UnitOfWork
from shared.runtime import Runtime


async def unit_of_work(runtime: Runtime) -> UnitOfWork:
    return UnitOfWork(runtime.session_factory, runtime.settings.service_name)


async def login_limits(runtime: Runtime) -> LoginLimits:
    settings = runtime.settings
    assert isinstance(settings, Settings)
    return LoginLimits.of(
        per_account=settings.login_max_failures_per_account,
        per_ip=settings.login_max_failures_per_ip,
        window_s=settings.login_window_s,
    )


Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
Limits = Annotated[LoginLimits, Depends(login_limits)]
