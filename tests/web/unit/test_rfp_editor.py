"""The buyer's request for proposals editor: read back from a form, checked, and the API's body."""

from __future__ import annotations

from datetime import date

from web.domain.rfp_editor import RfpEditor, RfpLine, due_day

RFP = {
    "id": "r-1",
    "title": "Fasteners",
    "due_date": "2027-03-31T23:59:59Z",
    "currency": None,
    "lines": [{"id": "x1", "description": "M8 bolts", "quantity": "1000.0000", "unit": "pcs"}],
    "supplier_ids": ["s-1", "s-2"],
}
TODAY = date(2027, 3, 1)


def form_of(editor: RfpEditor, **extra: str) -> dict[str, str]:
    values = {
        "title": editor.title,
        "due_date": editor.due_date,
        "currency": editor.currency,
        "line_count": str(len(editor.lines)),
    }
    for index, line in enumerate(editor.lines):
        values |= {
            f"line-{index}-description": line.description,
            f"line-{index}-quantity": line.quantity,
            f"line-{index}-unit": line.unit,
        }
    return values | extra


def test_a_request_opens_in_the_editor_with_its_due_day() -> None:
    editor = RfpEditor.from_rfp(RFP)
    assert (editor.title, editor.due_date, editor.currency) == ("Fasteners", "2027-03-31", "")
    assert editor.lines == [RfpLine("M8 bolts", "1000", "pcs")]
    assert editor.supplier_ids == ["s-1", "s-2"]


def test_proposals_are_due_at_the_end_of_the_day_in_utc() -> None:
    body = RfpEditor.from_rfp(RFP).api_body()
    assert body["due_date"] == "2027-03-31T23:59:59+00:00"
    assert body["currency"] is None  # each supplier answers in its own
    assert body["lines"] == [{"description": "M8 bolts", "quantity": "1000", "unit": "pcs"}]
    assert due_day("2027-04-01T01:00:00+00:00") == "2027-04-01"


def test_only_the_organisations_suppliers_are_invited_once_each() -> None:
    editor = RfpEditor.from_rfp(RFP)
    typed = RfpEditor.from_form(form_of(editor), ["s-2", "elsewhere", "s-2", "s-1"], {"s-1", "s-2"})
    assert typed.supplier_ids == ["s-2", "s-1"]


def test_lines_come_and_go_and_one_left_empty_is_left_out() -> None:
    editor = RfpEditor.from_rfp(RFP).with_new_line().with_new_line()
    assert len(editor.lines) == 3
    assert editor.without_line(1).lines == [editor.lines[0], editor.lines[2]]
    assert editor.without_untouched_lines().lines == [editor.lines[0]]


def test_what_the_person_must_fix_is_named_as_the_api_names_it() -> None:
    editor = RfpEditor(
        title=" ",
        due_date="2027-02-28",
        lines=[RfpLine("", "0"), RfpLine("Washers", "many")],
    )
    assert editor.problems(TODAY) == {
        "title": "Give the request a title.",
        "due_date": "The due date must be today or later.",
        "lines.0.description": "Describe what is asked for.",
        "lines.0.quantity": "The quantity must be above zero.",
        "lines.1.quantity": "Enter a number, like 12 or 2.5.",
        "supplier_ids": "Invite at least one supplier.",
    }
    assert RfpEditor(title="T", due_date="31/03/2027", supplier_ids=["s-1"]).problems(TODAY) == {
        "due_date": "Enter the day proposals are due, like 2027-03-31.",
        "lines": "A request needs at least one line.",
    }
    assert RfpEditor.from_rfp(RFP).problems(TODAY) == {}
