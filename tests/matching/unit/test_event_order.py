"""Whatever the order in which independent events reach matching, its verdicts end the same
(MATCHING.md, Three-way matching; Order and determinism).

Matching consumes the orders topic (a PO's states, each receipt a newer one) and the invoices topic
(submissions, credit notes approved) in separate consumers; the two streams interleave however the
broker delivers them, and a consumer may read a stretch of its stream again. ``Consumers`` holds
matching's read models in memory and applies each event as the service's handlers do, with the
same rules (``match_invoice``, ``possible_duplicates``, ``rematch_on_receipt``): store a newer PO
and match again the invoices held only for receipts; skip a submission already judged; match again
when a credit note gives back. The property: over random orders, invoices, credit notes and
receipts, every interleaving of the two streams, each with a stretch delivered again, ends with
each invoice's outcome as in the interleaving where every receipt came first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.domain.matching import match_invoice, possible_duplicates, rematch_on_receipt
from matching.domain.model import Invoice, PurchaseOrder, TolerancePolicy
from matching.domain.verdict import IssuedVerdict, Verdict
from tests.matching.unit.documents import credit_note, invoice, order, received

# A stream's event: ("po", PurchaseOrder) on the orders topic; ("submitted" | "changed", Invoice)
# on the invoices topic.
Event = tuple[str, Any]


@dataclass
class Consumers:
    tolerance: TolerancePolicy
    po: PurchaseOrder | None = None
    invoices: dict[uuid.UUID, Invoice] = field(default_factory=dict)
    received_seq: dict[uuid.UUID, int] = field(default_factory=dict)
    # (invoice id, submission) → the verdicts issued on it: the first, then a re-match.
    verdicts: dict[tuple[uuid.UUID, int], list[tuple[uuid.UUID, Verdict]]] = field(default_factory=dict)

    def deliver(self, event: Event) -> None:
        kind, payload = event
        if kind == "po":
            self._on_purchase_order(payload)
        elif kind == "submitted":
            self._on_submitted(payload)
        else:
            self._on_changed(payload)

    def _on_purchase_order(self, po: PurchaseOrder) -> None:
        if self.po is not None and po.revision < self.po.revision:
            return  # an older state: ignored
        self.po = po
        if po.match_against_receipts:
            self._rematch()

    def _on_submitted(self, billed: Invoice) -> None:
        assert self.po is not None  # the service retries until the PO is known
        if (billed.id, billed.submission) in self.verdicts:
            return  # judged already: the verdict issued stands
        self.received_seq[billed.id] = len(self.received_seq) + 1
        self.invoices[billed.id] = billed
        duplicates = possible_duplicates(billed, [i for i in self.invoices.values() if i.id != billed.id])
        verdict = match_invoice(self.po, self._before(billed), billed, self.tolerance, duplicates)
        self.verdicts[(billed.id, billed.submission)] = [(uuid.uuid4(), verdict)]

    def _on_changed(self, changed: Invoice) -> None:
        stored = self.invoices.get(changed.id)
        if stored is None or changed.revision >= stored.revision:
            self.invoices[changed.id] = changed
        if not changed.bills and self.po is not None and self.po.match_against_receipts:
            self._rematch()

    def _rematch(self) -> None:
        assert self.po is not None
        for invoice_id in sorted(self.received_seq, key=self.received_seq.__getitem__):
            billed = self.invoices[invoice_id]
            issued = self.verdicts[(billed.id, billed.submission)]
            (verdict_id, first), *again = issued
            if again or billed.status not in ("matching", "pending") or not first.needs_approval:
                continue
            held = IssuedVerdict(verdict_id, billed.id, first.reasons, first.tolerance)
            verdict = rematch_on_receipt(self.po, self._before(billed), billed, held)
            if verdict is not None:
                issued.append((uuid.uuid4(), verdict))

    def _before(self, billed: Invoice) -> list[Invoice]:
        seq = self.received_seq[billed.id]
        return [self.invoices[i] for i, s in self.received_seq.items() if s < seq]

    def final(self) -> dict[uuid.UUID, str]:
        """Each invoice's outcome: that of its last verdict. (An invoice approved on a re-match shows
        the figures of that moment: credit notes approved since may have grown its open net.)"""
        return {invoice_id: issued[-1][1].outcome for (invoice_id, _), issued in self.verdicts.items()}


@st.composite
def histories(draw: st.DrawFn) -> tuple[TolerancePolicy, list[Event], list[Event]]:
    """A PO matched against receipts, its receipts (each a newer state, never fewer received) and
    its invoices topic: submissions of invoices (numbers that may repeat) and credit notes approved."""
    quantities = draw(st.lists(st.integers(1, 12), min_size=1, max_size=3))
    po = order(*((str(q), "10.00") for q in quantities), received=tuple("0" for _ in quantities))
    states = [("po", po)]
    arrived = [0] * len(quantities)
    for revision in range(2, 2 + draw(st.integers(1, 3))):
        arrived = [a + draw(st.integers(0, q)) for a, q in zip(arrived, quantities, strict=True)]
        states.append(("po", received(po, *map(str, arrived), revision=revision)))
    invoices_topic: list[Event] = []
    billed: list[Invoice] = []
    approvals: list[Invoice] = []
    for _ in range(draw(st.integers(1, 4))):
        rows = [(line, str(draw(st.integers(0, 6))), "10.00") for line in po.lines]
        rows = [row for row in rows if row[1] != "0"] or [(po.lines[0], "1", "10.00")]
        one = invoice(po, *rows, number=draw(st.sampled_from(["A-1", "a 1", "B-2", "C-3", "D-4"])))  # type: ignore[arg-type]
        invoices_topic.append(("submitted", one))
        billed.append(one)
        if draw(st.booleans()):
            credited = draw(st.sampled_from(billed))
            line = credited.lines[0]
            credit = credit_note(credited, (line, str(draw(st.integers(1, int(line.quantity)))), "10.00"))
            invoices_topic.append(("submitted", credit))
            approvals.append(replace(credit, status="approved", revision=2))
    # A credit note is approved some time after its submission, maybe after later invoices.
    for approved in approvals:
        submitted = next(n for n, (_, sent) in enumerate(invoices_topic) if sent.id == approved.id)
        invoices_topic.insert(draw(st.integers(submitted + 1, len(invoices_topic))), ("changed", approved))
    tolerance = TolerancePolicy(
        draw(st.sampled_from([None, Decimal(0), Decimal(5)])), draw(st.sampled_from([None, Decimal(20)]))
    )
    return tolerance, states, invoices_topic


def redelivered(stream: list[Event], start: int, length: int) -> list[Event]:
    """``stream`` with the stretch from ``start`` read again right after it, as after a restart."""
    end = min(len(stream), start + length)
    return stream[:end] + stream[start:end] + stream[end:]


def run(tolerance: TolerancePolicy, events: list[Event]) -> dict[uuid.UUID, str]:
    consumers = Consumers(tolerance)
    for event in events:
        consumers.deliver(event)
    return consumers.final()


@settings(max_examples=200, deadline=None)
@given(histories(), st.data())
def test_verdicts_end_the_same_whatever_the_interleaving_and_redeliveries(
    history: tuple[TolerancePolicy, list[Event], list[Event]], data: st.DataObject
) -> None:
    tolerance, orders_topic, invoices_topic = history
    receipts_first = run(tolerance, orders_topic + invoices_topic)

    first, *later_states = orders_topic  # a submission waits for its PO: the PO's first state comes first
    orders_stream = redelivered(
        later_states, data.draw(st.integers(0, len(later_states))), data.draw(st.integers(0, 3))
    )
    invoices_stream = redelivered(
        invoices_topic, data.draw(st.integers(0, len(invoices_topic))), data.draw(st.integers(0, 3))
    )
    # Each topic in its own order; which of the two comes next is the broker's choice.
    turns = data.draw(st.permutations([True] * len(orders_stream) + [False] * len(invoices_stream)))
    o, i = iter(orders_stream), iter(invoices_stream)
    interleaved = [first] + [next(o) if from_orders else next(i) for from_orders in turns]

    assert run(tolerance, interleaved) == receipts_first


def test_an_invoice_matched_before_its_receipts_is_approved_once_they_arrive() -> None:
    po = order(("10", "10.00"), received=("0",))
    billed = invoice(po, (po.lines[0], "10", "10.00"))
    consumers = Consumers(TolerancePolicy(rate=Decimal(5)))
    for event in [("po", po), ("submitted", billed), ("po", received(po, "10")), ("po", received(po, "10"))]:
        consumers.deliver(event)

    outcomes = [v.outcome for _, v in consumers.verdicts[(billed.id, 1)]]
    assert outcomes == ["needs_approval", "auto_approved"]


def test_a_credit_note_approved_after_the_receipts_matches_again_what_it_now_leaves_received() -> None:
    """The credit note was submitted before the second invoice and approved after it: once approved it
    gives back what the second invoice found billed, as a receipt would add to what arrived."""
    po = order(("10", "10.00"), received=("0",))
    first = invoice(po, (po.lines[0], "10", "10.00"), number="A-1")
    credit = credit_note(first, (first.lines[0], "4", "10.00"))
    second = invoice(po, (po.lines[0], "4", "10.00"), number="B-2")
    invoices_topic: list[Event] = [
        ("submitted", first),
        ("submitted", credit),
        ("submitted", second),
        ("changed", replace(credit, status="approved", revision=2)),
    ]
    tolerance = TolerancePolicy(rate=Decimal(50))
    receipts_first = run(tolerance, [("po", po), ("po", received(po, "10")), *invoices_topic])
    receipts_last = run(tolerance, [("po", po), *invoices_topic, ("po", received(po, "10"))])

    assert receipts_first[second.id] == receipts_last[second.id] == "auto_approved"
