"""The invoicing consumers: the topics they read, their groups and the handlers they route to."""

from __future__ import annotations

from pathlib import Path

from invoicing.bootstrap import bootstrap
from invoicing.config import Settings
from shared.contracts.matching import MatchingVerdictIssued
from shared.contracts.orders import PURCHASE_ORDER_EVENTS
from shared.testing import Tokens


def test_invoicing_consumes_purchase_orders_and_verdicts_with_their_own_groups(tmp_path: Path) -> None:
    tokens = Tokens(tmp_path)
    runtime = bootstrap(Settings(jwt_public_key_file=tokens.public_key_file, log_format="console"))
    by_topic = {consumer.topic: consumer for consumer in runtime.consumers}
    assert set(by_topic) == {"orders.purchase-order.v1", "matching.verdict.v1"}
    assert by_topic["orders.purchase-order.v1"].group == "invoicing.purchase-orders"
    assert by_topic["matching.verdict.v1"].group == "invoicing.verdicts"
    po_consumer = by_topic["orders.purchase-order.v1"]
    # Every purchase order event updates the read model.
    assert all(po_consumer._handler_for(_sample(event)) is not None for event in PURCHASE_ORDER_EVENTS)
    assert MatchingVerdictIssued in by_topic["matching.verdict.v1"].handlers


def _sample(event_type: type) -> object:
    return event_type.model_construct()
