"""Link-free excerpts of what people wrote (comments), safe to quote in an email from the portal.

A portal email is trusted by its reader; a link someone typed into a comment must not borrow
that trust (phishing). So anything a mail client could turn into a link — ``scheme://...``,
``www....``, a bare domain such as ``evil.example.com/path`` or an IPv4 address — becomes
``[link removed]``. The rule errs on the side of removing: ``report.pdf`` reads like a domain
too (``.pdf`` is no TLD, but ``.zip`` and ``.mov`` are), and it goes.
"""

from __future__ import annotations

import re

LINK_REMOVED = "[link removed]"
EXCERPT_LIMIT = 300
_ELLIPSIS = "…"

# Dots that browsers and mail clients accept between labels, not only the ASCII one.
_DOT_CHARS = ".\u3002\uff0e\uff61"
_DOTS = f"[{_DOT_CHARS}]"
# Each pattern is linear: a possessive run that may only start where a word starts, so a long
# comment without spaces cannot make the scan quadratic.
_SCHEME_OR_WWW = re.compile(rf"(?<![a-z0-9+-])[a-z0-9+-]++://\S*|(?<![^\W_])www{_DOTS}\S*", re.IGNORECASE)
_DOTTED_WORD = re.compile(rf"[\w\-{_DOT_CHARS}]++")
_AFTER_HOST = re.compile(r"(?::\d+)?(?:[/?#]\S*)?")
_DOT = re.compile(_DOTS)
_ALNUM = re.compile(r"[^\W_]")
_HYPHEN = re.compile(r"[-_]")
_CLOSING = _DOT_CHARS + ",;:!?)]}>'\"»"


def _is_top_level(label: str) -> bool:
    # Letters only (``v1.2`` and ``3.50`` are no domains), or an internationalised ``xn--`` one.
    # What follows a hyphen is ignored: a client may well link ``evil.zip`` in ``evil.zip-now``.
    letters = _HYPHEN.split(label, maxsplit=1)[0]
    return (len(letters) >= 2 and letters.isalpha()) or label.lower().startswith("xn--")


def _names_a_host(word: str) -> bool:
    """``a.b`` with a letters-only last label, or four numbers in a row (IPv4)."""
    labels = _DOT.split(word)
    for i in range(1, len(labels)):
        if _is_top_level(labels[i]) and _ALNUM.search(labels[i - 1]):
            return True
        if i >= 3 and all(label.isdigit() and len(label) <= 3 for label in labels[i - 3 : i + 1]):
            return True
    return False


def _removed(link: str) -> str:
    """The marker, keeping punctuation that closes the sentence or a bracket around the link."""
    return LINK_REMOVED + link[len(link.rstrip(_CLOSING)) :]


def _without_hosts(text: str) -> str:
    kept: list[str] = []
    position = 0
    # Searching on from where the last link ended: its port or path may end inside a word.
    scan_from = 0
    while word := _DOTTED_WORD.search(text, scan_from):
        scan_from = word.end()
        if not _names_a_host(word.group()):
            continue
        after = _AFTER_HOST.match(text, word.end())
        end = after.end() if after else word.end()
        kept += [text[position : word.start()], _removed(text[word.start() : end])]
        position = scan_from = end
    kept.append(text[position:])
    return "".join(kept)


def without_links(text: str) -> str:
    """``text`` with everything that looks like a link replaced by ``[link removed]``."""
    return _without_hosts(_SCHEME_OR_WWW.sub(lambda link: _removed(link.group()), text))


def collapse_whitespace(text: str) -> str:
    return " ".join(text.split())


def excerpt(text: str, limit: int = EXCERPT_LIMIT) -> str:
    """At most ``limit`` characters of ``text``: whitespace collapsed, links removed, cut at a word
    boundary where one is near and marked with an ellipsis when cut."""
    clean = without_links(collapse_whitespace(text))
    if len(clean) <= limit:
        return clean
    cut = clean[: limit - len(_ELLIPSIS)]
    boundary = cut.rfind(" ")
    if boundary >= limit // 2:
        cut = cut[:boundary]
    cut = cut.rstrip()
    # A word cut in half can read as a link ("notes.txt2" -> "notes.txt"): remove again, and
    # cut again if the marker made it longer. Each round keeps fewer of the original characters.
    for _ in range(limit):
        again = without_links(cut)
        if again == cut:
            break
        cut = again[: limit - len(_ELLIPSIS)].rstrip()
    return cut + _ELLIPSIS
