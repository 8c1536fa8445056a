"""Comment excerpts: at most 300 characters, whitespace collapsed, and nothing a mail client could
turn into a link."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifier.domain.excerpts import EXCERPT_LIMIT, LINK_REMOVED, excerpt, without_links

# Independent of the implementation: what must never survive into an email.
_LINKISH = re.compile(
    r"[a-z]://|www[.\u3002\uff0e\uff61]|\b[a-z0-9][a-z0-9-]*\.(com|net|org|example|zip)\b", re.IGNORECASE
)


@pytest.mark.parametrize(
    "written, quoted",
    [
        ("see http://evil.example.com/login now", f"see {LINK_REMOVED} now"),
        ("see https://evil.example.com/login?next=/x#top now", f"see {LINK_REMOVED} now"),
        ("HTTPS://EVIL.EXAMPLE.COM", LINK_REMOVED),
        ("ftp://files.example.org/a.zip", LINK_REMOVED),
        ("go to www.evil.example.", f"go to {LINK_REMOVED}."),
        ("(www.evil.example)", f"({LINK_REMOVED})"),
        ("open evil.example.com/path, please", f"open {LINK_REMOVED}, please"),
        ("open evil.example.com:8443/path", f"open {LINK_REMOVED}"),
        ("bare evil.com", f"bare {LINK_REMOVED}"),
        ("write to bob@evil.com", f"write to bob@{LINK_REMOVED}"),
        ("admin at 192.168.10.1/admin", f"admin at {LINK_REMOVED}"),
        ("unicode пример.рф/путь", f"unicode {LINK_REMOVED}"),
        ("punycode xn--e1afmkfd.xn--p1ai", f"punycode {LINK_REMOVED}"),
        ("ideographic dot evil\u3002com", f"ideographic dot {LINK_REMOVED}"),
        ("glued:https://evil.com/x", f"glued:{LINK_REMOVED}"),
    ],
)
def test_every_kind_of_link_is_replaced_by_a_marker(written: str, quoted: str) -> None:
    assert without_links(written) == quoted


@pytest.mark.parametrize(
    "text",
    [
        "Price 3.50 EUR per piece, version v1.2.3, e.g. 12.5 m2",
        "Deliver on 15.12.2026 at 9.30, i.e. Tuesday",
        "Delivery in two weeks - is that OK?",
    ],
)
def test_numbers_dates_and_abbreviations_are_not_links(text: str) -> None:
    assert without_links(text) == text


def test_whitespace_is_collapsed() -> None:
    assert excerpt("  Dear buyer,\n\n\tthe   bolts\r\nare late.  ") == "Dear buyer, the bolts are late."


def test_a_short_comment_is_quoted_whole() -> None:
    assert excerpt("Fine by us.") == "Fine by us."


def test_a_long_comment_is_cut_at_a_word_to_at_most_300_characters_with_an_ellipsis() -> None:
    text = " ".join(f"word{i}" for i in range(200))
    quoted = excerpt(text)
    assert len(quoted) <= EXCERPT_LIMIT
    assert quoted.endswith("…")
    assert text.startswith(quoted[:-1])
    assert quoted[:-1].split(" ")[-1] in text.split(" ")  # no word cut in half


def test_a_comment_of_exactly_300_characters_is_not_cut() -> None:
    text = "a" * 300
    assert excerpt(text) == text


def test_links_are_removed_before_the_cut_so_a_link_never_survives_half() -> None:
    text = "x " * 140 + "https://evil.example.com/" + "p" * 100
    quoted = excerpt(text)
    assert LINK_REMOVED in quoted and "evil" not in quoted and "http" not in quoted


def test_a_word_cut_in_half_that_reads_as_a_link_is_removed_too() -> None:
    # Whole, "...b.txt2ccc" is no domain; cut after ".txt" it would read as one.
    text = "zzz " + "a" * 290 + "b.txt2" + "c" * 20
    assert without_links(text) == text
    quoted = excerpt(text)
    assert quoted == f"zzz {LINK_REMOVED}…"
    assert len(quoted) <= EXCERPT_LIMIT


def test_a_long_comment_without_spaces_is_scanned_quickly() -> None:
    started = time.perf_counter()
    for text in ("a" * 5000, "a." * 2500, "a-" * 2500, "1." * 2500, "http:" * 1000):
        excerpt(text)
    assert time.perf_counter() - started < 1.0


@given(st.text(max_size=1200))
def test_any_comment_gives_a_short_single_line_link_free_excerpt(text: str) -> None:
    quoted = excerpt(text)
    assert len(quoted) <= EXCERPT_LIMIT
    assert quoted == quoted.strip() and "  " not in quoted and "\n" not in quoted
    assert without_links(quoted) == quoted  # nothing left that reads as a link


_pieces = st.sampled_from(
    ["http://evil.com/x", "https://a.b.example/p?q=1", "www.evil.example", "evil.example.com/path", "see", "the", " "]
)


@given(st.lists(st.one_of(_pieces, st.text(alphabet="ab .:/-\n", max_size=8)), max_size=120))
def test_links_mixed_into_any_text_never_reach_the_excerpt(parts: list[str]) -> None:
    assert not _LINKISH.search(excerpt(" ".join(parts)))
