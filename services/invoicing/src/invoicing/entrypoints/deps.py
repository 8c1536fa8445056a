"""FastAPI dependencies of the invoicing API."""

from typing import Annotated

from fastapi import Depends

from invoicing.config import Settings
from invoicing.service.unit_of_work import UnitOfWork
from shared.runtime import Runtime
from shared.uploads import DEFAULT_MAX_UPLOAD_BYTES


async def unit_of_work(runtime: Runtime) -> UnitOfWork:
    return UnitOfWork(runtime.session_factory, runtime.settings.service_name)


Uow = Annotated[UnitOfWork, Depends(unit_of_work)]


async def upload_limit(runtime: Runtime) -> int:
    settings = runtime.settings
    return settings.max_upload_bytes if isinstance(settings, Settings) else DEFAULT_MAX_UPLOAD_BYTES


UploadLimit = Annotated[int, Depends(upload_limit)]
