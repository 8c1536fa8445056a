"""The ``portal`` command: run the supplier portal, see how it is doing, replay dead letters,
publish a service's events again, seed a demo tenant and create users.

``portal up`` writes where everything runs to ``<data dir>/portal-endpoints.json``; the other
commands read that file (``--endpoints-file``, ``PORTAL_ENDPOINTS_FILE``), and their own options
override it. Without the file they assume the embedded stack's default ports.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import asyncpg
import httpx
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from gateway import admin as gateway_admin
from gateway.config import Settings as GatewaySettings
from portal_cli import dlq_commands, output, status
from portal_cli.endpoints import FILE_NAME, Endpoints, default_file
from portal_dev.supervisor import read_state

app = typer.Typer(
    help=__doc__,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
app.add_typer(dlq_commands.dlq_app, name="dlq")
outbox_app = typer.Typer(
    help="The outbox: the events each service commits with its changes, which its relay publishes.",
    no_args_is_help=True,
)
app.add_typer(outbox_app, name="outbox")


@app.callback()
def common(
    ctx: typer.Context,
    endpoints_file: Annotated[
        Path | None,
        typer.Option(
            envvar="PORTAL_ENDPOINTS_FILE",
            help=f"Where `portal up` wrote the endpoints (default: $PORTAL_DATA_DIR/{FILE_NAME} or var/{FILE_NAME}).",
        ),
    ] = None,
) -> None:
    output.renew_consoles()
    # The Kafka client logs every failed connection attempt; the commands say what failed once.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    if endpoints_file is not None and not endpoints_file.is_file():
        raise output.fail(f"no endpoints file at {endpoints_file}")
    ctx.obj = Endpoints.load(endpoints_file or default_file())


# -- up ---------------------------------------------------------------------------------------------
@app.command()
def up() -> None:
    """Run the whole system on the embedded servers and print where everything is.

    It runs until Ctrl-C, on the embedded servers or on the external ones configured, with the
    settings `make up` reads (PORTAL_DATA_DIR, PORTAL_HTTP_PORT, KAFKA_BOOTSTRAP_SERVERS,
    SERVICE_DATABASE_URL, SMTP_HOST ...; see the README). PORTAL_MAIL_UI_URL names a mail web UI
    (such as Mailpit's) to show when SMTP_HOST is an external server.
    """
    from portal_cli.up import run

    raise typer.Exit(run(output.console))


# -- status -----------------------------------------------------------------------------------------
def _service_overrides(values: list[str] | None) -> dict[str, str]:
    found = {}
    for value in values or []:
        name, sep, url = value.partition("=")
        if not sep or not url.startswith(("http://", "https://")):
            raise output.fail(f"--service takes NAME=URL, got {value!r}")
        found[name.strip()] = url.rstrip("/")
    return found


@app.command("status")
def status_command(
    ctx: typer.Context,
    gateway_url: Annotated[str | None, typer.Option(envvar="PORTAL_GATEWAY_URL", help="The gateway's URL.")] = None,
    service: Annotated[
        list[str] | None, typer.Option(help="NAME=URL of a service (repeatable); replaces the endpoints file's.")
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show URLs and the lag of each consumer group.")
    ] = False,
) -> None:
    """Each service: up or down, outbox backlog, consumer lag, dead letters and stalled documents, in colour.

    The numbers come from each service's /health/ready and /metrics: the outbox backlog and the
    age of its oldest unsent event, the consumer lag summed over its groups and topics, the
    messages it dead-lettered since it started, and its documents that have waited longer than
    its threshold for their next step (invoices in matching, emails not sent), each kind in a
    line below the table.

    Under `portal up`, a "restarts" column and a line for the servers say how often its
    supervisor started each process again.

    Green is normal, yellow worth a look, red needs someone now ("–": the service does not expose
    that number). Exits 1 when a service is down or documents are stalled (either needs someone
    now), 0 otherwise.
    """
    endpoints = output.endpoints(ctx)
    services = endpoints.all_services()
    if gateway_url:
        services["gateway"] = gateway_url.rstrip("/")
    services |= _service_overrides(service)
    found = asyncio.run(status.probe_all(services))
    processes = status.supervised(read_state(Path(endpoints.data_dir))) if endpoints.data_dir else {}
    output.console.print(status.render(found, verbose=verbose, processes=processes))
    if line := status.server_line(processes, found):
        output.console.print(line, highlight=False)
    for line in status.stall_lines(found):
        output.console.print(line, style="red", markup=False, highlight=False)
    if status.any_down(found):
        for down in (s for s in found if not s.ready):
            message = f"[red]{down.name} is down:[/red] {down.url}/health/ready: {down.detail}"
            output.errors.print(message, highlight=False)
        output.errors.print(f"Logs: {endpoints.data_dir or 'var'}/logs/<service>.log", highlight=False)
        raise typer.Exit(1)
    if status.any_stalled(found):
        raise typer.Exit(1)


# -- outbox -----------------------------------------------------------------------------------------
@outbox_app.command("republish")
def outbox_republish(
    ctx: typer.Context,
    service: Annotated[str, typer.Option(help="The service whose events to publish again (orders, invoicing...).")],
    since: Annotated[
        str,
        typer.Option(help="From when: ISO 8601 (UTC unless it names a zone) or a span back from now (10m, 2h, 7d)."),
    ],
    database_url: Annotated[
        str | None,
        typer.Option(help="The service's database (default: `<SERVICE>_DATABASE_URL`, else the endpoints file's)."),
    ] = None,
) -> None:
    """Publish again every event a service's relay sent at or after --since, in their order.

    The events' outbox rows become unsent again and the service's relay is woken: it publishes
    them at once, with the same event ids, keys and headers. Safe: every consumer records the
    events it handled (its inbox) and skips one it sees again; a consumer that never saw one (a
    broker that lost its data, a new consumer group) gets it. The relay does this by itself for
    the last seven days (OUTBOX_REPUBLISH_WINDOW_S) when it finds the broker restarted empty.
    Rows sent longer ago than OUTBOX_RETENTION_S (fourteen days) are no longer there to publish.
    """
    from portal_cli import outbox

    try:
        name = outbox.known_service(service)
        start = outbox.parse_since(since, now=datetime.now(UTC))
        url = outbox.database_url_of(
            name, given=database_url, environ=os.environ, endpoints_urls=output.endpoints(ctx).database_urls
        )
    except (outbox.UnknownService, outbox.BadTime) as exc:
        raise output.fail(str(exc), 2) from None
    try:
        count = asyncio.run(outbox.republish(url, start))
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise output.fail(f"cannot clear the sent marks in the database of {name}: {output.reason(exc)}") from None
    when = start.isoformat().replace("+00:00", "Z")
    if count:
        output.console.print(
            f"{count} event(s) {name} sent since {when} marked unsent; its relay publishes them again now."
        )
    else:
        output.console.print(f"{name} sent nothing since {when}: nothing to publish again.")


# -- seed -------------------------------------------------------------------------------------------
@app.command()
def seed(
    ctx: typer.Context,
    demo: Annotated[bool, typer.Option("--demo", help="Create the demo tenant.")] = False,
    tag: Annotated[str, typer.Option(help="Names the tenant and its emails: another tag, another tenant.")] = "demo",
    gateway_url: Annotated[str | None, typer.Option(envvar="PORTAL_GATEWAY_URL", help="The gateway's URL.")] = None,
    gateway_database_url: Annotated[
        str | None, typer.Option(envvar="GATEWAY_DATABASE_URL", help="The gateway's database (for the organisation).")
    ] = None,
    mail_dir: Annotated[
        Path | None, typer.Option(envvar="MAIL_SINK_DIR", help="The mail sink's .eml files (invitation links).")
    ] = None,
) -> None:
    """Seed a realistic demo tenant through the API, with a progress bar; prints its logins.

    "Northwind Trading (TAG)" gets its admin and a buyer, three suppliers with their portal
    users, purchase orders in every status, invoices in every status that stays (draft, pending,
    approved, rejected, canceled, partly paid, paid) and an RFP with one proposal submitted and
    one declined.

    Run twice with the same --tag it creates nothing: the tenant exists and its logins are
    printed again. Use another --tag for a second demo tenant.
    """
    if not demo:
        raise output.fail("only --demo is supported: `portal seed --demo`", 2)
    from portal_cli.seed import BUYER_PASSWORD, STEPS, DemoSeeder, DemoTenant, SeedError, organisation_name

    endpoints = output.endpoints(ctx)
    directory = mail_dir or (Path(endpoints.mail_dir) if endpoints.mail_dir else None)
    if directory is None:
        raise output.fail("the invitations are read from the mail sink's .eml files: give --mail-dir", 2)
    database_url = gateway_database_url or endpoints.gateway_database_url
    base = (gateway_url or endpoints.gateway_url).rstrip("/")

    async def run(advance: Callable[[str], None]) -> DemoTenant:
        settings = GatewaySettings(database_url=database_url)
        async with httpx.AsyncClient(base_url=base + "/api/v1", timeout=30) as api:
            return await DemoSeeder(api, settings, directory, tag=tag, advance=advance).run()

    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=output.console,
        transient=False,
    )
    try:
        with progress:
            task = progress.add_task(f"Seeding {organisation_name(tag)}", total=STEPS)
            tenant = asyncio.run(run(lambda what: progress.update(task, advance=1, description=what)))
            progress.update(task, description="done" if not tenant.existed else "exists", completed=STEPS)
    except SeedError as exc:
        raise output.fail(f"seeding stopped: {exc}") from None
    except (OSError, TimeoutError) as exc:
        raise output.fail(
            f"cannot reach the portal at {base} or its gateway database ({type(exc).__name__}: {exc})"
        ) from None
    if tenant.existed:
        output.console.print(
            f"The demo tenant {tenant.organisation_name} exists already (organisation {tenant.organisation_id}); "
            f"nothing created. Its users sign in with the demo passwords ({BUYER_PASSWORD} for the buyer side). "
            "Use --tag for another one."
        )
        return
    logins = Table(title=f"{tenant.organisation_name} (organisation {tenant.organisation_id})", title_justify="left")
    for column in ("who", "email", "password"):
        logins.add_column(column)
    for login in tenant.logins:
        logins.add_row(login.who, login.email, login.password)
    output.console.print(logins)
    invoices = Table(title="Invoices", title_justify="left")
    invoices.add_column("number")
    invoices.add_column("status")
    for number, state in tenant.invoices.items():
        invoices.add_row(number, state)
    output.console.print(invoices)
    orders = ", ".join(f"{number} {state}" for number, state in tenant.purchase_orders.items())
    output.console.print(f"Purchase orders: {orders}")
    for rfp in tenant.rfps:
        output.console.print(f"RFP: {rfp}")
    output.console.print(f"Open {base}/ in a browser and sign in with one of the logins above.")
    output.console.print(f"Client apps: POST {base}/api/v1/auth/token, or Authorize in {base}/docs.")


# -- users and organisations: the gateway's operator commands ---------------------------------------
def gateway_database(
    ctx: typer.Context,
    gateway_database_url: Annotated[
        str | None,
        typer.Option(envvar="GATEWAY_DATABASE_URL", help="The gateway's database (default: the endpoints file's)."),
    ] = None,
) -> None:
    """The gateway's operator commands (`python -m gateway.admin`), on the database `portal up` runs."""
    # Those commands read the gateway's settings, which take the database from this variable.
    os.environ["GATEWAY_DATABASE_URL"] = gateway_database_url or output.endpoints(ctx).gateway_database_url


app.add_typer(gateway_admin.users_app, name="users", callback=gateway_database)
app.add_typer(gateway_admin.organisations_app, name="organisations", callback=gateway_database)


def main() -> None:
    app(prog_name="portal")
