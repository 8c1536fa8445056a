"""What the pages of the line editors (invoice, purchase order, request for proposals) share.

Each button of an editor posts the whole form with its ``action``: ``add_line`` and ``remove-<n>``
change the lines and show the editor again; ``save`` (Enter in a field too) saves, and a second
button saves and takes the document's next step (submit, send, publish).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol, Self, TypeVar

from fastapi.responses import RedirectResponse

from web.adapters.gateway_api import ApiProblem, GatewayApi
from web.entrypoints.rendering import FormErrors, marked_below, sentence


class _Lines(Protocol):
    def without_line(self, index: int) -> Self: ...


E = TypeVar("E", bound=_Lines)


def line_button(action: str, editor: E, with_new_line: Callable[[], E]) -> E | None:
    """The editor once a line button is pressed (``add_line``, ``remove-<n>``), or None when the
    button was another one."""
    if action == "add_line":
        return with_new_line()
    if action.startswith("remove-"):
        index = action.removeprefix("remove-")
        return editor.without_line(int(index)) if index.isdigit() else editor
    return None


def own_checks(found: dict[str, str], what: str) -> FormErrors:
    """What the editor's own checks found before the API is asked (messages by field, as the API
    names them), as the form shows it: beside the fields, and a line at the top."""
    errors = FormErrors()
    for name, message in found.items():
        errors.add(name, message)
    if errors:
        errors.message = marked_below(what)
    return errors


def editor_refusal(problem: ApiProblem, shown: re.Pattern[str], what: str) -> FormErrors:
    """The API's refusal of an editor's form: each message beside its field where the editor has
    one (``shown`` names those), and at the top what no field can show."""
    errors = FormErrors(problem)
    elsewhere = [f"{name}: {message}" for name, message in errors.fields.items() if not shown.fullmatch(name)]
    if errors.fields and not elsewhere:
        errors.message = marked_below(what)
    else:
        errors.message = " ".join([sentence(problem.detail or problem.title), *(sentence(e) for e in elsewhere)])
    return errors


async def next_step(api: GatewayApi, page: str, step: str, *, done: str, refused: str) -> RedirectResponse:
    """The document's next step once it is saved (``<page>/<step>``: submit, publish), then its
    page: ``?done=<done>``, or ``?problem=<refused>`` when the API refused the step (the document
    stays as saved)."""
    try:
        await api.post(f"{page}/{step}")
    except ApiProblem as problem:
        if not problem.about_the_input:
            raise
        return RedirectResponse(f"{page}?problem={refused}", status_code=303)
    return RedirectResponse(f"{page}?done={done}", status_code=303)
