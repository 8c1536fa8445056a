"""What an operator does to the gateway outside the API: create buyer organisations and their users.

Importable coroutines (the ``python -m gateway.admin`` command and other tools call them), each
working on the gateway's database with the gateway's settings, through the same use cases, unit
of work and outbox as the API. A password that is not given is generated and returned once; it
is stored only as an argon2 hash and never logged.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from uuid import UUID

from pydantic import EmailStr, TypeAdapter, ValidationError

from gateway.config import Settings
from gateway.domain.model import normalise_email
from gateway.service import organisations
from gateway.service.unit_of_work import UnitOfWork
from shared.db import make_engine, make_session_factory
from shared.errors import InvalidInput

_EMAIL = TypeAdapter(EmailStr)


@dataclass(frozen=True)
class CreatedUser:
    id: UUID
    organisation_id: UUID
    email: str
    name: str
    role: str
    generated_password: str | None  # only when none was given: show it once, keep it nowhere


@dataclass(frozen=True)
class CreatedOrganisation:
    id: UUID
    name: str
    admin: CreatedUser


@dataclass(frozen=True)
class OrganisationListing:
    id: UUID
    name: str
    supplier_portal_enabled: bool


async def create_organisation(
    settings: Settings,
    *,
    name: str,
    admin_email: str,
    admin_password: str | None = None,
    admin_name: str = organisations.ADMIN_NAME,
) -> CreatedOrganisation:
    email = _valid_email(admin_email)
    password, generated = _password(admin_password)
    async with _unit_of_work(settings) as uow:
        organisation, admin = await organisations.create_organisation(
            uow, name=name, admin_email=email, admin_password=password, admin_name=admin_name
        )
    created_admin = CreatedUser(admin.id, organisation.id, admin.email, admin.name, admin.role, generated)
    return CreatedOrganisation(organisation.id, organisation.name, created_admin)


async def create_user(
    settings: Settings,
    *,
    organisation_id: UUID,
    email: str,
    role: str,
    name: str | None = None,
    password: str | None = None,
) -> CreatedUser:
    address = _valid_email(email)
    chosen, generated = _password(password)
    async with _unit_of_work(settings) as uow:
        user = await organisations.add_buyer_user(
            uow, organisation_id, email=address, name=name or address, password=chosen, role=role
        )
    return CreatedUser(user.id, organisation_id, user.email, user.name, user.role, generated)


async def list_organisations(settings: Settings) -> list[OrganisationListing]:
    async with _unit_of_work(settings) as uow:
        found = await organisations.list_organisations(uow)
    return [OrganisationListing(o.id, o.name, o.supplier_portal_enabled) for o in found]


@asynccontextmanager
async def _unit_of_work(settings: Settings) -> AsyncIterator[UnitOfWork]:
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        yield UnitOfWork(make_session_factory(engine), settings.service_name)
    finally:
        await engine.dispose()


def _valid_email(email: str) -> str:
    try:
        return normalise_email(str(_EMAIL.validate_python(email.strip())))
    except ValidationError:
        raise InvalidInput(f"{email!r} is not a valid email address", errors=[{"field": "email"}]) from None


def _password(given: str | None) -> tuple[str, str | None]:
    if given is not None:
        return given, None
    generated = secrets.token_urlsafe(12)
    return generated, generated
