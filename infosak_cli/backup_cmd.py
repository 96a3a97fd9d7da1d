"""``infosak backup`` and ``infosak restore``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from etl.config import database_url
from infosak_cli.app import app

console = Console(stderr=True)


@app.command()
def backup(out: Path = typer.Argument(..., help="Fil att skriva kopian till.")) -> None:
    """Gör en konsistent kopia av databasen medan appen körs."""
    from etl.backup import BackupError, backup_sqlite  # SQLAlchemy: not at every command's start

    try:
        path = backup_sqlite(database_url(), out)
    except BackupError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"Säkerhetskopia skriven till {path}.")


@app.command()
def restore(backup_file: Path = typer.Argument(..., help="Kopia att återställa från.")) -> None:
    """Återställ databasen från en säkerhetskopia."""
    from etl.backup import BackupError, restore_sqlite

    try:
        path = restore_sqlite(database_url(), backup_file)
    except BackupError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"Databasen {path} är återställd från {backup_file}.")
