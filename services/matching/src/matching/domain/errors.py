"""Errors of the matching service."""

from shared.errors import NotFound


class VerdictNotFound(NotFound):
    default_detail = "no verdict for this invoice"
