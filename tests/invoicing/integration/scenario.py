"""What the other services would send invoicing (purchase orders, verdicts, suppliers,
organisation settings), and reading topics back."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from portal_dev.testing import Tokens, on_cluster, poll_until
from shared.contracts import Envelope, EventPayload
from shared.contracts.identity import OrganisationSettingsChanged
from shared.contracts.matching import MatchingVerdictIssued, VerdictLine
from shared.contracts.orders import PurchaseOrderLineState, PurchaseOrderSnapshot, PurchaseOrderSubmitted
from shared.contracts.suppliers import SupplierCreated, SupplierSnapshot
from shared.money import line_net


@dataclass
class Parties:
    """A buyer tenant with an admin and a PO initiator, and one supplier of it."""

    tokens: Tokens
    tenant_id: uuid.UUID
    supplier_id: uuid.UUID
    initiator_id: uuid.UUID

    @classmethod
    def new(cls, tokens: Tokens) -> Parties:
        return cls(tokens, uuid.uuid4(), uuid.uuid4(), uuid.uuid4())

    @property
    def admin(self) -> dict[str, str]:
        return self.tokens.headers(self.tokens.buyer(self.tenant_id))

    @property
    def initiator(self) -> dict[str, str]:
        return self.tokens.headers(self.tokens.buyer(self.tenant_id, admin=False, user_id=self.initiator_id))

    @property
    def colleague(self) -> dict[str, str]:
        """A buyer user of the same tenant who is not the approver."""
        return self.tokens.headers(self.tokens.buyer(self.tenant_id, admin=False))

    @property
    def supplier(self) -> dict[str, str]:
        return self.tokens.headers(self.tokens.supplier(self.supplier_id))


def purchase_order(
    parties: Parties,
    *lines: tuple[str, str],
    status: str = "sent",
    revision: int = 1,
    po_id: uuid.UUID | None = None,
    event: type[PurchaseOrderSnapshot] = PurchaseOrderSubmitted,
    line_ids: list[uuid.UUID] | None = None,
) -> PurchaseOrderSnapshot:
    """A PO snapshot with lines given as (quantity, unit price)."""
    lines = lines or (("10", "100.00"), ("5", "20.00"))
    ids = line_ids or [uuid.uuid4() for _ in lines]
    states = [
        PurchaseOrderLineState(
            line_id=ids[n],
            line_no=n + 1,
            description=f"item {n + 1}",
            quantity=Decimal(q),
            unit_price=Decimal(p),
            net_amount=line_net(Decimal(q), Decimal(p), "EUR"),
            invoiced_quantity=Decimal(0),
            remaining_quantity=Decimal(q),
        )
        for n, (q, p) in enumerate(lines)
    ]
    return event(
        purchase_order_id=po_id or uuid.uuid4(),
        tenant_id=parties.tenant_id,
        number=f"PO-{uuid.uuid4().hex[:6]}",
        supplier_id=parties.supplier_id,
        supplier_name="Acme Tools",
        currency="EUR",
        status=status,
        initiator_id=parties.initiator_id,
        net_total=sum((s.net_amount for s in states), Decimal(0)),
        lines=states,
        created_at=datetime.now(UTC),
        submitted_at=datetime.now(UTC),
        revision=revision,
        delivery_date=date(2026, 4, 15),
    )


def supplier_snapshot(
    parties: Parties, name: str, *, revision: int = 1, event: type[SupplierSnapshot] = SupplierCreated
) -> SupplierSnapshot:
    return event(
        supplier_id=parties.supplier_id,
        tenant_id=parties.tenant_id,
        name=name,
        email="billing@supplier.example",
        currency="EUR",
        tolerance_rate=Decimal("5"),
        portal_status="active",
        revision=revision,
        updated_at=datetime.now(UTC),
    )


def organisation(
    parties: Parties, revision: int, *, portal: bool = True, issue_date: bool = False, name: str = "Globex Buying"
) -> OrganisationSettingsChanged:
    """The gateway's settings of the parties' buyer organisation."""
    return OrganisationSettingsChanged(
        tenant_id=parties.tenant_id,
        name=name,
        invoice_issue_date_required=issue_date,
        supplier_portal_enabled=portal,
        revision=revision,
        updated_at=datetime.now(UTC),
    )


def verdict_for(invoice: dict[str, Any], outcome: str = "auto_approved", **overrides: Any) -> MatchingVerdictIssued:
    """Matching's verdict on the invoice's current submission, as the API showed the invoice."""
    net = Decimal(invoice["net_total"])
    report = [
        VerdictLine(
            purchase_order_line_id=line["purchase_order_line_id"],
            invoice_line_id=line["id"],
            description=line["description"],
            ordered_quantity=Decimal(line["quantity"]),
            ordered_unit_price=Decimal(line["unit_price"]),
            previously_invoiced_quantity=Decimal(0),
            invoiced_quantity=Decimal(line["quantity"]),
            invoiced_unit_price=Decimal(line["unit_price"]),
            quantity_changed=False,
            price_changed=outcome != "auto_approved",
            new_item=False,
            not_invoiced=False,
        )
        for line in invoice["lines"]
    ]
    fields: dict[str, Any] = {
        "verdict_id": uuid.uuid4(),
        "tenant_id": invoice["tenant_id"],
        "invoice_id": invoice["id"],
        "purchase_order_id": invoice["purchase_order_id"],
        "submission": invoice["submission"],
        "outcome": outcome,
        "reasons": [] if outcome == "auto_approved" else ["over_tolerance"],
        "currency": invoice["currency"],
        "tolerance_rate": Decimal("5"),
        "tolerance_limit": Decimal("55.00"),
        "po_net_total": Decimal("1100.00"),
        "open_net": Decimal("1100.00"),
        "invoice_net_total": net,
        "excess": net - Decimal("1100.00"),
        "lines": report,
        "issued_at": datetime.now(UTC),
    }
    fields.update(overrides)
    return MatchingVerdictIssued(**fields)


def envelope_of(payload: EventPayload) -> Envelope:
    return Envelope.wrap(payload, tenant_id=payload.tenant_id, producer="test")  # type: ignore[attr-defined]


async def publish(producer: AIOKafkaProducer, payload: EventPayload, envelope: Envelope | None = None) -> Envelope:
    envelope = envelope or envelope_of(payload)
    await producer.send_and_wait(
        on_cluster(payload.topic),
        value=envelope.model_dump_json().encode(),
        key=payload.key().encode(),
        headers=[(k, v.encode()) for k, v in envelope.headers().items()],
    )
    return envelope


async def read_topic(bootstrap: str, topic: str, count: int, *, timeout_s: float = 20) -> list[Any]:
    """At least ``count`` records of ``topic`` from its beginning, in partition order.

    Partitions are assigned by hand: no consumer group, so no wait for a group to form.
    """
    topic = on_cluster(topic)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest", fetch_max_wait_ms=20)
    await consumer.start()
    records: list[Any] = []
    try:
        partitions = await poll_until(lambda: consumer.partitions_for_topic(topic), what=f"partitions of {topic}")
        consumer.assign([TopicPartition(topic, p) for p in sorted(partitions)])
        await consumer.seek_to_beginning()

        async def enough() -> bool:
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                records.extend(batch)
            return len(records) >= count

        await poll_until(enough, timeout_s=timeout_s, what=f"{count} records on {topic}")
    finally:
        await consumer.stop()
    return sorted(records, key=lambda r: (r.partition, r.offset))


def events_of(records: list[Any]) -> list[dict[str, Any]]:
    return [json.loads(record.value) for record in records]
