"""The due date: proposals are refused after it at request time, and the runtime closes the RFP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal_dev.testing import poll_until
from tests.orders.integration.support import OrdersService
from tests.orders.sourcing.integration.support import Tender, rfp_events


async def test_after_the_due_date_proposals_are_refused_and_the_runtime_closes_the_rfp(orders: OrdersService) -> None:
    tender = await Tender.start(orders, suppliers=2)
    due = datetime.now(UTC) + timedelta(seconds=4)
    rfp = await tender.published([0, 1], due_date=due.isoformat())
    rfp_id = rfp["id"]
    answered = await tender.answered(0, rfp, "1.00", "2.00")
    assert (await tender.answer(1, rfp, "1", "1")).status_code == 200  # a draft, never submitted

    await poll_until(lambda: datetime.now(UTC) > due, timeout_s=10, what="the due date to pass")
    late_submit = await tender.submit(1, rfp)
    assert late_submit.status_code == 409
    assert late_submit.json()["detail"].startswith("the RFP closed at ")
    assert (await tender.answer(0, rfp, "0.50", "0.50")).status_code == 409
    # Requests see the due date whether or not the closing task has run yet.
    assert (await tender.get(tender.buyer, f"/rfps/{rfp_id}")).json()["status"] == "closed"
    assert (await tender.get(tender.buyer, "/rfps/summary")).json() == {"open_rfps": 0}

    async def closed_by_the_task() -> bool:
        return await orders.scalar("SELECT status FROM rfps WHERE id = :id", id=rfp_id) == "closed"

    await poll_until(closed_by_the_task, timeout_s=20, what="the closing task")
    events = await rfp_events(orders, 3)
    assert [e["type"] for e in events] == ["RfpPublished", "ProposalSubmitted", "RfpClosed"]
    assert events[2]["data"]["status"] == "closed"

    # A closed RFP is still awarded to a proposal submitted in time.
    awarded = await tender.post(tender.buyer, f"/rfps/{rfp_id}/award", {"proposal_id": answered["id"]})
    assert awarded.status_code == 200, awarded.text
    assert (await tender.get(tender.buyer, f"/rfps/{rfp_id}")).json()["status"] == "awarded"
