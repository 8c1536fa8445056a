"""What a person types into a search matches itself: ``%``, ``_`` and the escape character are no
wildcards in ``contains_pattern``'s ILIKE patterns."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from shared.db import LIKE_ESCAPE, contains_pattern


def like_matches(pattern: str, value: str) -> bool:
    """PostgreSQL's ILIKE with ``LIKE_ESCAPE``, as a regular expression (for the property below)."""
    regex, chars = "", iter(pattern)
    for char in chars:
        if char == LIKE_ESCAPE:
            regex += re.escape(next(chars))
        elif char == "%":
            regex += ".*"
        elif char == "_":
            regex += "."
        else:
            regex += re.escape(char)
    return re.fullmatch(regex, value, flags=re.IGNORECASE | re.DOTALL) is not None


def test_wildcards_typed_by_a_person_are_escaped() -> None:
    assert contains_pattern("50%_off\\") == "%50\\%\\_off\\\\%"


@given(st.text(alphabet="ab%_\\", max_size=6), st.text(alphabet="ab%_\\", max_size=10))
def test_a_pattern_matches_exactly_the_values_holding_the_typed_text(typed: str, value: str) -> None:
    assert like_matches(contains_pattern(typed), value) == (typed.lower() in value.lower())
