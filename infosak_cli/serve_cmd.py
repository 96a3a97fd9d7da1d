"""``infosak serve`` and ``infosak demo``: run the dashboard, on the sample data for the demo."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import typer
from rich.console import Console

from etl import config
from infosak_cli.app import app
from infosak_cli.tables import print_rows

log = logging.getLogger(__name__)
console = Console()
err = Console(stderr=True)
TREND_MONTHS = 12


def _run_server(host: str, port: int, debug: bool, demo: bool) -> None:
    from dashboard.app import create_app
    from dashboard.auth.session import ConfigurationError
    from dashboard.garbage_collection import settle_heap
    from etl.db import make_engine, migrate

    engine = make_engine()
    migrate(engine)
    try:
        dash_app = create_app(engine, demo=demo, auth=True)
    except ConfigurationError as exc:
        # The message says what to do (a missing key, demo accounts left in the store, ...).
        err.print(str(exc), style="red", markup=False, soft_wrap=True)
        raise typer.Exit(1) from exc
    # The built app's objects out of the collector's way, as gunicorn does before its workers
    # start (dashboard/garbage_collection.py).
    settle_heap()
    console.print(f"Infosäk körs på [bold]http://{host}:{port}/[/bold]  (Ctrl+C avslutar)")
    if debug:
        console.print(
            "[yellow]Felsökningsläge (debug) är på: använd aldrig detta i drift.[/yellow]"
        )
    dash_app.run(host=host, port=port, debug=debug)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Adress att lyssna på."),
    port: int = typer.Option(8050, help="Port."),
    debug: bool = typer.Option(False, "--debug", help="Dash felsökningsläge (aldrig i drift)."),
) -> None:
    """Starta dashboarden mot databasen (INFOSAK_DATABASE_URL eller data/infosak.db)."""
    _run_server(host, port, debug, demo=False)


def prepare_demo_store(sample_dir: Path, today: dt.date | None = None) -> str:
    """Generate the sample files if absent and load them when the store is empty.

    Returns a one-line Swedish description of what was done.
    """
    from sqlalchemy.orm import Session

    from dashboard.store import store_is_empty
    from etl.db import make_engine, migrate
    from etl.generate import generate
    from etl.kpi.snapshot import backfill_snapshots
    from etl.load import load_paths

    today = today or dt.date.today()
    if not any(sample_dir.glob("*.xlsx")):
        summary = generate(sample_dir, today=today)
        console.print(f"Exempeldata skapad i {sample_dir} ({len(summary.files)} filer).")
    engine = make_engine()
    migrate(engine)
    with Session(engine) as session:
        empty = store_is_empty(session)
    if not empty:
        return "Databasen innehöll redan uppgifter; inget lästes in."
    result = load_paths(engine, sorted(sample_dir.glob("*.xlsx")), loaded_by="demo")
    rejected = [f for f in result.files if f.outcome == "rejected"]
    if rejected:
        names = ", ".join(f.path.name for f in rejected)
        raise typer.Exit(_fail(f"Exempeldata avvisades: {names}. Kör 'infosak load {sample_dir}'."))
    backfill_snapshots(engine, TREND_MONTHS, today)
    accepted = sum(1 for f in result.files if f.outcome == "accepted")
    return f"{accepted} filer inlästa."


def print_demo_accounts(engine) -> None:
    """The demo accounts (one per role) that the demo dashboard lets in, password ``demo``.

    Read-only: the accounts themselves are created when the demo dashboard starts, so that a
    store prepared with ``--no-serve`` holds no account with a known password.
    """
    from sqlalchemy.orm import Session

    from dashboard.auth.guard import demo_account_rows
    from dashboard.auth.roles import role_label
    from dashboard.auth.users import DEMO_PASSWORD, demo_accounts

    with Session(engine) as session:
        accounts = demo_accounts(session)
    if not accounts:
        return
    print_rows(
        console,
        ("Användarnamn", "Roll", "Rollkod", "Omfattning"),
        [
            (name, role_label(role), role, scope or "allt")
            for name, role, scope in demo_account_rows(accounts, engine)
        ],
        title=f"Demokonton (lösenord: {DEMO_PASSWORD})",
    )
    console.print(
        f'Alla demokonton har lösenordet "{DEMO_PASSWORD}" och fungerar bara i demoläget '
        "(infosak demo)."
    )


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url  # SQLAlchemy: not at every command's start

    return make_url(url).render_as_string(hide_password=True)


def _fail(message: str) -> int:
    console.print(f"[red]{message}[/red]")
    return 1


@app.command()
def demo(
    serve_app: bool = typer.Option(True, "--serve/--no-serve", help="Starta dashboarden efteråt."),
    host: str = typer.Option("127.0.0.1", help="Adress att lyssna på."),
    port: int = typer.Option(8050, help="Port."),
    sample_dir: Path = typer.Option(
        config.SAMPLE_DIR, "--sample-dir", help="Mapp för exempelfilerna."
    ),
) -> None:
    """Skapa och läs in exempeldata (Askersund och Sydnärke) och starta dashboarden."""
    message = prepare_demo_store(sample_dir)
    console.print(message)
    console.print(f"Databas: {_shown(config.database_url())}")
    from etl.db import make_engine

    print_demo_accounts(make_engine())
    if serve_app:
        _run_server(host, port, debug=False, demo=True)
