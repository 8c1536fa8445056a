"""The supplier hears of the goods the buyer received of its order: which lines, how many, how far."""

from __future__ import annotations

from notifier.domain import messages
from tests.notifier import samples
from tests.notifier.rendered import SUPPLIER, SUPPLIER_ID, TENANT, render


def test_a_goods_receipt_tells_the_supplier_each_line_received_now_and_in_all() -> None:
    po = samples.goods_received(TENANT, SUPPLIER_ID)
    message, plain, html = render(messages.goods_received(po, SUPPLIER))

    assert message["To"] == "sales@acme.example"
    assert message["Subject"] == "Goods received for PO PO-2026-0042"
    assert "Goods receipt: PO-2026-0042-GR2" in plain
    assert "Note:          Pallet 1 of 2" in plain
    assert "1. Hex bolt M8: 400 pcs received (in all 1000 of 1000 ordered)" in plain
    assert "2. Steel plate 2mm: 12.5 m2 received" in plain
    assert f"/purchase-orders/{po.purchase_order_id}" in plain
    assert "PO-2026-0042-GR2" in html and "Steel plate 2mm" in html and "Pallet 1 of 2" in html


def test_a_receipt_without_a_note_says_none_and_its_note_is_escaped() -> None:
    _, plain, _ = render(messages.goods_received(samples.goods_received(TENANT, SUPPLIER_ID, note=None), SUPPLIER))
    assert "Note:" not in plain
    _, _, html = render(messages.goods_received(samples.goods_received(TENANT, SUPPLIER_ID, note="<b>1</b>"), SUPPLIER))
    assert "&lt;b&gt;1&lt;/b&gt;" in html and "<b>1</b>" not in html
