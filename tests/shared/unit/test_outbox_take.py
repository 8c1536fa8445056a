"""A unit of work moves what an aggregate recorded into its outbox once, in order."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from shared.contracts.identity import OrganisationSettingsChanged
from shared.outbox import Outbox


def settings_changed(enabled: bool) -> OrganisationSettingsChanged:
    return OrganisationSettingsChanged(
        tenant_id=uuid4(),
        name="Buyer",
        supplier_portal_enabled=enabled,
        invoice_issue_date_required=False,
        revision=1,
        updated_at=datetime(2026, 12, 6, tzinfo=UTC),
    )


def test_taken_events_keep_their_order_and_the_tenant_and_leave_the_aggregate_empty() -> None:
    outbox = Outbox(None, "tests")  # type: ignore[arg-type]  # no flush: no session needed
    tenant = uuid4()
    recorded = [settings_changed(True), settings_changed(False)]
    first, second = recorded

    outbox.take(recorded, tenant_id=tenant)
    outbox.take(recorded, tenant_id=tenant)  # saved a second time: nothing more

    assert recorded == []
    assert [envelope.data for envelope in outbox.pending] == [
        first.model_dump(mode="json"),
        second.model_dump(mode="json"),
    ]
    assert {envelope.tenant_id for envelope in outbox.pending} == {tenant}
    assert {envelope.producer for envelope in outbox.pending} == {"tests"}
