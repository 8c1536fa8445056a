"""FastAPI dependencies of the purchase orders API."""

from typing import Annotated

from fastapi import Depends

from orders.config import Settings
from orders.service.unit_of_work import UnitOfWork
from shared.runtime import Runtime
from shared.uploads import DEFAULT_MAX_UPLOAD_BYTES


async def unit_of_work(runtime: Runtime) -> UnitOfWork:
    return UnitOfWork(runtime.session_factory, runtime.settings.service_name)


async def max_upload_bytes(runtime: Runtime) -> int:
    settings = runtime.settings
    return settings.max_upload_bytes if isinstance(settings, Settings) else DEFAULT_MAX_UPLOAD_BYTES


Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
MaxUploadBytes = Annotated[int, Depends(max_upload_bytes)]
