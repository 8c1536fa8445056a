"""An invoice number is one line of text: it names the PDF's file and the emails' subjects, where
a line break would split a header. Refused with 422 at creation and at an edit, never stored."""

from __future__ import annotations

import pytest

from tests.invoicing.integration.conftest import Service
from tests.invoicing.integration.scenario import Parties, purchase_order


@pytest.mark.parametrize("number", ["INV-1\r\nX-Injected: yes", "INV-2\n2", "INV\t3", "INV\u20284"])
async def test_an_invoice_number_with_a_line_break_or_a_control_character_is_refused(
    service: Service, parties: Parties, number: str
) -> None:
    po = purchase_order(parties)
    await service.known_purchase_order(po)
    body = {"purchase_order_id": str(po.purchase_order_id), "number": number}

    refused = await service.client.post("/api/v1/invoices", json=body, headers=parties.supplier)

    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in refused.json()["errors"]] == ["number"]
    created = await service.client.post("/api/v1/invoices", json=body | {"number": "INV-OK"}, headers=parties.supplier)
    assert created.status_code == 201, created.text
    edited = await service.client.patch(
        f"/api/v1/invoices/{created.json()['id']}", json={"number": number}, headers=parties.supplier
    )
    assert edited.status_code == 422 and [e["field"] for e in edited.json()["errors"]] == ["number"]
    pdf = await service.client.get(
        f"/api/v1/invoices/{created.json()['id']}/export?format=pdf", headers=parties.supplier
    )
    assert pdf.status_code == 200 and "INV-OK" in pdf.headers["content-disposition"]
