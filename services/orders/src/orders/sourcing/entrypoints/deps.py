"""FastAPI dependencies of the RFP API: its unit of work (the upload cap is orders' ``MaxUploadBytes``)."""

from typing import Annotated

from fastapi import Depends

from orders.sourcing.service.unit_of_work import RfpUnitOfWork
from shared.runtime import Runtime


async def rfp_unit_of_work(runtime: Runtime) -> RfpUnitOfWork:
    return RfpUnitOfWork(runtime.session_factory, runtime.settings.service_name)


RfpUow = Annotated[RfpUnitOfWork, Depends(rfp_unit_of_work)]
