"""FastAPI dependencies of the RFP API: its unit of work and the service settings."""

from typing import Annotated

from fastapi import Depends

from orders.config import Settings
from orders.sourcing.service.unit_of_work import RfpUnitOfWork
from shared.runtime import Runtime


async def rfp_unit_of_work(runtime: Runtime) -> RfpUnitOfWork:
    return RfpUnitOfWork(runtime.session_factory, runtime.settings.service_name)


RfpUow = Annotated[RfpUnitOfWork, Depends(rfp_unit_of_work)]


async def rfp_settings(runtime: Runtime) -> Settings:
    settings = runtime.settings
    assert isinstance(settings, Settings)
    return settings


RfpConfig = Annotated[Settings, Depends(rfp_settings)]
