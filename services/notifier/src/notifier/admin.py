"""Operator commands of the notifier: ``python -m notifier.admin`` (or ``notifier-admin``).

    notifier-admin reminders send [--day 2026-12-24] [--organisation ID] [--json]

``reminders send`` runs one pass of the reminder scheduler now, as the service does every
``NOTIFIER_REMINDER_INTERVAL_S``: after an outage, to send what is due without waiting for the
next pass; with ``--day``, as if it were that day (UTC), to see on staging what a later day sends;
with ``--organisation``, for one buyer organisation only. A day after today is refused where
``PORTAL_ENVIRONMENT`` is ``production``, a day before today everywhere. It reads the notifier's
settings (``NOTIFIER_DATABASE_URL`` ...) and only queues the emails: the running service's
sender delivers them. Passes that overlap (the service's, another command's) queue each reminder
once. A refused request prints ``error: ...`` on standard error and exits 1.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, date, datetime
from typing import Annotated, NoReturn
from uuid import UUID

import typer
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from notifier.adapters.rendering import EmailRenderer
from notifier.config import Settings
from notifier.domain.reminders import Reminder
from notifier.service import reminder_emails
from notifier.service.unit_of_work import UnitOfWork
from shared.db import make_engine, make_session_factory
from shared.logs import configure_logging

app = typer.Typer(
    help="Operator commands of the supplier portal's notifier.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
reminders_app = typer.Typer(help="Reminders driven by time (docs/reminders.md).", no_args_is_help=True)
app.add_typer(reminders_app, name="reminders")


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        _fail(f"the notifier's settings are invalid: {exc}")


def reminder_day(requested: date | None, *, today: date, environment: str) -> date:
    """The day a pass runs as: today unless asked; never before today, after today only outside production."""
    day = requested or today
    if day < today:
        raise ValueError(f"{day} is before today ({today}): reminders are sent for today or a later day")
    if day > today and environment == "production":
        raise ValueError(
            f"{day} is after today ({today}); a later day is refused where PORTAL_ENVIRONMENT is production"
        )
    return day


async def send_reminders(settings: Settings, day: date, organisation: UUID | None) -> list[Reminder]:
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        session_factory = make_session_factory(engine)
        return await reminder_emails.send_due_reminders(
            lambda: UnitOfWork(session_factory, settings.service_name),
            EmailRenderer(settings.smtp_from, settings.portal_public_url),
            day,
            overdue_catch_up_days=settings.overdue_notice_catch_up_days,
            tenant_id=organisation,
        )
    finally:
        await engine.dispose()


@reminders_app.command("send")
def send(
    day: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Run as if it were this day (UTC); default today.")
    ] = None,
    organisation: Annotated[UUID | None, typer.Option(help="Only this buyer organisation's invoices.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Send the reminders due now (or on --day) at once, as one pass of the scheduler."""
    settings = _settings()
    # The pass's log lines go to standard error, as the service's do; standard output is the result.
    configure_logging(settings.service_name, fmt=settings.log_format, level=settings.log_level)
    try:
        run_as = reminder_day(day and day.date(), today=datetime.now(UTC).date(), environment=settings.environment)
    except ValueError as exc:
        _fail(str(exc))
    try:
        sent = asyncio.run(send_reminders(settings, run_as, organisation))
    except DBAPIError as exc:
        _fail(f"the notifier database refused the pass ({type(exc.orig).__name__}: {exc.orig}); is it migrated?")
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        _fail(f"cannot reach the notifier database ({type(exc).__name__}: {exc}); check NOTIFIER_DATABASE_URL")
    if as_json:
        listed = [{"kind": r.kind.value, "invoice_id": str(r.invoice_id), "day": r.day.isoformat()} for r in sent]
        typer.echo(json.dumps({"day": run_as.isoformat(), "sent": listed}, indent=2))
        return
    typer.echo(f"reminders for {run_as.isoformat()}: {len(sent)} queued")
    for reminder in sent:
        typer.echo(f"  {reminder.kind.value:<9} invoice {reminder.invoice_id} ({reminder.day.isoformat()})")


def main() -> None:
    app(prog_name="notifier-admin" if sys.argv[0].endswith("notifier-admin") else "python -m notifier.admin")


if __name__ == "__main__":
    main()
