"""``infosak template``: an empty workbook with dropdowns and a help sheet (etl.template)."""

from __future__ import annotations

import logging
from pathlib import Path

import typer
from rich.console import Console

from etl.schema import WORKBOOK_KINDS
from infosak_cli.app import app

log = logging.getLogger(__name__)
# etl.template's kinds; the module itself (openpyxl) is imported by the command alone.
TEMPLATE_KINDS = tuple(WORKBOOK_KINDS)
console = Console()

KIND_LABELS_SV = {
    "organisation": "organisationen",
    "administration": "en förvaltning",
    "object": "ett förvaltningsobjekt",
}


@app.command("template")
def template_command(
    out: Path = typer.Argument(..., help="Filen att skriva, t.ex. mall.xlsx."),
    kind: str = typer.Option(
        "administration", "--kind", help="organisation, administration eller object."
    ),
) -> None:
    """Skriv en tom mall (.xlsx) med rullistor, hjälptexter och ett hjälpblad."""
    kind = kind.strip().lower()
    if kind not in TEMPLATE_KINDS:
        raise typer.BadParameter(
            "välj organisation, administration eller object.", param_hint="--kind"
        )
    if out.suffix.lower() != ".xlsx":
        raise typer.BadParameter("mallen är en Excel-fil; filnamnet ska sluta på .xlsx.")
    from etl.template import write_template  # openpyxl: only for this command

    try:
        write_template(out, kind)
    except OSError as exc:
        log.debug("template failed", exc_info=True)
        console.print(f"[red]Kunde inte skriva {out}: {exc.strerror or exc}[/red]")
        raise typer.Exit(1) from None
    console.print(f"Mall för {KIND_LABELS_SV[kind]} skriven till {out}.")
