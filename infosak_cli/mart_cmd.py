"""``infosak mart``: bring the KPI mart to today, once a day (docs/deployment.md)."""

from __future__ import annotations

import logging

import typer

from infosak_cli.app import app
from infosak_cli.kpi_cmd import EMPTY_STORE_MESSAGE, _parse_as_of

log = logging.getLogger(__name__)


@app.command()
def mart(
    as_of: str = typer.Option(None, "--as-of", help="Datum ÅÅÅÅ-MM-DD (standard: i dag)."),
    database_url: str = typer.Option(None, "--database-url", help="Databasens URL."),
) -> None:
    """Beräkna nyckeltalen för hela landet per i dag, så att sidorna läser dem färdiga.

    En inläsning gör det för sin egen dag; kör detta en gång per dygn (strax efter midnatt)."""
    from sqlalchemy.exc import SQLAlchemyError  # the store and pandas: not at every start

    from etl.db import StoreBusyError, is_initialised, make_engine
    from etl.kpi.snapshot import refresh_mart

    day = _parse_as_of(as_of)
    engine = make_engine(database_url)
    try:
        if not is_initialised(engine):
            typer.echo(EMPTY_STORE_MESSAGE)
            return
        written = refresh_mart(engine, day)
    except StoreBusyError:
        typer.echo(
            "En inläsning pågår; försök igen när den är klar. (A load is running: try again.)",
            err=True,
        )
        raise typer.Exit(1) from None
    except SQLAlchemyError as exc:
        log.debug("mart refresh failed", exc_info=True)
        typer.echo(
            f"Kunde inte skriva till databasen: {exc.__class__.__name__}. "
            "(Could not write to the store.)",
            err=True,
        )
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    if written is None:
        typer.echo(f"Nyckeltalen per {day.isoformat()} är redan beräknade.")
    else:
        typer.echo(f"Nyckeltalen per {day.isoformat()} är beräknade: {written} rader.")
