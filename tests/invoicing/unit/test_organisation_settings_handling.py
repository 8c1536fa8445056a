"""The organisation settings use case against in-memory read models: the switch-off deletes
suppliers' drafts once, an older snapshot changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from invoicing.domain.read_models import OrganisationSettings
from invoicing.service import read_models
from shared.contracts.identity import OrganisationSettingsChanged


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.organisations = self._Organisations()
        self.invoices = self._Invoices()

    class _Organisations:
        def __init__(self) -> None:
            self.rows: dict[UUID, OrganisationSettings] = {}

        async def find(self, tenant_id: UUID, **_: Any) -> OrganisationSettings | None:
            return self.rows.get(tenant_id)

        async def upsert(self, settings: OrganisationSettings) -> bool:
            stored = self.rows.get(settings.tenant_id)
            if stored is not None and stored.revision >= settings.revision:
                return False
            self.rows[settings.tenant_id] = settings
            return True

    class _Invoices:
        def __init__(self) -> None:
            self.deletions: list[UUID] = []

        async def delete_supplier_drafts(self, tenant_id: UUID) -> int:
            self.deletions.append(tenant_id)
            return 0


TENANT = uuid4()


def changed(revision: int, *, portal: bool, issue_date: bool = False) -> OrganisationSettingsChanged:
    return OrganisationSettingsChanged(
        tenant_id=TENANT,
        name="Globex",
        invoice_issue_date_required=issue_date,
        supplier_portal_enabled=portal,
        revision=revision,
        updated_at=datetime.now(UTC),
    )


async def test_switching_the_portal_off_deletes_supplier_drafts_once() -> None:
    uow = FakeUnitOfWork()
    await read_models.record_organisation_settings(uow, changed(1, portal=True))  # type: ignore[arg-type]
    assert uow.invoices.deletions == []
    await read_models.record_organisation_settings(uow, changed(2, portal=False))  # type: ignore[arg-type]
    await read_models.record_organisation_settings(uow, changed(3, portal=False, issue_date=True))  # type: ignore[arg-type]
    assert uow.invoices.deletions == [TENANT]
    assert uow.organisations.rows[TENANT].invoice_issue_date_required is True


async def test_a_first_event_with_the_portal_off_is_a_switch_off() -> None:
    uow = FakeUnitOfWork()
    await read_models.record_organisation_settings(uow, changed(4, portal=False))  # type: ignore[arg-type]
    assert uow.invoices.deletions == [TENANT]


async def test_an_older_snapshot_neither_overwrites_nor_deletes() -> None:
    uow = FakeUnitOfWork()
    await read_models.record_organisation_settings(uow, changed(5, portal=True))  # type: ignore[arg-type]
    await read_models.record_organisation_settings(uow, changed(4, portal=False))  # type: ignore[arg-type]
    assert uow.invoices.deletions == []
    assert uow.organisations.rows[TENANT].supplier_portal_enabled is True
