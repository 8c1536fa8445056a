"""Credit notes: the editor of a new credit note of an approved invoice, and of a draft or rejected
one changed. A credit note's page is an invoice's page (``invoice_pages``), which says what it is."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from web.adapters.gateway_api import ApiProblem, GatewayApi
from web.domain.credit_note_editor import CreditNoteEditor
from web.entrypoints.deps import Api, CheckedForm, CurrentSession
from web.entrypoints.editors import next_step, own_checks
from web.entrypoints.rendering import FormErrors, render

router = APIRouter(tags=["credit notes"])

# An approved invoice, paid or not, can be credited; a credit note is changed while draft or rejected.
CREDITABLE = {"approved", "partly_paid", "paid"}
EDITABLE = {"draft", "rejected"}
_CREDITED_LINE_FIELD = re.compile(r"lines\.(\d+)\.(.+)")


def may_credit(invoice: dict[str, Any]) -> bool:
    """Whether the invoice's page offers to credit it."""
    return invoice.get("kind", "invoice") == "invoice" and invoice.get("status") in CREDITABLE


def _page(
    request: Request,
    *,
    editor: CreditNoteEditor,
    invoice: dict[str, Any],
    action: str,
    credit_note: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "credit_note_form.html",
        status_code=status_code,
        editor=editor,
        invoice=invoice,
        credit_note=credit_note,
        action=action,
        errors=errors or FormErrors(),
        totals=editor.totals(),
    )


@router.get("/invoices/{invoice_id}/credit", response_class=HTMLResponse)
async def new_credit_note(request: Request, session: CurrentSession, api: Api, invoice_id: UUID) -> Response:
    invoice = await api.get(f"/invoices/{invoice_id}")
    if not may_credit(invoice):
        return RedirectResponse(f"/invoices/{invoice_id}", status_code=303)
    editor = CreditNoteEditor.of_invoice(invoice)
    return _page(request, editor=editor, invoice=invoice, action=f"/invoices/{invoice_id}/credit")


@router.get("/invoices/{invoice_id}/credit/totals", response_class=HTMLResponse)
async def credit_totals(request: Request, session: CurrentSession, api: Api, invoice_id: UUID) -> HTMLResponse:
    """The totals of what is given back so far (htmx asks while the person types)."""
    invoice = await api.get(f"/invoices/{invoice_id}")
    editor = CreditNoteEditor.from_form(request.query_params, invoice)
    return render(request, "partials/invoice_totals.html", totals=editor.totals(), editor=editor, oob=True)


@router.post("/invoices/{invoice_id}/credit", response_class=HTMLResponse)
async def create_credit_note(
    request: Request, session: CurrentSession, api: Api, form: CheckedForm, invoice_id: UUID
) -> Response:
    invoice = await api.get(f"/invoices/{invoice_id}")
    return await _save(request, api, form, invoice=invoice, credit_note=None)


async def edit_credit_note(request: Request, api: GatewayApi, credit_note: dict[str, Any]) -> Response:
    """The editor of a draft or rejected credit note (the invoice editor's address leads here)."""
    invoice = await api.get(f"/invoices/{credit_note['credited_invoice_id']}")
    editor = CreditNoteEditor.of_invoice(invoice, credit_note)
    return _page(
        request, editor=editor, invoice=invoice, credit_note=credit_note, action=f"/invoices/{credit_note['id']}/edit"
    )


async def save_credit_note(request: Request, api: GatewayApi, form: FormData, credit_note: dict[str, Any]) -> Response:
    invoice = await api.get(f"/invoices/{credit_note['credited_invoice_id']}")
    return await _save(request, api, form, invoice=invoice, credit_note=credit_note)


async def _save(
    request: Request, api: GatewayApi, form: FormData, *, invoice: dict[str, Any], credit_note: dict[str, Any] | None
) -> Response:
    """Save the credit note (and submit it with the second button)."""
    editor = CreditNoteEditor.from_form(form, invoice)
    action = f"/invoices/{credit_note['id']}/edit" if credit_note else f"/invoices/{invoice['id']}/credit"

    def again(errors: FormErrors) -> HTMLResponse:
        return _page(
            request,
            editor=editor,
            invoice=invoice,
            credit_note=credit_note,
            action=action,
            errors=errors,
            status_code=422,
        )

    errors = own_checks(editor.problems(), "credit note")
    if errors:
        return again(errors)
    try:
        if credit_note is None:
            body = {"kind": "credit_note", "credited_invoice_id": invoice["id"], **editor.api_body()}
            credit_note = await api.post("/invoices", body)
        else:
            credit_note = await api.patch(f"/invoices/{credit_note['id']}", editor.api_body())
    except ApiProblem as problem:
        if not problem.about_the_input:
            raise
        return again(_on_the_form(FormErrors(problem), editor))
    assert credit_note is not None
    page = f"/invoices/{credit_note['id']}"
    if str(form.get("action") or "save") == "submit":
        return await next_step(api, page, "submit", done="submitted", refused="submit")
    return RedirectResponse(f"{page}?done=saved", status_code=303)


def _on_the_form(errors: FormErrors, editor: CreditNoteEditor) -> FormErrors:
    """The API numbers the lines it was sent (the credited ones); the form numbers all of them."""
    fields = {}
    for name, message in errors.fields.items():
        found = _CREDITED_LINE_FIELD.fullmatch(name)
        fields[f"lines.{editor.form_index(int(found[1]))}.{found[2]}" if found else name] = message
    errors.fields = fields
    return errors
