"""``infosak load PATH...``: load workbooks and CSV sets into the store, report every issue."""

from __future__ import annotations

import contextlib
import gc
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from etl.outcomes import ACCEPTED, UNCHANGED
from infosak_cli.app import app

if TYPE_CHECKING:
    from etl.load import FileResult, RunResult

log = logging.getLogger(__name__)

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
SHEET_LABELS = {
    "sv": {"assets": "tillgångar", "classifications": "klassningar", "risk_analyses": "riskanalyser",
           "risks": "risker", "gap_analysis": "bedömningar", "actions": "åtgärder",
           "follow_ups": "uppföljningar", "municipalities": "kommuner",
           "administrations": "förvaltningar", "units": "enheter", "roles": "roller",
           "providers": "leverantörer", "governance_objects": "förvaltningsobjekt",
           "participants": "deltagare", "areas": "områden", "settings": "inställningar"},
}  # fmt: skip
TEXTS = {
    "sv": {
        "loading": "Läser in",
        "progress_rows": "{rows} rader",
        "kpis": "beräknar nyckeltalen …",
        "accepted": "inläst",
        "unchanged": "redan inläst, inget ändrat",
        "rejected": "avvisad, {n} fel",
        "rows": "rader",
        "errors_in": "Fel i {file}",
        "missing": "Sökvägen finns inte: {path}",
        "no_files": "Inga .xlsx- eller .csv-filer hittades.",
        "report": "Felrapport sparad: {path}",
        "report_failed": "Felrapporten kunde inte sparas: {error}",
        "store_failed": "Databasen kunde inte öppnas: {error}",
        "lang": "Okänt språk {lang}; välj sv eller en.",
        "summary": "{ok} av {n} filer inlästa eller oförändrade, {bad} avvisade.",
    },
    "en": {
        "loading": "Loading",
        "progress_rows": "{rows} rows",
        "kpis": "computing the KPIs …",
        "accepted": "accepted",
        "unchanged": "already loaded, nothing changed",
        "rejected": "rejected, {n} errors",
        "rows": "rows",
        "errors_in": "Errors in {file}",
        "missing": "The path does not exist: {path}",
        "no_files": "No .xlsx or .csv files found.",
        "report": "Issue report written: {path}",
        "report_failed": "The issue report could not be written: {error}",
        "store_failed": "The store could not be opened: {error}",
        "lang": "Unknown language {lang}; choose sv or en.",
        "summary": "{ok} of {n} files accepted or unchanged, {bad} rejected.",
    },
}


def format_int_sv(number: int) -> str:
    """1234567 → "1 234 567" (Swedish digit grouping with a no-break space)."""
    return f"{number:,}".replace(",", "\u00a0")


def file_summary(result: FileResult, lang: str) -> str:
    t = TEXTS[lang]
    name = result.file_name or result.path.name
    if result.outcome == ACCEPTED:
        labels = SHEET_LABELS["sv"] if lang == "sv" else {}
        parts = ", ".join(
            f"{format_int_sv(n) if lang == 'sv' else n} {labels.get(k, k)}"
            for k, n in result.counts.items()
        )
        return f"[green]✓[/] {name}: {t['accepted']} ({parts or '0 ' + t['rows']})"
    if result.outcome == UNCHANGED:
        return f"[blue]=[/] {name}: {t['unchanged']}"
    return f"[red]✗[/] {name}: {t['rejected'].format(n=len(result.issues))}"


def print_issues(console: Console, run: RunResult, lang: str) -> None:
    for result in run.files:
        if not result.issues:
            continue
        console.print()
        console.print(f"[bold]{TEXTS[lang]['errors_in'].format(file=result.file_name)}[/]")
        for issue in result.issues:
            console.print(f"  {issue.describe(lang)}", markup=False, highlight=False)


@contextlib.contextmanager
def collecting_nothing():
    """No garbage collection while the run imports its modules: they make only objects that
    live as long as the process, which every collection walked again (29 municipalities'
    workbooks: 277 young, 25 middle and 2 full collections, 0.2-0.3 s of the 1-1.5 s before
    the first file)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class LoadProgress:
    """Files done, rows loaded, time elapsed and expected, on one line while a run loads.

    Only on a terminal: piped or captured output (scripts, tests, JSON) gets the summary alone.
    Expected time is rich's estimate from the files done so far.
    """

    def __init__(self, console: Console, lang: str) -> None:
        self.lang = lang
        self.rows = 0
        self.bar = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rows]}"), TimeElapsedColumn(), TextColumn("/"),
            TimeRemainingColumn(), TextColumn("{task.fields[file]}"),
            console=console, transient=True, disable=not console.is_terminal,
        )  # fmt: skip
        self.task = self.bar.add_task(TEXTS[lang]["loading"], total=None, file="",
                                      rows=self._rows_text())  # fmt: skip

    def _rows_text(self) -> str:
        shown = format_int_sv(self.rows) if self.lang == "sv" else str(self.rows)
        return TEXTS[self.lang]["progress_rows"].format(rows=shown)

    def before_file(self, done: int, total: int, name: str) -> None:
        label = name if done < total else TEXTS[self.lang]["kpis"]  # the run's snapshot next
        self.bar.update(self.task, completed=done, total=total, file=label)

    def after_file(self, result: FileResult) -> None:
        if result.outcome == ACCEPTED:
            self.rows += result.rows_total
        self.bar.update(self.task, rows=self._rows_text())

    def __enter__(self) -> LoadProgress:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(*exc)


@app.command("load")
def load_command(
    paths: list[Path] = typer.Argument(..., help="Arbetsböcker (.xlsx), CSV-filer eller mappar."),
    report: Path | None = typer.Option(None, "--report", help="Spara alla fel i .csv eller .xlsx."),
    lang: str = typer.Option("sv", "--lang", help="Språk för meddelanden: sv eller en."),
    database_url: str | None = typer.Option(
        None, "--database-url", help="Databasens URL (standard: INFOSAK_DATABASE_URL eller data/)."
    ),
) -> None:
    """Läs in arbetsböcker till databasen: hela filen eller ingenting, med alla fel listade."""
    console = Console(highlight=False)
    if lang not in TEXTS:
        console.print(TEXTS["sv"]["lang"].format(lang=lang))
        raise typer.Exit(EXIT_USAGE)
    t = TEXTS[lang]
    missing = [p for p in paths if not p.exists()]
    if missing:
        for path in missing:
            console.print(f"[red]{t['missing'].format(path=path)}[/]")
        raise typer.Exit(EXIT_USAGE)

    # The workers reading ahead start first and read while this process imports the store,
    # the models and the KPI code (SQLAlchemy, pandas: most of a second of CPU time) and opens
    # the store; none of those is imported before, so `infosak --help` stays fast too. Alembic
    # is imported only when the store needs a migration (etl.db.migrate).
    with collecting_nothing():
        from etl.pipeline import plan

    with plan(paths) as planned:
        with collecting_nothing():
            from etl.db import make_engine, migrate
            from etl.load import load_paths

        try:
            engine = make_engine(database_url)
            migrate(engine)
        except Exception as exc:  # noqa: BLE001 - a bad URL or unreachable server, in one line
            log.debug("store could not be opened", exc_info=True)
            console.print(f"[red]{t['store_failed'].format(error=type(exc).__name__)}[/]")
            raise typer.Exit(EXIT_USAGE) from None

        with LoadProgress(console, lang) as show:
            try:
                run = load_paths(engine, paths, progress=show.before_file,
                                 on_file=show.after_file, planned=planned)  # fmt: skip
            finally:
                engine.dispose()

    if not run.files:
        console.print(t["no_files"])
        raise typer.Exit(EXIT_USAGE)
    for result in run.files:
        console.print(file_summary(result, lang))
    print_issues(console, run, lang)
    bad = sum(1 for f in run.files if f.outcome not in (ACCEPTED, UNCHANGED))
    console.print()
    console.print(t["summary"].format(ok=len(run.files) - bad, n=len(run.files), bad=bad))
    if report is not None:
        from etl.report import write_issue_report

        try:
            written = write_issue_report([i for f in run.files for i in f.issues], report, lang)
            console.print(t["report"].format(path=written))
        except OSError as exc:
            console.print(f"[red]{t['report_failed'].format(error=exc.strerror or exc)}[/]")
    raise typer.Exit(EXIT_OK if run.ok else EXIT_REJECTED)
