"""The name a download is saved under: plain when it is plain ASCII, in UTF-8 beside a stand-in
otherwise, and never a header a name could break out of."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.uploads import content_disposition, download


@pytest.mark.parametrize("name", ["PO-000001.pdf", "INV-2026-7.pdf", "offer (final).xlsx"])
def test_a_plain_ascii_name_is_given_as_it_is(name: str) -> None:
    assert content_disposition(name) == f'attachment; filename="{name}"'


@pytest.mark.parametrize(
    ("name", "stand_in", "utf8"),
    [
        ("Lieferschein März.pdf", "Lieferschein M_rz.pdf", "Lieferschein%20M%C3%A4rz.pdf"),
        ('say "hi".txt', "say 'hi'.txt", "say%20%22hi%22.txt"),
        ("back\\slash.txt", "back_slash.txt", "back%5Cslash.txt"),
        ("two\nlines.txt", "two_lines.txt", "two%0Alines.txt"),
    ],
)
def test_any_other_name_has_an_ascii_stand_in_and_its_utf8_form(name: str, stand_in: str, utf8: str) -> None:
    assert content_disposition(name) == f"attachment; filename=\"{stand_in}\"; filename*=UTF-8''{utf8}"


@given(st.text(max_size=60))
def test_no_name_ends_the_quoted_name_early_or_breaks_the_header(name: str) -> None:
    header = content_disposition(name)
    quoted = header.removeprefix('attachment; filename="').split('"', 1)[0]
    assert header.startswith(f'attachment; filename="{quoted}"')
    assert header.isascii() or header == f'attachment; filename="{name}"'
    assert "\n" not in header and "\r" not in header


def test_a_download_says_its_type_and_forbids_sniffing() -> None:
    response = download("PO-000001.xlsx", "application/pdf", b"%PDF-1.7")
    assert response.body == b"%PDF-1.7"
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"] == 'attachment; filename="PO-000001.xlsx"'
