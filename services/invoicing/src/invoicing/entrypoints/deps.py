"""FastAPI dependencies of the invoicing API."""

from typing import Annotated

from fastapi import Depends, Request

from invoicing.service.purchase_order_wait import PurchaseOrderWait
from invoicing.service.unit_of_work import UnitOfWork
from shared.runtime import Runtime


async def unit_of_work(runtime: Runtime) -> UnitOfWork:
    return UnitOfWork(runtime.session_factory, runtime.settings.service_name)


Uow = Annotated[UnitOfWork, Depends(unit_of_work)]


async def purchase_order_wait(request: Request) -> PurchaseOrderWait:
    """The process's one wait for purchase orders not heard of yet (built in ``bootstrap``)."""
    wait: PurchaseOrderWait = request.app.state.purchase_order_wait
    return wait


ArrivalWait = Annotated[PurchaseOrderWait, Depends(purchase_order_wait)]
