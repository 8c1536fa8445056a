"""Errors of the matching service."""

from shared.errors import NotFound


class VerdictNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no verdict for this invoice")
