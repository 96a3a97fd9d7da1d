"""``infosak generate``: write the deterministic sample workbooks (etl.generate)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from infosak_cli.app import app

if TYPE_CHECKING:
    from etl.generate import GenerateSummary

log = logging.getLogger(__name__)
# etl.generate's bounds, here so that every other command (``infosak load``) does not import
# the generator and its workbook writer (openpyxl); a test pins them to the generator's.
MAX_MUNICIPALITIES = 500
FORMATS = ("xlsx", "csv")
console = Console()


def swedish_number(n: int) -> str:
    """1234567 → "1 234 567" (Swedish thousands separator, a non-breaking space)."""
    return f"{n:,}".replace(",", "\u00a0")


def summary_table(summary: GenerateSummary) -> Table:
    table = Table(title="Skapade rader")
    table.add_column("Uppgift")
    table.add_column("Antal", justify="right")
    from etl.generate import COUNT_LABELS_SV

    for key, count in summary.counts().items():
        table.add_row(COUNT_LABELS_SV[key], swedish_number(count))
    return table


def _parse_today(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(
            f"»{text}« är inget datum; skriv ÅÅÅÅ-MM-DD, t.ex. 2026-11-28.", param_hint="--today"
        ) from None


@app.command("generate")
def generate_command(
    out: Path = typer.Option(..., "--out", help="Mapp att skriva exempelfilerna i."),
    municipalities: int = typer.Option(
        4,
        "--municipalities",
        min=1,
        max=MAX_MUNICIPALITIES,
        help="Antal kommuner: 4 = Sydnärke, fler lägger till påhittade (290 = hela landet).",
    ),
    seed: int = typer.Option(1882, "--seed", help="Slumpfrö; samma frö ger samma filer."),
    fmt: str = typer.Option("xlsx", "--format", help="xlsx eller csv."),
    today: str | None = typer.Option(
        None, "--today", help="Dagens datum för exempeldata, ÅÅÅÅ-MM-DD (standard: i dag)."
    ),
) -> None:
    """Skapa exempeldata: arbetsböcker för organisation, förvaltningar och förvaltningsobjekt."""
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise typer.BadParameter("välj xlsx eller csv.", param_hint="--format")
    as_of = _parse_today(today)
    if out.exists() and not out.is_dir():
        raise typer.BadParameter(f"{out} är en fil, inte en mapp.", param_hint="--out")
    from etl.generate import generate

    started = time.perf_counter()
    try:
        summary = generate(out, municipalities=municipalities, seed=seed, fmt=fmt, today=as_of)
    except OSError as exc:
        log.debug("generate failed", exc_info=True)
        console.print(f"[red]Kunde inte skriva i {out}: {exc.strerror or exc}[/red]")
        raise typer.Exit(1) from None
    elapsed = time.perf_counter() - started
    console.print(summary_table(summary))
    seconds = f"{elapsed:.1f}".replace(".", ",")
    console.print(f"{swedish_number(len(summary.files))} filer skrivna i {out} på {seconds} s.")
