"""What every ``portal`` command shares: its consoles, how it fails, and where the system runs."""

from __future__ import annotations

import typer
from rich.console import Console

from portal_cli.endpoints import Endpoints

console = Console()
errors = Console(stderr=True)


def renew_consoles() -> None:
    """Consoles made per run take the terminal's width (COLUMNS) of this run."""
    global console, errors
    console, errors = Console(), Console(stderr=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    errors.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code)


def reason(exc: Exception) -> str:
    text = str(exc)
    return text if text.startswith(type(exc).__name__) else f"{type(exc).__name__}: {text}"


def endpoints(ctx: typer.Context) -> Endpoints:
    """The endpoints the command's callback loaded (the file ``portal up`` wrote, or the defaults)."""
    found: Endpoints = ctx.obj if isinstance(ctx.obj, Endpoints) else Endpoints.load()
    return found
