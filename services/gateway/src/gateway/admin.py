"""Operator commands of the gateway: ``python -m gateway.admin`` (or ``gateway-admin``).

    gateway-admin organisations create --name "Acme" --admin-email a@acme.example [--admin-password-file F]
    gateway-admin organisations list
    gateway-admin users create --organisation ID --email u@acme.example --role buyer_user [--password-file F]

They read the gateway's settings (``GATEWAY_DATABASE_URL`` ...) and call the coroutines of
``gateway.entrypoints.operator``. A password file holds the password on its first line (``-``
reads standard input); without one a password is generated and printed here, once. ``--json``
prints the result as JSON. A refused request prints ``error: ...`` on standard error and exits 1.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Coroutine
from dataclasses import asdict
from enum import StrEnum
from typing import Annotated, Any, NoReturn, TypeVar
from uuid import UUID

import typer
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from gateway.config import Settings
from gateway.entrypoints import operator
from gateway.entrypoints.operator import CreatedUser
from shared.errors import DomainError

T = TypeVar("T")

app = typer.Typer(
    help="Operator commands of the supplier portal's gateway.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
organisations_app = typer.Typer(help="Buyer organisations (tenants).", no_args_is_help=True)
users_app = typer.Typer(help="Users of a buyer organisation.", no_args_is_help=True)
app.add_typer(organisations_app, name="organisations")
app.add_typer(users_app, name="users")


class BuyerRole(StrEnum):
    buyer_admin = "buyer_admin"
    buyer_user = "buyer_user"


JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        _fail(f"the gateway's settings are invalid: {exc}")


def _run(work: Coroutine[Any, Any, T]) -> T:
    """Run one operation; a refusal or an unreachable database is a message, never a traceback."""
    try:
        return asyncio.run(work)
    except DomainError as exc:
        _fail(exc.detail)
    except DBAPIError as exc:
        # The driver's message only: SQLAlchemy's own text would repeat the statement and its values.
        _fail(f"the gateway database refused the operation ({type(exc.orig).__name__}: {exc.orig}); is it migrated?")
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        _fail(f"cannot reach the gateway database ({type(exc).__name__}: {exc}); check GATEWAY_DATABASE_URL")


def _read_password(source: typer.FileText | None) -> str | None:
    if source is None:
        return None
    lines = source.read().splitlines()
    return lines[0] if lines else ""


def _print_user(user: CreatedUser, label: str) -> None:
    typer.echo(f"{label:<13} {user.email}  ({user.role}, id {user.id})")
    if user.generated_password:
        typer.echo(f"{'password':<13} {user.generated_password}   (generated; shown only this once)")


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, default=str, indent=2))


@organisations_app.command("create")
def create_organisation(
    name: Annotated[str, typer.Option(help="The organisation's name.")],
    admin_email: Annotated[str, typer.Option(help="Email of its first buyer admin.")],
    admin_name: Annotated[str, typer.Option(help="Name of its first buyer admin.")] = "Administrator",
    admin_password_file: Annotated[
        typer.FileText | None, typer.Option(help="File with the admin's password ('-': standard input).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a buyer organisation with its first admin; publishes both like the API does."""
    created = _run(
        operator.create_organisation(
            _settings(),
            name=name,
            admin_email=admin_email,
            admin_password=_read_password(admin_password_file),
            admin_name=admin_name,
        )
    )
    if as_json:
        _print_json(asdict(created))
        return
    typer.echo(f"{'organisation':<13} {created.name}  (id {created.id})")
    _print_user(created.admin, "admin")


@organisations_app.command("list")
def list_organisations(as_json: JsonOption = False) -> None:
    """List the buyer organisations."""
    found = _run(operator.list_organisations(_settings()))
    if as_json:
        _print_json([asdict(o) for o in found])
        return
    for organisation in found:
        portal = "on" if organisation.supplier_portal_enabled else "off"
        typer.echo(f"{organisation.id}  {organisation.name}  (supplier portal {portal})")


@users_app.command("create")
def create_user(
    organisation: Annotated[UUID, typer.Option(help="Id of the buyer organisation.")],
    email: Annotated[str, typer.Option(help="The user's email, used to sign in.")],
    role: Annotated[BuyerRole, typer.Option(help="buyer_admin or buyer_user.")],
    name: Annotated[str | None, typer.Option(help="The user's name (default: the email).")] = None,
    password_file: Annotated[
        typer.FileText | None, typer.Option(help="File with the password ('-': standard input).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a user of a buyer organisation; publishes it like the API does."""
    created = _run(
        operator.create_user(
            _settings(),
            organisation_id=organisation,
            email=email,
            role=role.value,
            name=name,
            password=_read_password(password_file),
        )
    )
    if as_json:
        _print_json(asdict(created))
        return
    _print_user(created, "user")


def main() -> None:
    app(prog_name="gateway-admin" if sys.argv[0].endswith("gateway-admin") else "python -m gateway.admin")


if __name__ == "__main__":
    main()
