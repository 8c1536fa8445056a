"""The statuses of an invoice: the same words as the API's and the events' ``status``."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    draft = "draft"  # written, not yet submitted (or written again after a rejection: see rejected)
    matching = "matching"  # submitted, waiting for matching's verdict
    pending = "pending"  # the verdict asks for a person's approval
    approved = "approved"
    rejected = "rejected"  # its supplier may change it and submit it again
    canceled = "canceled"
    partly_paid = "partly_paid"
    paid = "paid"
