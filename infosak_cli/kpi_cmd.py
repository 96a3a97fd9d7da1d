"""``infosak kpi``: every metric for every scope as of a date, as a table or as JSON."""

from __future__ import annotations

import datetime as dt
import json
import logging
from enum import StrEnum

import typer
from rich.console import Console
from rich.table import Table

from etl.kpi.definitions import METRICS, SCOPE_TYPE_LABELS_SV, SCOPE_TYPES
from infosak_cli.app import app

log = logging.getLogger(__name__)

EMPTY_STORE_MESSAGE = (
    "Databasen innehåller inga uppgifter ännu. Läs in arbetsböcker med `infosak load`.\n"
    "The store is empty: load workbooks with `infosak load`."
)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


def swedish_number(value: float | int | None, kind: str) -> str:
    """1 234 for counts, "77 %" for rates, "2,6" for levels; "–" when there is no value."""
    if value is None:
        return "–"
    if kind == "rate":
        return f"{round(value * 100):,} %".replace(",", " ")
    if kind == "level":
        return f"{value:,.1f}".replace(",", " ").replace(".", ",")
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", " ")
    return f"{value:,.2f}".replace(",", " ").replace(".", ",")


def _parse_as_of(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()  # the CLI's default; the query layer always takes the date
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        typer.echo(
            f"Ogiltigt datum: {text!r}. Ange ÅÅÅÅ-MM-DD, t.ex. 2026-11-28. "
            "(Invalid date: use YYYY-MM-DD.)",
            err=True,
        )
        raise typer.Exit(2) from None


def _table(data: dict) -> Table:
    table = Table(title=f"Nyckeltal per {data['as_of']}", show_lines=False)
    for header, justify in (
        ("Nivå", "left"),
        ("Id", "left"),
        ("Namn", "left"),
        ("Mått", "left"),
        ("Värde", "right"),
        ("Täljare", "right"),
        ("Nämnare", "right"),
    ):
        table.add_column(header, justify=justify)
    for row in data["rows"]:
        metric = METRICS[row["metric"]]
        table.add_row(
            SCOPE_TYPE_LABELS_SV[row["scope_type"]],
            row["scope_id"],
            row["scope_name"],
            metric.label_sv,
            swedish_number(row["value"], metric.kind),
            swedish_number(row["numerator"], "count"),
            swedish_number(row["denominator"], "count"),
        )
    return table


@app.command()
def kpi(
    as_of: str = typer.Option(None, "--as-of", help="Datum ÅÅÅÅ-MM-DD (standard: i dag)."),
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table eller json."),
    scope_type: str = typer.Option(
        None, "--scope-type", help="Bara en nivå: " + ", ".join(SCOPE_TYPES) + "."
    ),
    database_url: str = typer.Option(None, "--database-url", help="Databasens URL."),
) -> None:
    """Skriv ut alla nyckeltal för alla nivåer per ett datum (tabell eller JSON)."""
    # Imported here: every command module is imported at each start (``infosak load`` too), and
    # the store, the models and the KPI computation (pandas) cost about a second of CPU time.
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.orm import Session

    from etl.db import is_initialised, make_engine
    from etl.kpi.compute import kpi_json
    from etl.models import Unit

    day = _parse_as_of(as_of)
    if scope_type is not None and scope_type not in SCOPE_TYPES:
        typer.echo(f"Okänd nivå: {scope_type!r}. Välj en av {', '.join(SCOPE_TYPES)}.", err=True)
        raise typer.Exit(2)
    engine = make_engine(database_url)
    try:
        if not is_initialised(engine):
            typer.echo(EMPTY_STORE_MESSAGE)
            return
        with Session(engine) as session:
            if session.execute(select(Unit.id).limit(1)).first() is None:
                typer.echo(EMPTY_STORE_MESSAGE)
                return
            data = kpi_json(session, day, scope_types=None if scope_type is None else [scope_type])
    except SQLAlchemyError as exc:
        log.debug("kpi failed", exc_info=True)
        typer.echo(
            f"Kunde inte läsa databasen: {exc.__class__.__name__}. (Could not read the store.)",
            err=True,
        )
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    if output is OutputFormat.json:
        typer.echo(json.dumps(data, ensure_ascii=False))
    else:
        Console().print(_table(data))
