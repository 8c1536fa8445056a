"""FastAPI dependencies of the suppliers API."""

from typing import Annotated

from fastapi import Depends

from shared.runtime import Runtime
from suppliers.service.unit_of_work import UnitOfWork


async def unit_of_work(runtime: Runtime) -> UnitOfWork:
    return UnitOfWork(runtime.session_factory, runtime.settings.service_name)


Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
