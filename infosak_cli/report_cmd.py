"""``infosak report``: the committee report as PDF; ``--freeze`` keeps its numbers as a snapshot."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import typer

from infosak_cli.app import app

log = logging.getLogger(__name__)

# The dashboard's report modules (WeasyPrint, Dash, pandas) are imported inside the functions
# that use them: every ``infosak`` command imports this module to register ``report``, and
# ``infosak load`` must not pay a second for a PDF library it never calls.

EMPTY_STORE_MESSAGE = (
    "Databasen innehåller inga uppgifter ännu. Läs in arbetsböcker med `infosak load`.\n"
    "The store is empty: load workbooks with `infosak load`."
)


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def resolve_as_of(as_of: str | None, period: str | None, lang: str = "sv") -> dt.date:
    """``--period 2026-Q3`` → 2026-09-30; ``--as-of`` as given; neither → today."""
    from dashboard.report.gather import ReportError, period_end

    if as_of and period:
        raise _fail("Ange antingen --as-of eller --period, inte båda. (Use one of them.)")
    if period:
        try:
            return period_end(period, lang)
        except ReportError as exc:
            raise _fail(str(exc)) from None
    if as_of is None:
        return dt.date.today()  # the CLI's default; the report itself always takes the date
    try:
        return dt.date.fromisoformat(as_of)
    except ValueError:
        raise _fail(
            f"Ogiltigt datum: {as_of!r}. Ange ÅÅÅÅ-MM-DD, t.ex. 2026-11-28. "
            "(Invalid date: use YYYY-MM-DD.)"
        ) from None


def _write(path: Path, pdf: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pdf)
    except OSError as exc:
        raise _fail(
            f"Kunde inte skriva {path}: {exc.strerror}. (Could not write the file.)", 1
        ) from None


@app.command()
def report(
    out: Path = typer.Option(None, "--out", help="PDF-fil att skriva, t.ex. rapport.pdf."),
    as_of: str = typer.Option(None, "--as-of", help="Datum ÅÅÅÅ-MM-DD (standard: i dag)."),
    period: str = typer.Option(
        None, "--period", help="Kvartal, t.ex. 2026-Q3 (datum = kvartalets sista dag)."
    ),
    scope: str = typer.Option(None, "--scope", help="Kommun- eller förvaltningskod."),
    freeze: bool = typer.Option(
        False, "--freeze", help="Frys rapportens siffror (ögonblicksbild)."
    ),
    snapshot: int = typer.Option(None, "--snapshot", help="Skriv en fryst rapport (id) som PDF."),
    list_frozen: bool = typer.Option(False, "--list", help="Lista frysta rapporter."),
    database_url: str = typer.Option(None, "--database-url", help="Databasens URL."),
    lang: str = typer.Option(
        "sv", "--lang", help="Rapportens språk: sv eller en (report language)."
    ),
) -> None:
    """Nämndrapport i klarspråk som PDF (sammanställda siffror, diagram, datakällor)."""
    from dashboard.queries.report_snapshots import freeze_report
    from dashboard.report.gather import ReportError, gather_report
    from dashboard.report.pdf import report_pdf

    if out is None and not freeze and not list_frozen:
        raise _fail("Ange --out FIL.pdf, --freeze eller --list. (Nothing to do.)")
    if lang not in ("sv", "en"):
        raise _fail(f"Okänt språk: {lang!r}. Ange sv eller en. (Unknown language: sv or en.)")
    # Arguments are checked before the store is opened, so a typo never depends on the data.
    day = resolve_as_of(as_of, period, lang)
    from sqlalchemy import select  # the store and the models: not at every command's start
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.orm import Session

    from etl.db import is_initialised, make_engine
    from etl.kpi.viewer import SYSTEM
    from etl.models import Unit

    engine = make_engine(database_url)
    try:
        if not is_initialised(engine):
            typer.echo(EMPTY_STORE_MESSAGE)
            return
        if list_frozen:
            _print_list(engine)
            return
        if snapshot is not None:
            _write_snapshot(engine, snapshot, out, lang)
            return
        with Session(engine) as session:
            if session.execute(select(Unit.id).limit(1)).first() is None:
                typer.echo(EMPTY_STORE_MESSAGE)
                return
            data = gather_report(session, day, SYSTEM, scope=scope, period=period, lang=lang)
        pdf = report_pdf(data, lang)
        if out is not None:
            _write(out, pdf)
            typer.echo(f"Rapporten per {day.isoformat()} sparad: {out}")
        if freeze:
            snapshot_id = freeze_report(engine, data, created_by="infosak report", pdf=pdf)
            typer.echo(f"Rapporten för {data['period']} är fryst (id {snapshot_id}).")
    except ReportError as exc:
        raise _fail(str(exc)) from None
    except SQLAlchemyError as exc:
        log.debug("report failed", exc_info=True)
        raise _fail(
            f"Kunde inte läsa databasen: {exc.__class__.__name__}. (Could not read the store.)", 1
        ) from None
    finally:
        engine.dispose()


def _print_list(engine) -> None:
    from sqlalchemy.orm import Session

    from dashboard.queries.report_snapshots import list_snapshots
    from etl.kpi.viewer import SYSTEM

    with Session(engine) as session:
        frame = list_snapshots(session, SYSTEM)
    if frame.empty:
        typer.echo("Inga frysta rapporter.")
        return
    for row in frame.itertuples(index=False):
        typer.echo(
            f"{row.id}\t{row.period}\t{row.scope_name}\t{row.as_of.isoformat()}\t"
            f"fryst {row.created_at:%Y-%m-%d %H:%M} av {row.created_by}"
        )


def _write_snapshot(engine, snapshot_id: int, out: Path | None, lang: str = "sv") -> None:
    if out is None:
        raise _fail("Ange --out FIL.pdf för den frysta rapporten.")
    from sqlalchemy.orm import Session

    from dashboard.queries.report_snapshots import get_snapshot
    from dashboard.report.pdf import report_pdf
    from etl.kpi.viewer import SYSTEM

    with Session(engine) as session:
        frozen = get_snapshot(session, SYSTEM, snapshot_id)
    if frozen is None:
        raise _fail(f"Det finns ingen fryst rapport med id {snapshot_id}.", 1)
    # Rendered again from the stored numbers: identical content whatever was loaded since.
    _write(out, report_pdf(frozen["data"], lang))
    typer.echo(f"Den frysta rapporten {snapshot_id} ({frozen['period']}) sparad: {out}")
