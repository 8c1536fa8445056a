"""Effects of consumed events that keep the notifier's copies of other services' data: the
supplier records, the portal users and the buyer organisations that emails go to and speak of.
Each runs inside the unit of work its consumer opened (after its inbox check), which commits."""

from __future__ import annotations

from notifier.domain.read_models import BuyerOrganisation, PortalUser, SupplierContact
from notifier.service.unit_of_work import UnitOfWork
from shared.contracts.identity import OrganisationSettingsChanged, UserSnapshot
from shared.contracts.suppliers import SupplierSnapshot
from shared.fields import made_of


async def remember_supplier(uow: UnitOfWork, snapshot: SupplierSnapshot) -> None:
    contacts = tuple(c.model_dump(mode="json") for c in snapshot.contacts)
    await uow.directory.upsert_supplier(made_of(SupplierContact, snapshot, contacts=contacts))


async def remember_user(uow: UnitOfWork, snapshot: UserSnapshot) -> None:
    await uow.directory.upsert_user(made_of(PortalUser, snapshot))


async def remember_organisation(uow: UnitOfWork, snapshot: OrganisationSettingsChanged) -> None:
    await uow.directory.upsert_organisation(
        BuyerOrganisation(tenant_id=snapshot.tenant_id, name=snapshot.name, revision=snapshot.revision)
    )
