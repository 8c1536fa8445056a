"""``portal up``: the whole system on the embedded servers, and where everything is.

The stack is ``portal_dev.stack``'s (the same the end-to-end tests start); this adds the summary
a newcomer needs and the endpoints file the other ``portal`` commands read.
"""

from __future__ import annotations

import os

from rich.console import Console
from rich.table import Table

from portal_cli.endpoints import FILE_NAME, Endpoints, endpoints_of, write
from portal_dev.stack import WEB, Stack, StackConfig, run_forever
from shared.auth import sign_in_email_refusal


def summary(stack: Stack, endpoints: Endpoints) -> Table:
    table = Table(title="Supplier portal is up", title_justify="left", show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    gateway = endpoints.gateway_url
    table.add_row("portal", f"{gateway}/   (open it in a browser; sign in with a login of portal seed --demo)")
    table.add_row("gateway", f"{gateway}/api/v1")
    table.add_row("API docs", f"{gateway}/docs   (OpenAPI: {gateway}/openapi.json)")
    table.add_row("health", f"{gateway}/api/v1/health")
    for name, url in endpoints.services.items():
        events = "" if name == WEB else f"   events: {url}/asyncapi"
        table.add_row(name, f"{url}{events}   metrics: {url}/metrics")
    table.add_row("gateway events", f"{gateway}/asyncapi")
    if endpoints.mail_dir:
        table.add_row("mail", f"SMTP sink on {endpoints.smtp}; every email is an .eml file in {endpoints.mail_dir}")
    else:
        table.add_row(
            "mail",
            f"SMTP server {endpoints.smtp}" + (f"   web UI: {endpoints.mail_ui_url}" if endpoints.mail_ui_url else ""),
        )
    postgres = stack.postgres.url("<service db>") if stack.postgres else "external"
    table.add_row("PostgreSQL", postgres)
    table.add_row("Kafka", endpoints.kafka_bootstrap_servers + (" (embedded Tansu)" if stack.broker else ""))
    table.add_row("data, logs", f"{stack.config.data_dir}   {stack.logs_dir}")
    table.add_row("admin", stack.admin_note or stack.config.admin_email)
    return table


def run(console: Console) -> int:
    config = StackConfig.from_environment()
    if refusal := sign_in_email_refusal(config.admin_email):
        console.print(
            f"[red]error:[/red] PORTAL_ADMIN_EMAIL {config.admin_email!r} cannot be used: the sign-in form refuses it "
            f"({refusal}), so the first admin could never sign in. Set PORTAL_ADMIN_EMAIL to an address people "
            "can sign in with.",
            highlight=False,
        )
        return 2
    stack = Stack(config)
    path = stack.config.data_dir / FILE_NAME

    written = []

    def started(running: Stack) -> None:
        endpoints = endpoints_of(running, mail_ui_url=os.environ.get("PORTAL_MAIL_UI_URL") or None)
        write(endpoints, path)
        written.append(path)
        console.print(summary(running, endpoints))
        console.print(
            "\nNext: [bold]portal seed --demo[/bold] (a demo tenant with suppliers, orders and invoices), "
            "[bold]portal status[/bold], [bold]portal dlq list[/bold]. Ctrl-C stops everything.",
            highlight=False,
        )

    console.print("Starting the supplier portal (PostgreSQL, Kafka, SMTP sink, six services and the web portal)...")
    try:
        return run_forever(stack, started)
    finally:
        if written:  # a run refused for a running one leaves that one's file alone
            path.unlink(missing_ok=True)
