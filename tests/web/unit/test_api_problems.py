"""Problem details from the API as the pages use them: per-field messages, and which refusals a
form shows (the person's input) and which end the page (missing, signed out, failing)."""

from __future__ import annotations

import json

import pytest

from web.adapters.gateway_api import Answer, ApiProblem, _problem


def answer(status: int, body: object, headers: dict[str, str] | None = None) -> Answer:
    return Answer(status, "", {k.lower(): v for k, v in (headers or {}).items()}, json.dumps(body).encode())


def test_field_errors_are_keyed_by_the_apis_field_names_first_message_first() -> None:
    problem = _problem(
        answer(
            422,
            {
                "title": "Invalid input",
                "detail": "the request has invalid fields",
                "errors": [
                    {"field": "lines.0.quantity", "message": "Value error, must be above zero"},
                    {"field": "lines.0.quantity", "message": "a second opinion"},
                    {"field": "number", "message": "String should have at most 100 characters"},
                ],
            },
        )
    )
    assert problem.field_errors() == {
        "lines.0.quantity": "must be above zero",
        "number": "String should have at most 100 characters",
    }


def test_an_answer_that_is_not_problem_json_still_becomes_a_problem() -> None:
    broken = Answer(502, "Bad Gateway", {}, b"<html>bad gateway</html>")
    problem = _problem(broken)
    assert (problem.status, problem.title, problem.errors) == (502, "Bad Gateway", [])


def test_the_wait_a_throttled_sign_in_asks_for_is_kept() -> None:
    problem = _problem(answer(429, {"title": "Too many", "detail": "later"}, {"Retry-After": "120"}))
    assert problem.retry_after == "120"


@pytest.mark.parametrize(
    ("status", "shown_on_the_form"),
    [
        (400, True),
        (409, True),
        (413, True),
        (415, True),
        (422, True),
        (401, False),
        (404, False),
        (500, False),
        (503, False),
    ],
)
def test_only_refusals_of_the_input_are_shown_on_the_form(status: int, shown_on_the_form: bool) -> None:
    assert ApiProblem(status, "t", "d").about_the_input is shown_on_the_form
