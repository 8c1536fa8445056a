"""What the account pages decide, apart from the API: the note the sign-in page opens with, the
button a person may press on another account, and which account an address in a link names.

The API decides who may do what; these rules only keep a page from offering what it would refuse
(nobody switches off their own account: they could never switch it on again).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal


@dataclass(frozen=True)
class Notice:
    """A line above the sign-in form: why the person is there (``kind`` is its alert's colour)."""

    text: str
    kind: Literal["success", "info", "warning"]


# The sign-in page's address says why the person came (``/sign-in?ended=1``); the first that
# applies is shown.
SIGN_IN_NOTICES: dict[str, Notice] = {
    "ended": Notice(
        "Your session has ended: you signed out elsewhere, your password was changed or your account"
        " was switched off. Sign in again to go on.",
        "warning",
    ),
    "password_reset": Notice("Your password was changed. Sign in with the new one.", "success"),
    "signed_out": Notice("You have signed out.", "success"),
}


def sign_in_notice(query: Mapping[str, str]) -> Notice | None:
    return next((notice for name, notice in SIGN_IN_NOTICES.items() if query.get(name) == "1"), None)


def switch_action(person_id: str, account: Mapping[str, Any]) -> Literal["disable", "enable"] | None:
    """The switch an account's row offers the person looking at it: off while it is active, on
    while it is not, none on the person's own row."""
    if str(account.get("id")) == person_id:
        return None
    return "disable" if account.get("active", True) else "enable"


def by_name(accounts: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Accounts as a list people scan: by name, then email (names repeat, emails do not)."""
    return sorted(accounts, key=lambda a: (str(a.get("name") or "").casefold(), str(a.get("email") or "")))


def named(accounts: Iterable[Mapping[str, Any]], key: str, value: str) -> Mapping[str, Any] | None:
    """The account whose ``key`` is ``value``: a message after a redirect names only an account
    the page lists, never what a crafted address says."""
    if not value:
        return None
    return next((a for a in accounts if str(a.get(key) or "").casefold() == value.casefold()), None)
