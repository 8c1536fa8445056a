"""HTTP API of comments and attachments on purchase orders."""

from __future__ import annotations

from orders.entrypoints.deps import unit_of_work
from orders.service import collaboration
from shared.collaboration_api import conversation_router

router = conversation_router(
    "/api/v1/purchase-orders/{order_id}",
    "order_id",
    use_cases=collaboration.conversation,
    unit_of_work=unit_of_work,
    tag="purchase order comments and attachments",
    page_size=50,
    told="Comment on the order; the other side is told (``PurchaseOrderCommentAdded``) once it is sent.",
)
