"""The settings form of matching's defaults, apart from any page: the organisation's default
tolerance and three-way matching as the form shows them, and the API's PATCH made of what was posted.

What was typed is kept as typed (trimmed), so a form the API refuses shows it again unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from web.domain.numbers import plain_number


@dataclass
class MatchingForm:
    default_tolerance_rate: str = "0"
    # Empty: no default amount (the rate alone sets the limit).
    default_tolerance_amount: str = ""
    three_way_matching: bool = False

    @classmethod
    def of_settings(cls, settings: Mapping[str, Any]) -> MatchingForm:
        return cls(
            default_tolerance_rate=plain_number(settings.get("default_tolerance_rate")) or "0",
            default_tolerance_amount=plain_number(settings.get("default_tolerance_amount"), places=2),
            three_way_matching=settings.get("three_way_matching") is True,
        )

    @classmethod
    def of_form(cls, form: Mapping[str, Any]) -> MatchingForm:
        def typed(name: str) -> str:
            return str(form.get(name) or "").strip()

        return cls(
            default_tolerance_rate=typed("default_tolerance_rate").replace(",", "."),
            default_tolerance_amount=typed("default_tolerance_amount"),
            three_way_matching=form.get("three_way_matching") == "yes",
        )

    def changes(self) -> dict[str, Any]:
        """The API's PATCH: an emptied rate is 0 % (no tolerance), an emptied amount none; what is
        not a number goes as typed, for the API to say why."""
        return {
            "default_tolerance_rate": self.default_tolerance_rate or "0",
            "default_tolerance_amount": self.default_tolerance_amount or None,
            "three_way_matching": self.three_way_matching,
        }
