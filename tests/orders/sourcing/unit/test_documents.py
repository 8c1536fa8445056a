"""The buyer's documents on its request: added while the suppliers may still act on them."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from orders.sourcing.domain.attachment import attach_document
from orders.sourcing.domain.errors import RfpStateConflict
from tests.orders.sourcing.unit.builders import DUE, NOW, draft_rfp, published_rfp

PDF = b"%PDF-1.4\ndrawing\n%%EOF"


def test_a_document_is_attached_to_a_draft_and_to_an_open_request() -> None:
    for rfp in (draft_rfp(), published_rfp()):
        buyer = uuid4()
        document = attach_document(
            rfp, filename="drawing.pdf", content_type="application/pdf", content=PDF, uploaded_by=buyer, now=NOW
        )
        assert (document.rfp_id, document.filename, document.size, document.uploaded_by, document.created_at) == (
            rfp.id,
            "drawing.pdf",
            len(PDF),
            buyer,
            NOW,
        )
        assert document.content == PDF
        assert rfp.events == []  # nothing is published for a document


def test_a_request_past_its_due_date_takes_no_more_documents_even_before_it_is_closed() -> None:
    rfp = published_rfp()
    with pytest.raises(RfpStateConflict, match="closed"):
        attach_document(
            rfp, filename="late.pdf", content_type="application/pdf", content=PDF, uploaded_by=uuid4(), now=DUE
        )


def test_a_closed_or_awarded_request_takes_no_more_documents() -> None:
    closed = published_rfp()
    assert closed.close_if_due(DUE + timedelta(minutes=1))
    awarded = published_rfp()
    awarded.award(
        proposal_id=uuid4(), supplier_id=awarded.supplier_ids[0], purchase_order_id=uuid4(), participant_ids=[], now=NOW
    )
    for rfp in (closed, awarded):
        with pytest.raises(RfpStateConflict, match="documents are added while it is a draft or open"):
            attach_document(
                rfp, filename="x.pdf", content_type="application/pdf", content=PDF, uploaded_by=uuid4(), now=NOW
            )
