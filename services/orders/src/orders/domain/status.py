"""The statuses of a purchase order: the same words as the API's and the events' ``status``."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    draft = "draft"  # the buyer's, not yet sent
    sent = "sent"
    acknowledged = "acknowledged"  # the supplier said it received it
    partially_invoiced = "partially_invoiced"
    fully_invoiced = "fully_invoiced"
    canceled = "canceled"
    closed = "closed"
