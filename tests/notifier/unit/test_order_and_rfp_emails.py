"""Emails about changed orders, orders that ignore the supplier's terms, and RFPs."""

from __future__ import annotations

from dataclasses import replace
from uuid import uuid4

from notifier.domain import messages, rfps
from shared.contracts.orders import FieldChange
from tests.notifier import samples
from tests.notifier.rendered import SUPPLIER, SUPPLIER_ID, TENANT, render


def test_changed_po_tells_the_supplier_every_change_and_the_new_total_and_delivery_date() -> None:
    po = samples.purchase_order_changed(
        TENANT,
        SUPPLIER_ID,
        FieldChange(field="delivery_date", before="2026-12-15", after="2027-01-10"),
        FieldChange(field="line 2 quantity", before="12.5", after="13"),
        FieldChange(field="note", before=None, after="Gate 4"),
    )
    message, plain, html = render(messages.purchase_order_changed(po, SUPPLIER))

    assert message["To"] == "sales@acme.example"
    assert message["Subject"] == "Purchase order PO-2026-0042 was changed"
    assert "- delivery_date: 2026-12-15 -> 2027-01-10" in plain
    assert "- line 2 quantity: 12.5 -> 13" in plain
    assert "- note: not set -> Gate 4" in plain
    assert "Delivery date:  2027-01-10" in plain
    assert "Net total:      4,600.00 EUR" in plain
    assert "<strong>delivery_date</strong>: 2026-12-15 -&gt; 2027-01-10" in html
    assert "4,600.00 EUR" in html and "2027-01-10" in html


def test_changed_po_values_are_html_escaped() -> None:
    po = samples.purchase_order_changed(TENANT, SUPPLIER_ID, FieldChange(field="note", before="<i>", after="a & b"))
    _, plain, html = render(messages.purchase_order_changed(po, SUPPLIER))
    assert "- note: <i> -> a & b" in plain
    assert "&lt;i&gt; -&gt; a &amp; b" in html and "<i>" not in html


def test_submitted_po_that_ignores_the_supplier_terms_lists_the_warnings() -> None:
    po = samples.purchase_order(TENANT, SUPPLIER_ID, warnings=samples.terms_warnings())
    message, plain, html = render(messages.purchase_order(po, SUPPLIER, b"%PDF"))

    assert message["Subject"] == "New purchase order PO-2026-0042"
    assert (
        "This order does not meet your terms:\n"
        "- The net total is below your minimum of 5,000.00 EUR\n"
        "- Delivery is sooner than your lead time of 30 days\n"
    ) in plain
    assert "This order does not meet your terms:" in html
    assert "<li>Delivery is sooner than your lead time of 30 days</li>" in html


def test_submitted_po_within_the_terms_says_nothing_about_them() -> None:
    _, plain, html = render(messages.purchase_order(samples.purchase_order(TENANT, SUPPLIER_ID), SUPPLIER, b"%PDF"))
    assert "does not meet your terms" not in plain and "does not meet your terms" not in html


def test_published_rfp_invites_the_supplier_with_lines_and_the_due_date_in_utc() -> None:
    rfp = samples.rfp_published(TENANT, SUPPLIER_ID)
    message, plain, html = render(rfps.rfp_published(rfp, SUPPLIER))

    assert message["To"] == "sales@acme.example"
    assert message["Subject"] == "Request for proposals RFP-000001: Fasteners for 2027"
    assert "1. Hex bolt M8: 5000 pcs" in plain
    assert "2. Washer 8mm: 2500.5\n" in plain  # no unit: none shown
    for body in (plain, html):
        assert "Acme Tools" in body
        assert "2026-12-01 16:00 UTC" in body  # 17:00 at UTC+1
        assert "Hex bolt M8" in body and "Washer 8mm" in body


def test_rfp_title_is_one_line_in_the_subject_and_escaped_in_html() -> None:
    rfp = samples.rfp_published(TENANT, SUPPLIER_ID, title="Bolts <M8>\n& nuts" + " x" * 300)
    draft = rfps.rfp_published(rfp, SUPPLIER)
    message, _, html = render(draft)
    assert "\n" not in draft.subject and len(draft.subject) < 250
    assert message["Subject"].startswith("Request for proposals RFP-000001: Bolts <M8> & nuts x")
    assert "Bolts &lt;M8&gt;\n&amp; nuts" in html


def test_awarded_rfp_tells_the_winner_it_won_and_the_others_only_that_another_supplier_did() -> None:
    loser_id = uuid4()
    winner = replace(SUPPLIER, name="Winner Works", email="win@winner.example")
    loser = replace(SUPPLIER, supplier_id=loser_id, name="Second Best", email="sales@second.example")
    rfp = samples.rfp_awarded(TENANT, winner.supplier_id, loser_id)

    won, won_plain, won_html = render(rfps.rfp_outcome(rfp, winner, samples.BUYER_NAME))
    lost_draft = rfps.rfp_outcome(rfp, loser, samples.BUYER_NAME)
    lost, lost_plain, lost_html = render(lost_draft)

    assert (won["To"], won["Subject"]) == ("win@winner.example", "You won RFP-000001 from Globex Buying")
    assert (lost["To"], lost["Subject"]) == (
        "sales@second.example",
        "RFP-000001 was awarded to another supplier by Globex Buying",
    )
    assert "Your proposal won" in won_plain and "Fasteners for 2027" in won_html
    assert "Globex Buying will send you a purchase order for it." in won_plain
    assert "was awarded to another supplier" in lost_plain and "Fasteners for 2027" in lost_html
    assert "Thank you for your proposal." in lost_plain and "Thank you for your proposal." in lost_html
    # The losers' email is drafted without the winner: nothing of it can show.
    assert set(lost_draft.context) == {"number", "title", "supplier_name", "buyer_name", "proposal_submitted"}
    for body in (lost_plain, lost_html, lost.as_string()):
        assert "Winner Works" not in body and str(winner.supplier_id) not in body


def test_every_participant_is_told_once_the_winner_first_even_if_missing_from_the_list() -> None:
    winner, first, second = uuid4(), uuid4(), uuid4()
    rfp = samples.rfp_awarded(TENANT, winner, first, second, participant_ids=[first, winner, second, first])
    assert rfps.rfp_participants(rfp) == [winner, first, second]
    missing = samples.rfp_awarded(TENANT, winner, first, participant_ids=[first])
    assert rfps.rfp_participants(missing) == [winner, first]
