"""FastAPI dependencies of the purchase orders API."""

from typing import Annotated

from fastapi import Depends

from orders.service.unit_of_work import UnitOfWork
from shared.runtime import Runtime


async def unit_of_work(runtime: Runtime) -> UnitOfWork:
    return UnitOfWork(runtime.session_factory, runtime.settings.service_name)


Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
