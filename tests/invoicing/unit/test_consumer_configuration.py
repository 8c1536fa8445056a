"""The invoicing consumers: the topics they read, their groups and the handlers they route to."""

from __future__ import annotations

from pathlib import Path

from invoicing.bootstrap import bootstrap
from invoicing.config import Settings
from portal_dev.testing import Tokens
from shared.contracts import EventPayload
from shared.contracts.identity import OrganisationSettingsChanged
from shared.contracts.matching import MatchingVerdictIssued
from shared.contracts.orders import PURCHASE_ORDER_EVENTS, PurchaseOrderSnapshot
from shared.contracts.suppliers import SUPPLIER_EVENTS


def test_invoicing_consumes_purchase_orders_verdicts_suppliers_and_organisations_with_their_own_groups(
    tmp_path: Path,
) -> None:
    tokens = Tokens(tmp_path)
    runtime = bootstrap(Settings(jwt_public_key_file=tokens.public_key_file, log_format="console"))
    by_topic = {consumer.topic: consumer for consumer in runtime.consumers}
    assert {topic: consumer.group for topic, consumer in by_topic.items()} == {
        "orders.purchase-order.v1": "invoicing.purchase-orders",
        "matching.verdict.v1": "invoicing.verdicts",
        "suppliers.supplier.v1": "invoicing.suppliers",
        "gateway.organisation.v1": "invoicing.organisations",
    }
    po_consumer = by_topic["orders.purchase-order.v1"]
    # Every purchase order snapshot updates the read model; comments and files on POs are not ours.
    for event in PURCHASE_ORDER_EVENTS:
        handled = po_consumer._handler_for(_sample(event)) is not None
        assert handled == issubclass(event, PurchaseOrderSnapshot), event
    assert all(by_topic["suppliers.supplier.v1"]._handler_for(_sample(event)) for event in SUPPLIER_EVENTS)
    assert MatchingVerdictIssued in by_topic["matching.verdict.v1"].handlers
    assert OrganisationSettingsChanged in by_topic["gateway.organisation.v1"].handlers


def test_the_upload_cap_is_a_setting_of_ten_mebibytes_by_default(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert Settings().max_upload_bytes == 10 * 1024 * 1024
    monkeypatch.setenv("INVOICING_MAX_UPLOAD_BYTES", "2048")
    assert Settings().max_upload_bytes == 2048


def _sample(event_type: type[EventPayload]) -> EventPayload:
    return event_type.model_construct()
