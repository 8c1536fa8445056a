"""Single-use links sealed to the notifier's key: what may be kept shows no token, only that key
opens the sealed link, and an email's text gets the whole link without its headers changing."""

from __future__ import annotations

import stat
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP, default
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.sealed_links import (
    WITHHELD,
    LinkNotOpened,
    LinkOpener,
    LinkSealer,
    ensure_link_keys,
    new_link_keys,
    provision_link_keys,
    rewrite_text,
    withheld,
    withhold_in_message,
    withhold_tokens,
)

PRIVATE, PUBLIC = new_link_keys()
SEALER = LinkSealer("https://portal.example/", PUBLIC)
OPENER = LinkOpener(PRIVATE)
TOKEN = "Qx7Lr2vN8kTz4Wm1Pb6Yc3Hd9Fs5Jg0Ae-_Bn7Ut2Ko"


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=64))
def test_a_sealed_link_opens_to_the_whole_link_and_neither_form_kept_shows_the_token(token: str) -> None:
    link = SEALER.link("invitations", token)
    assert link.shown == f"https://portal.example/invitations/{WITHHELD}"
    assert OPENER.open(link.sealed) == f"https://portal.example/invitations/{token}"


def test_every_seal_differs_and_only_the_notifiers_key_opens_one() -> None:
    first, second = SEALER.link("password-reset", TOKEN), SEALER.link("password-reset", TOKEN)
    assert first.sealed != second.sealed  # a fresh key per seal: equal links cannot be told equal
    other_private, _ = new_link_keys()
    with pytest.raises(LinkNotOpened):
        LinkOpener(other_private).open(first.sealed)


def test_a_changed_or_made_up_sealed_link_is_refused() -> None:
    sealed = SEALER.link("email-change", TOKEN).sealed
    flipped = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    for bad in (flipped, sealed[:-10], "hpke1.", "not sealed", f"https://portal.example/email-change/{TOKEN}"):
        with pytest.raises(LinkNotOpened):
            OPENER.open(bad)


def test_a_key_of_the_wrong_kind_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match="X25519"):
        LinkSealer("https://p.example", PRIVATE)
    with pytest.raises(ValueError, match="missing"):
        LinkOpener.from_file(Path("/nonexistent/link-private.pem"))


def test_the_key_pair_is_made_once_and_the_private_key_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    private, public = ensure_link_keys(tmp_path)
    first = private.read_bytes()
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert ensure_link_keys(tmp_path) == (private, public) and private.read_bytes() == first
    sealed = LinkSealer.from_file("https://p.example", public).link("invitations", TOKEN).sealed
    assert LinkOpener.from_file(private).open(sealed) == f"https://p.example/invitations/{TOKEN}"


def test_a_deployment_gets_the_opening_key_in_its_own_place_and_the_public_half_beside_the_others(
    tmp_path: Path,
) -> None:
    opening, public = tmp_path / "links", tmp_path / "keys"
    provision_link_keys(opening, public)
    provision_link_keys(opening, public)  # every start: the same pair
    assert stat.S_IMODE((opening / "link-private.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE((public / "link-public.pem").stat().st_mode) == 0o644
    assert not (public / "link-private.pem").exists()
    sealed = LinkSealer.from_file("https://p.example", public / "link-public.pem").link("invitations", TOKEN).sealed
    assert LinkOpener.from_file(opening / "link-private.pem").open(sealed).endswith(TOKEN)


def test_withholding_replaces_the_last_segment_of_a_link_and_the_token_of_every_link_in_text() -> None:
    assert withheld(f"https://p.example/invitations/{TOKEN}") == f"https://p.example/invitations/{WITHHELD}"
    assert withheld(f"https://p.example/x/{TOKEN}?a=1") == f"https://p.example/x/{WITHHELD}?a=1"
    text = f"Open https://p.example/password-reset/{TOKEN}\nor /email-change/{TOKEN}; /orders/{TOKEN} stays"
    assert withhold_tokens(text) == (
        f"Open https://p.example/password-reset/{WITHHELD}\nor /email-change/{WITHHELD}; /orders/{TOKEN} stays"
    )


def email(url: str) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "portal@p.example", "zoë@acme.example", "Invitation"
    message["Message-ID"] = "<e1@p.example>"
    message.set_content(f"Dear Zoë,\n\naccept here:\n{url}\n\n" + "long line " * 20)
    message.add_alternative(f'<p>Dear Zoë, <a href="{url}">{url}</a> &amp; more</p>', subtype="html")
    return message.as_bytes(policy=SMTP)


def parts(message: bytes) -> tuple[EmailMessage, str, str]:
    parsed = message_from_bytes(message, policy=default)
    assert isinstance(parsed, EmailMessage)
    plain, html = (part.get_content().replace("\r\n", "\n") for part in parsed.iter_parts())
    return parsed, plain, html


def test_the_email_sent_has_the_whole_link_in_both_parts_and_the_same_headers() -> None:
    link = SEALER.link("invitations", TOKEN)
    kept = email(link.shown)
    sent = rewrite_text(kept, {link.shown: OPENER.open(link.sealed)})
    parsed, plain, html = parts(sent)
    whole = f"https://portal.example/invitations/{TOKEN}"
    assert f"\n{whole}\n" in plain and f'href="{whole}"' in html and WITHHELD not in plain + html
    assert "Dear Zoë" in plain and "&amp; more" in html
    before, _, _ = parts(kept)
    assert [(k, v) for k, v in parsed.items()] == [(k, v) for k, v in before.items()]
    assert all("MIME-Version" not in part for part in parsed.iter_parts()) and b"\r\r" not in sent


def test_an_email_stored_with_its_link_whole_is_kept_with_the_token_withheld() -> None:
    message = email(f"https://portal.example/invitations/{TOKEN}")
    _, plain, html = parts(withhold_in_message(message))
    assert TOKEN not in plain + html and f"/invitations/{WITHHELD}" in plain and f"/invitations/{WITHHELD}" in html
    other = email("https://portal.example/orders/42")
    assert withhold_in_message(other) == other
