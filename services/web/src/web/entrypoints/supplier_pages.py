"""Buyer pages of suppliers: the list (search, portal status, pages), one supplier (its details,
its custom field values, its portal access: invite, deactivate, re-activate), the form that
creates and edits one, and the custom field definitions that form asks for."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from web.adapters.gateway_api import ApiProblem, GatewayApi
from web.domain.sessions import WebSession
from web.domain.supplier_forms import FieldForm, SupplierForm
from web.entrypoints.deps import Api, CheckedForm, CurrentSession
from web.entrypoints.rendering import (
    CUSTOM_FIELD_TYPE_WORDS,
    PORTAL_STATUS_WORDS,
    FormErrors,
    as_sentences,
    list_page,
    marked_below,
    render,
    sentence,
)

router = APIRouter(tags=["suppliers"])

# What the supplier page says once an action is done; ``{name}`` and ``{email}`` are the record's.
DONE_MESSAGES = {
    "created": "{name} was added. Invite it to the portal when its people should sign in.",
    "saved": "The changes were saved.",
    "unchanged": "Nothing was changed.",
    "invited": "{name} was invited to the portal: an invitation email was sent to {email}.",
    "deactivated": "{name} no longer has the portal: its people cannot reach your organisation there "
    "until you re-activate it.",
    "reactivated": "{name} has the portal again: its people sign in as before. No new invitation was sent.",
    "reinvited": "A new invitation was sent to {email}; the earlier invitation link no longer works.",
}
FIELD_DONE_MESSAGES = {"added": "The custom field was added.", "saved": "The custom field was saved."}
# The API's page size limit: the definitions are read whole, page after page.
DEFINITIONS_PAGE = 200
FieldKey = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]{0,63}$")]


def _not_for_suppliers(session: WebSession) -> RedirectResponse | None:
    """Suppliers keep their own record in their profile; these pages are the buyer's."""
    return None if session.is_buyer else RedirectResponse("/", status_code=303)


async def custom_field_definitions(api: GatewayApi) -> list[dict[str, Any]]:
    """The organisation's custom field definitions, in the API's order."""
    return await api.every_item("/supplier-custom-fields", page_size=DEFINITIONS_PAGE)


@router.get("/suppliers", response_class=HTMLResponse)
async def supplier_list(
    request: Request, session: CurrentSession, api: Api, q: str = "", portal_status: str = "", cursor: str = ""
) -> Response:
    if away := _not_for_suppliers(session):
        return away
    return await list_page(
        request,
        api,
        path="/suppliers",
        template="suppliers.html",
        words={},
        status="",
        cursor=cursor,
        q=q.strip()[:100],
        portal_status=portal_status if portal_status in PORTAL_STATUS_WORDS else "",
    )


# The form of one supplier ----------------------------------------------------------------------


async def _form_page(
    request: Request,
    api: GatewayApi,
    *,
    values: SupplierForm,
    definitions: list[dict[str, Any]],
    supplier: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    # The organisation's default payment terms, which a supplier without terms of its own gets.
    settings = await api.get("/settings")
    return render(
        request,
        "supplier_form.html",
        status_code=status_code,
        values=values,
        default_payment_terms_days=settings.get("default_payment_terms_days"),
        # And its default tolerance, which a supplier with neither a rate nor an amount gets.
        default_tolerance_rate=settings.get("default_tolerance_rate"),
        default_tolerance_amount=settings.get("default_tolerance_amount"),
        definitions=definitions,
        supplier=supplier,
        action=f"/suppliers/{supplier['id']}/edit" if supplier else "/suppliers/new",
        errors=errors or FormErrors(),
    )


def _refusal(problem: ApiProblem, definitions: list[dict[str, Any]]) -> FormErrors:
    """The API's refusal of the supplier form, each message by its field; a custom field's
    message (``"is required"``) says which field it is about."""
    errors = FormErrors(problem)
    if errors.fields:
        errors.message = marked_below("supplier")
    return as_sentences(errors, {"custom_fields." + d["key"]: d["label"] for d in definitions})


@router.get("/suppliers/new", response_class=HTMLResponse)
async def new_supplier(request: Request, session: CurrentSession, api: Api) -> Response:
    if away := _not_for_suppliers(session):
        return away
    return await _form_page(request, api, values=SupplierForm(), definitions=await custom_field_definitions(api))


@router.post("/suppliers/new", response_class=HTMLResponse)
async def create_supplier(request: Request, session: CurrentSession, api: Api, form: CheckedForm) -> Response:
    definitions = await custom_field_definitions(api)
    values = SupplierForm.of_form(form, definitions)
    if not session.is_admin:  # a new supplier of a buyer user's takes the organisation's terms
        values = values.keeping_the_terms_of(SupplierForm())
    try:
        created = await api.post("/suppliers", values.new_supplier())
    except ApiProblem as problem:
        if not problem.about_the_input:
            raise
        return await _form_page(
            request, api, values=values, definitions=definitions, errors=_refusal(problem, definitions), status_code=422
        )
    return RedirectResponse(f"/suppliers/{created['id']}?done=created", status_code=303)


# Custom field definitions (declared before /suppliers/{supplier_id}) ----------------------------


def _field_errors(problem: ApiProblem) -> FormErrors:
    errors = FormErrors(problem)
    # A refused choice is reported by its position (choices.2): shown under the one choices box.
    for name, message in list(errors.fields.items()):
        if name.startswith("choices."):
            errors.add("choices", message)
    if problem.status == 409:
        errors.add("key", problem.detail or problem.title)
    if errors.fields:
        errors.message = marked_below("custom field")
    return as_sentences(errors)


async def _fields_page(
    request: Request,
    api: GatewayApi,
    *,
    values: FieldForm | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "custom_fields.html",
        status_code=status_code,
        definitions=await custom_field_definitions(api),
        values=values or FieldForm(),
        errors=errors or FormErrors(),
        types=CUSTOM_FIELD_TYPE_WORDS,
        done=FIELD_DONE_MESSAGES.get(request.query_params.get("done", ""), ""),
    )


@router.get("/suppliers/custom-fields", response_class=HTMLResponse)
async def custom_fields(request: Request, session: CurrentSession, api: Api) -> Response:
    if away := _not_for_suppliers(session):
        return away
    return await _fields_page(request, api)


@router.post("/suppliers/custom-fields", response_class=HTMLResponse)
async def define_custom_field(request: Request, session: CurrentSession, api: Api, form: CheckedForm) -> Response:
    values = FieldForm.of_form(form)
    try:
        await api.post("/supplier-custom-fields", values.definition())
    except ApiProblem as problem:
        if not problem.about_the_input:
            raise
        return await _fields_page(request, api, values=values, errors=_field_errors(problem), status_code=422)
    return RedirectResponse("/suppliers/custom-fields?done=added", status_code=303)


async def _definition(api: GatewayApi, key: str) -> dict[str, Any]:
    for definition in await custom_field_definitions(api):
        if definition["key"] == key:
            return definition
    raise HTTPException(status_code=404)


def _field_page(
    request: Request,
    definition: dict[str, Any],
    values: FieldForm,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "supplier_custom_field.html",
        status_code=status_code,
        definition=definition,
        values=values,
        errors=errors or FormErrors(),
        types=CUSTOM_FIELD_TYPE_WORDS,
    )


@router.get("/suppliers/custom-fields/{key}/edit", response_class=HTMLResponse)
async def edit_custom_field(request: Request, session: CurrentSession, api: Api, key: FieldKey) -> Response:
    if away := _not_for_suppliers(session):
        return away
    definition = await _definition(api, key)
    return _field_page(request, definition, FieldForm.of_definition(definition))


@router.post("/suppliers/custom-fields/{key}/edit", response_class=HTMLResponse)
async def change_custom_field(
    request: Request, session: CurrentSession, api: Api, form: CheckedForm, key: FieldKey
) -> Response:
    definition = await _definition(api, key)
    values = FieldForm.of_form(form)
    values.key, values.type = definition["key"], definition["type"]
    try:
        await api.patch(f"/supplier-custom-fields/{quote(key, safe='')}", values.changes())
    except ApiProblem as problem:
        if not problem.about_the_input:
            raise
        return _field_page(request, definition, values, _field_errors(problem), status_code=422)
    return RedirectResponse("/suppliers/custom-fields?done=saved", status_code=303)


# One supplier ----------------------------------------------------------------------------------


def _custom_values(supplier: dict[str, Any], definitions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each defined field with the supplier's value (None: none yet), then any value whose
    definition the organisation no longer lists, by its key."""
    values = dict(supplier.get("custom_fields") or {})
    shown = [{"definition": d, "label": d["label"], "value": values.pop(d["key"], None)} for d in definitions]
    shown += [{"definition": None, "label": key, "value": value} for key, value in sorted(values.items())]
    return shown


async def _supplier_page(
    request: Request,
    api: GatewayApi,
    supplier_id: UUID,
    *,
    problem: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    supplier, definitions, settings = await asyncio.gather(
        api.get(f"/suppliers/{supplier_id}"), custom_field_definitions(api), api.get("/settings")
    )
    done = DONE_MESSAGES.get(request.query_params.get("done", ""), "")
    return render(
        request,
        "supplier.html",
        status_code=status_code,
        supplier=supplier,
        custom_values=_custom_values(supplier, definitions),
        # While the organisation's supplier portal is off, no supplier's portal is switched on.
        portal_switched_off=settings.get("supplier_portal_enabled") is False,
        done=done.format(name=supplier["name"], email=supplier["email"]),
        problem=problem,
    )


@router.get("/suppliers/{supplier_id}", response_class=HTMLResponse)
async def supplier_page(request: Request, session: CurrentSession, api: Api, supplier_id: UUID) -> Response:
    if away := _not_for_suppliers(session):
        return away
    return await _supplier_page(request, api, supplier_id)


@router.get("/suppliers/{supplier_id}/edit", response_class=HTMLResponse)
async def edit_supplier(request: Request, session: CurrentSession, api: Api, supplier_id: UUID) -> Response:
    if away := _not_for_suppliers(session):
        return away
    supplier, definitions = await asyncio.gather(api.get(f"/suppliers/{supplier_id}"), custom_field_definitions(api))
    return await _form_page(
        request, api, values=SupplierForm.of_record(supplier), definitions=definitions, supplier=supplier
    )


@router.post("/suppliers/{supplier_id}/edit", response_class=HTMLResponse)
async def save_supplier(
    request: Request, session: CurrentSession, api: Api, form: CheckedForm, supplier_id: UUID
) -> Response:
    supplier, definitions = await asyncio.gather(api.get(f"/suppliers/{supplier_id}"), custom_field_definitions(api))
    values = SupplierForm.of_form(form, definitions)
    if not session.is_admin:  # the terms' fields are disabled in a buyer user's form
        values = values.keeping_the_terms_of(SupplierForm.of_record(supplier))
    changes = values.changes(supplier)
    if not changes:
        return RedirectResponse(f"/suppliers/{supplier_id}?done=unchanged", status_code=303)
    try:
        await api.patch(f"/suppliers/{supplier_id}", changes)
    except ApiProblem as problem:
        if not problem.about_the_input:
            raise
        return await _form_page(
            request,
            api,
            values=values,
            definitions=definitions,
            supplier=supplier,
            errors=_refusal(problem, definitions),
            status_code=422,
        )
    return RedirectResponse(f"/suppliers/{supplier_id}?done=saved", status_code=303)


async def _portal(request: Request, api: GatewayApi, supplier_id: UUID, action: str) -> Response:
    """Switch the supplier's portal access; the message says what it did (an invitation the first time)."""
    before = await api.get(f"/suppliers/{supplier_id}")
    try:
        await api.post(f"/suppliers/{supplier_id}/portal/{action}")
    except ApiProblem as problem:
        if not problem.about_the_input:
            raise
        refusal = sentence(f"The portal access was not changed: {problem.detail or problem.title}")
        return await _supplier_page(request, api, supplier_id, problem=refusal, status_code=problem.status)
    if action == "deactivate":
        done = "deactivated"
    else:
        done = "invited" if before["portal_status"] == "not_invited" else "reactivated"
    return RedirectResponse(f"/suppliers/{supplier_id}?done={done}", status_code=303)


@router.post("/suppliers/{supplier_id}/portal/activate", response_class=HTMLResponse)
async def activate_portal(
    request: Request, session: CurrentSession, api: Api, form: CheckedForm, supplier_id: UUID
) -> Response:
    return await _portal(request, api, supplier_id, "activate")


@router.post("/suppliers/{supplier_id}/portal/deactivate", response_class=HTMLResponse)
async def deactivate_portal(
    request: Request, session: CurrentSession, api: Api, form: CheckedForm, supplier_id: UUID
) -> Response:
    return await _portal(request, api, supplier_id, "deactivate")


@router.post("/suppliers/{supplier_id}/portal/invite", response_class=HTMLResponse)
async def invite_again(
    request: Request, session: CurrentSession, api: Api, form: CheckedForm, supplier_id: UUID
) -> Response:
    """A fresh invitation to the supplier's email (its people lost the first, or it expired)."""
    try:
        await api.post(f"/suppliers/{supplier_id}/portal/invite")
    except ApiProblem as problem:
        if not problem.about_the_input:
            raise
        refusal = sentence(f"No invitation was sent: {problem.detail or problem.title}")
        return await _supplier_page(request, api, supplier_id, problem=refusal, status_code=problem.status)
    return RedirectResponse(f"/suppliers/{supplier_id}?done=reinvited", status_code=303)
